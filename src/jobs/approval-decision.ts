import type { Catalog } from '../config/catalog.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { AuditLog } from './audit-log.js';
import type { ApprovalPhase, ApprovalRecord, RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

export type Decision = 'approved' | 'rejected';

export type DecisionOutcome =
  | { kind: 'decided'; run: RunRecord; approval: ApprovalRecord }
  | { kind: 'refused'; message: string };

export interface DecisionDeps {
  store: RunStore;
  audit: AuditLog;
  catalog: Catalog;
  approvers: ApproverDirectory;
  now?: () => number;
}

/**
 * Records one approver's decision on one phase. The pending → decided transition happens once,
 * atomically, so double clicks and replayed requests find it already decided and change nothing.
 */
export async function decideApproval(
  request: { runId: string; phase: ApprovalPhase; decision: Decision; userId: string },
  deps: DecisionDeps,
): Promise<DecisionOutcome> {
  const now = deps.now ?? Date.now;
  const run = await deps.store.get(request.runId);
  const approval = run?.approvals.find((a) => a.phase === request.phase);
  if (!run || !approval) return { kind: 'refused', message: 'This approval no longer exists.' };
  const target = deps.catalog.get(run.app, run.env);
  if (!target) return { kind: 'refused', message: `${run.app} ${run.env} is no longer configured.` };

  if (approval.status !== 'pending') return { kind: 'refused', message: alreadyDecided(approval) };
  if (!(await deps.approvers.isApprover(target, request.userId))) {
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

  let refusal: string | undefined;
  const updated = await deps.store.mutate(run.id, (current) => {
    const pending = current.approvals.find((a) => a.phase === request.phase);
    if (!pending || pending.status !== 'pending') {
      refusal = pending ? alreadyDecided(pending) : 'This approval no longer exists.';
      return undefined;
    }
    if (now() >= pending.expiresAt) {
      refusal = 'This approval has expired; start a new run.';
      return undefined;
    }
    refusal = undefined;
    const decided: ApprovalRecord = {
      ...pending,
      status: request.decision,
      decidedBy: request.userId,
      decidedAt: now(),
    };
    return { ...current, approvals: current.approvals.map((a) => (a.phase === request.phase ? decided : a)) };
  });
  if (refusal) return { kind: 'refused', message: refusal };

  await deps.audit.append({
    type: 'approval_decided',
    runId: run.id,
    phase: request.phase,
    decision: request.decision,
    user: request.userId,
  });
  return {
    kind: 'decided',
    run: updated,
    approval: updated.approvals.find((a) => a.phase === request.phase) as ApprovalRecord,
  };
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
  }
}
