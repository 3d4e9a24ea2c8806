import type { Target } from '../config/catalog.js';
import type { Logger } from '../logging/logger.js';
import type { ApprovalGate } from './ports.js';
import type { RunJournal } from './run-journal.js';
import type { ApprovalPhase, ApprovalRecord, RunRecord } from './run-record.js';
import { expireApproval, finishRun, requestApproval, setRunStatus } from './run-transitions.js';
import type { RunPlan, StepDefinition } from './step-definition.js';

/** Where the gate leaves the run: go on with the phase, park it until a decision, or it ended. */
export type GateOutcome =
  | { kind: 'continue'; run: RunRecord }
  | { kind: 'parked'; until: number }
  | { kind: 'ended'; run: RunRecord };

export interface ApprovalGateDeps {
  journal: RunJournal;
  logger: Logger;
  now: () => number;
}

/** A setup on a pair whose policy requires approval asks once per phase, before its first step. */
export function phaseNeedsApproval(
  run: RunRecord,
  target: Target,
  step: StepDefinition,
  plan: RunPlan,
): boolean {
  if (run.kind !== 'setup' || !target.approval.required || !step.phase) return false;
  return plan.steps.find((s) => s.phase === step.phase)?.id === step.id;
}

export function newApproval(
  phase: ApprovalPhase,
  changes: string,
  target: Target,
  now: number,
): ApprovalRecord {
  return {
    phase,
    status: 'pending',
    changes,
    requestedAt: now,
    expiresAt: now + target.approval.ttlMinutes * 60_000,
  };
}

/**
 * Takes a run through the approval of one phase: preview what the phase would change (no change,
 * no approval), ask, let an unanswered request expire, and act on the decision.
 */
export async function passApprovalGate(
  initial: RunRecord,
  target: Target,
  plan: RunPlan,
  phase: ApprovalPhase,
  gate: ApprovalGate,
  deps: ApprovalGateDeps,
): Promise<GateOutcome> {
  const { journal } = deps;
  let run = initial;
  if (!approvalFor(run, phase)) {
    const preview = await plan.previewPhase(phase, {
      run,
      target,
      logger: deps.logger.child({ runId: run.id, phase }),
      cancelRequested: async () => Boolean((await journal.mustGet(run.id)).cancelRequestedBy),
    });
    if (!preview.changes) return { kind: 'continue', run };
    run = await journal.record(
      run.id,
      requestApproval(newApproval(phase, preview.summary, target, deps.now())),
    );
  }
  let approval = approvalFor(run, phase) as ApprovalRecord;
  if (approval.status === 'pending' && deps.now() >= approval.expiresAt) {
    run = await journal.record(run.id, expireApproval(phase), { show: false });
    approval = approvalFor(run, phase) as ApprovalRecord;
  }
  if (approval.status === 'pending') {
    run = await journal.record(run.id, setRunStatus('awaiting_approval'));
    if ((await gate.awaitDecision(run, approval)) === 'wait')
      return { kind: 'parked', until: approval.expiresAt };
    run = await journal.mustGet(run.id);
    approval = approvalFor(run, phase) as ApprovalRecord;
  }
  switch (approval.status) {
    case 'approved':
      return { kind: 'continue', run: await journal.record(run.id, setRunStatus('running')) };
    case 'pending':
      return { kind: 'parked', until: approval.expiresAt };
    default:
      return {
        kind: 'ended',
        run: await journal.record(run.id, finishRun(approval.status, undefined, deps.now())),
      };
  }
}

function approvalFor(run: RunRecord, phase: ApprovalPhase): ApprovalRecord | undefined {
  return run.approvals.find((a) => a.phase === phase);
}
