import { createHash } from 'node:crypto';
import type { Target } from '../config/catalog.js';
import type { Logger } from '../logging/logger.js';
import type { ApprovalGate } from './ports.js';
import type { RunJournal } from './run-journal.js';
import { type ApprovalPhase, type ApprovalRecord, changesThings, type RunRecord } from './run-record.js';
import {
  currentApproval,
  expireApproval,
  finishRun,
  requestApproval,
  setRunStatus,
  supersedeApproval,
  useApproval,
} from './run-transitions.js';
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

/**
 * A setup on a pair whose policy requires approval passes the gate before the first step of each
 * phase it runs in an attempt; once a phase started on an approval (or needed none) in this
 * attempt, its later steps follow. A Retry is a new attempt, so unfinished phases ask again.
 */
export function phaseNeedsApproval(run: RunRecord, target: Target, step: StepDefinition): boolean {
  if (!changesThings(run.kind) || !target.approval.required || !step.phase) return false;
  return currentApproval(run, step.phase)?.usedAt === undefined;
}

export function newApproval(
  run: RunRecord,
  phase: ApprovalPhase,
  changes: string,
  target: Target,
  now: number,
  status: 'pending' | 'not_needed' = 'pending',
): ApprovalRecord {
  return {
    phase,
    status,
    attempt: run.attempt,
    changes,
    previewDigest: previewDigest(changes),
    requestedAt: now,
    expiresAt: now + target.approval.ttlMinutes * 60_000,
    ...(status === 'not_needed' ? { usedAt: now } : {}),
  };
}

function previewDigest(changes: string): string {
  return createHash('sha256').update(changes).digest('hex');
}

/**
 * Takes a run through the approval of one phase: preview what the phase would change (nothing to
 * change, no approval), ask, let an unanswered or unused approval expire, and act on the decision.
 * A given approval is used only if the phase would still change exactly what was approved.
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
  const preview = () =>
    plan.previewPhase(phase, {
      run,
      target,
      logger: deps.logger.child({ runId: run.id, phase }),
      cancelRequested: async () => Boolean((await journal.mustGet(run.id)).cancelRequestedBy),
    });
  const current = currentApproval(run, phase);
  if (!current || current.status === 'superseded') {
    const changes = await preview();
    const status = changes.changes ? 'pending' : 'not_needed';
    run = await journal.record(
      run.id,
      requestApproval(newApproval(run, phase, changes.summary, target, deps.now(), status)),
    );
    if (status === 'not_needed') return { kind: 'continue', run };
  }
  let approval = currentApproval(run, phase) as ApprovalRecord;
  if (deps.now() >= approval.expiresAt && (approval.status === 'pending' || approval.status === 'approved')) {
    run = await journal.record(run.id, expireApproval(phase), { show: approval.status === 'approved' });
    approval = currentApproval(run, phase) as ApprovalRecord;
  }
  if (approval.status === 'pending') {
    run = await journal.record(run.id, setRunStatus('awaiting_approval'));
    if ((await gate.awaitDecision(run, approval)) === 'wait')
      return { kind: 'parked', until: approval.expiresAt };
    run = await journal.mustGet(run.id);
    approval = currentApproval(run, phase) as ApprovalRecord;
  }
  switch (approval.status) {
    case 'approved': {
      if (await stillCovered(approval, preview)) {
        const used = await journal.record(run.id, useApproval(phase, deps.now()), { show: false });
        return { kind: 'continue', run: await journal.record(used.id, setRunStatus('running')) };
      }
      deps.logger.info({ runId: run.id, phase }, 'the approved changes moved on; asking again');
      const superseded = await journal.record(run.id, supersedeApproval(phase));
      if (supersededCount(superseded, phase) >= MAX_SUPERSEDED) {
        const message = `What the ${phase} phase would change kept moving while it waited for approval (${MAX_SUPERSEDED} times); run setup again once it has settled.`;
        return {
          kind: 'ended',
          run: await journal.record(
            run.id,
            finishRun('failed', { step: phase, code: 'preview_unstable', message }, deps.now()),
          ),
        };
      }
      return passApprovalGate(superseded, target, plan, phase, gate, deps);
    }
    case 'pending':
      return { kind: 'parked', until: approval.expiresAt };
    case 'not_needed':
    case 'superseded':
      return { kind: 'continue', run };
    default:
      return {
        kind: 'ended',
        run: await journal.record(run.id, finishRun(approval.status, undefined, deps.now())),
      };
  }
}

/** A phase whose preview moves on this often in one attempt is not asked about again. */
const MAX_SUPERSEDED = 3;

function supersededCount(run: RunRecord, phase: ApprovalPhase): number {
  return run.approvals.filter(
    (a) => a.phase === phase && a.attempt === run.attempt && a.status === 'superseded',
  ).length;
}

/** The approval covers the phase only while the phase would change exactly what was approved. */
async function stillCovered(
  approval: ApprovalRecord,
  preview: () => Promise<{ summary: string }>,
): Promise<boolean> {
  return previewDigest((await preview()).summary) === approval.previewDigest;
}
