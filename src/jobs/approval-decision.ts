import type { Catalog } from '../config/catalog.js';
import { BotError } from '../errors.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { RunJournal } from './run-journal.js';
import type { ApprovalPhase, ApprovalRecord, RunRecord } from './run-record.js';
import { currentApproval, recordDecision } from './run-transitions.js';

export type Decision = 'approved' | 'rejected';

export type DecisionOutcome =
  | { kind: 'decided'; run: RunRecord; approval: ApprovalRecord }
  | { kind: 'refused'; message: string };

export interface DecisionDeps {
  journal: RunJournal;
  catalog: Catalog;
  approvers: ApproverDirectory;
  now?: () => number;
}

/**
 * Records one approver's decision on one phase. The pending → decided transition happens once,
 * atomically, so double clicks and replayed requests find it already decided and change nothing.
 */
export async function decideApproval(request: DecisionRequest, deps: DecisionDeps): Promise<DecisionOutcome> {
  const now = deps.now ?? Date.now;
  const run = await deps.journal.get(request.runId);
  const approval = run && clickedApproval(run, request);
  if (!run || !approval) return { kind: 'refused', message: 'This approval no longer exists.' };
  const target = deps.catalog.get(run.app, run.env);
  if (!target) return { kind: 'refused', message: `${run.app} ${run.env} is no longer configured.` };

  if (approval.status !== 'pending') return { kind: 'refused', message: alreadyDecided(approval) };
  const mayDecide = await deps.approvers.isApprover(target, request.userId).catch((error: unknown) => {
    if (error instanceof BotError) return error;
    throw error;
  });
  if (mayDecide instanceof BotError) return { kind: 'refused', message: mayDecide.userMessage };
  if (!mayDecide) {
    return {
      kind: 'refused',
      message: `You are not an approver for ${run.app} ${run.env}; nothing was changed.`,
    };
  }
  if (request.userId === run.requestedBy && !target.approval.allowSelfApproval) {
    return {
      kind: 'refused',
      message: `You requested run ${run.id}, so another approver must decide (self-approval is not allowed for ${run.app} ${run.env}).`,
    };
  }

  const decidedAt = now();
  const { run: updated, changed } = await deps.journal.apply(
    run.id,
    recordDecision(request.phase, request.decision, request.userId, decidedAt, approval.messageTs),
  );
  const decided = clickedApproval(updated, request);
  if (!changed || !decided) return { kind: 'refused', message: refusal(decided, decidedAt) };
  return { kind: 'decided', run: updated, approval: decided };
}

export interface DecisionRequest {
  runId: string;
  phase: ApprovalPhase;
  decision: Decision;
  userId: string;
  /** The approval message the button was on; without it, the phase's current approval. */
  messageTs?: string;
}

/**
 * The approval a click is about: the one whose message holds the button. A click on an older
 * approval message (an earlier attempt, a superseded preview) finds that old approval, already
 * closed, and decides nothing.
 */
function clickedApproval(run: RunRecord, request: DecisionRequest): ApprovalRecord | undefined {
  if (request.messageTs !== undefined) {
    return run.approvals.find((a) => a.phase === request.phase && a.messageTs === request.messageTs);
  }
  return currentApproval(run, request.phase);
}

function refusal(approval: ApprovalRecord | undefined, now: number): string {
  if (!approval) return 'This approval no longer exists.';
  if (approval.status === 'pending' && now >= approval.expiresAt) {
    return 'This approval has expired; start a new run.';
  }
  return alreadyDecided(approval);
}

function alreadyDecided(approval: ApprovalRecord): string {
  switch (approval.status) {
    case 'approved':
      return `Already approved by <@${approval.decidedBy}>; nothing more to do.`;
    case 'rejected':
      return `Already rejected by <@${approval.decidedBy}>.`;
    case 'expired':
      return 'This approval has expired; start a new run.';
    case 'cancelled':
      return 'The run was cancelled, so there is nothing to approve.';
    case 'pending':
      return 'Still waiting for a decision.';
    case 'superseded':
      return 'What this phase would change moved on since this was asked; decide on the newer approval in the thread.';
    case 'not_needed':
      return 'This phase needed no approval.';
  }
}
