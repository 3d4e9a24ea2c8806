import type { AuditEvent } from './audit-log.js';
import {
  type ApprovalPhase,
  type ApprovalRecord,
  type Checkpoint,
  isFinal,
  type RetriedAttempt,
  type RunError,
  type RunRecord,
  type RunStatus,
  type StepRecord,
} from './run-record.js';
import type { StepResult } from './step-definition.js';
import { type Summary, summaryParts, summaryText } from './step-summary.js';

/**
 * A change to a run: `apply` is pure (it may run again when another writer races it) and returns
 * undefined when the change no longer applies; `audit` says what the trail records when it did.
 */
export interface Transition {
  apply(run: RunRecord): RunRecord | undefined;
  audit?(run: RunRecord): AuditEvent;
}

/** The plan's steps are added (once) and a queued run starts running. */
export function beginRun(steps: readonly { id: string; title: string; phase?: ApprovalPhase }[]): Transition {
  return {
    apply(run) {
      const missing = steps.filter((step) => !run.steps.some((s) => s.id === step.id));
      const status: RunStatus = run.status === 'queued' ? 'running' : run.status;
      if (missing.length === 0 && status === run.status) return undefined;
      const added: StepRecord[] = missing.map(({ id, title, phase }) => ({
        id,
        title,
        status: 'pending',
        ...(phase ? { phase } : {}),
      }));
      return { ...run, status, steps: [...run.steps, ...added] };
    },
  };
}

export function startStep(stepId: string, now: number): Transition {
  return {
    apply: (run) => ({
      ...withStep(run, stepId, ({ waitingUntil: _waited, ...s }) => ({
        ...s,
        status: 'running',
        startedAt: s.startedAt ?? now,
      })),
      status: 'running',
    }),
  };
}

export function showStepProgress(stepId: string, summary: Summary): Transition {
  return { apply: (run) => withStep(run, stepId, (s) => ({ ...s, ...summaryFields(summary) })) };
}

/** The step waits, parked, until `until` (and is checked again then); its summary says for what. */
export function parkStep(stepId: string, summary: Summary, until: number): Transition {
  return {
    apply: (run) => withStep(run, stepId, (s) => ({ ...s, ...summaryFields(summary), waitingUntil: until })),
  };
}

/** The plain text every reader understands, plus the parts when there are links to keep. */
function summaryFields(summary: Summary): Pick<StepRecord, 'summary' | 'summaryParts'> {
  const parts = summaryParts(summary);
  return {
    summary: summaryText(summary),
    summaryParts: parts.some((part) => typeof part !== 'string') ? parts : undefined,
  };
}

export function saveStepCheckpoint(stepId: string, patch: Checkpoint): Transition {
  return {
    apply: (run) => withStep(run, stepId, (s) => ({ ...s, checkpoint: { ...s.checkpoint, ...patch } })),
  };
}

export function completeStep(stepId: string, result: StepResult, now: number): Transition {
  return {
    apply: (run) =>
      withStep(run, stepId, (s) => ({
        ...s,
        status: 'done',
        ...summaryFields(result.summary),
        details: result.details,
        changed: result.changed,
        finishedAt: now,
      })),
    audit: (run) => ({
      type: 'step_finished',
      runId: run.id,
      step: stepId,
      outcome: 'done',
      summary: summaryText(result.summary),
    }),
  };
}

export function failStep(stepId: string, error: { code: string; message: string }, now: number): Transition {
  return {
    apply: (run) =>
      withStep(run, stepId, (s) => ({
        ...s,
        status: 'failed',
        summary: error.message,
        summaryParts: undefined,
        finishedAt: now,
      })),
    audit: (run) => ({
      type: 'step_finished',
      runId: run.id,
      step: stepId,
      outcome: 'failed',
      code: error.code,
    }),
  };
}

/** The approval of `phase` that counts for the run's current attempt (the latest asked). */
export function currentApproval(run: RunRecord, phase: ApprovalPhase): ApprovalRecord | undefined {
  return run.approvals.findLast((a) => a.phase === phase && a.attempt === run.attempt);
}

/** Adds the phase's approval request, unless one is open or given already (a resumed run asks once). */
export function requestApproval(approval: ApprovalRecord): Transition {
  const pending = approval.status === 'pending';
  return {
    apply: (run) => {
      const current = currentApproval(run, approval.phase);
      if (current && (current.status === 'pending' || current.status === 'approved')) return undefined;
      return {
        ...run,
        ...(pending ? { status: 'awaiting_approval' as const } : {}),
        approvals: [...run.approvals, approval],
      };
    },
    ...(pending ? { audit: (run: RunRecord) => approvalRequestedEvent(run, approval) } : {}),
  };
}

function approvalRequestedEvent(run: RunRecord, approval: ApprovalRecord): AuditEvent {
  return { type: 'approval_requested', runId: run.id, phase: approval.phase, attempt: approval.attempt };
}

/** A pending approval past its expiry, or a given one not used in time, expires. */
export function expireApproval(phase: ApprovalPhase): Transition {
  return changeCurrent(phase, (a) =>
    a.status === 'pending' || (a.status === 'approved' && a.usedAt === undefined)
      ? { ...a, status: 'expired' }
      : undefined,
  );
}

/** The phase's changes are not what was approved any more: the approval no longer covers them. */
export function supersedeApproval(phase: ApprovalPhase): Transition {
  return changeCurrent(phase, (a) =>
    a.status === 'approved' && a.usedAt === undefined ? { ...a, status: 'superseded' } : undefined,
  );
}

/** The phase starts on its approval: from now on it covers this attempt's steps of the phase. */
export function useApproval(phase: ApprovalPhase, now: number): Transition {
  return changeCurrent(phase, (a) =>
    a.status === 'approved' && a.usedAt === undefined ? { ...a, usedAt: now } : undefined,
  );
}

function changeCurrent(
  phase: ApprovalPhase,
  change: (approval: ApprovalRecord) => ApprovalRecord | undefined,
): Transition {
  return {
    apply(run) {
      const current = currentApproval(run, phase);
      const changed = current && change(current);
      if (!current || !changed) return undefined;
      return { ...run, approvals: run.approvals.map((a) => (a === current ? changed : a)) };
    },
  };
}

/** A non-final status change (running ⇄ awaiting approval). */
export function setRunStatus(status: RunStatus): Transition {
  return { apply: (run) => (isFinal(run.status) || run.status === status ? undefined : { ...run, status }) };
}

/** Ends the run once; pending approvals are closed with it. */
export function finishRun(status: RunStatus, error: RunError | undefined, now: number): Transition {
  return {
    apply: (run) =>
      isFinal(run.status)
        ? undefined
        : {
            ...run,
            status,
            ...(error ? { error } : {}),
            finishedAt: now,
            approvals: run.approvals.map((a) =>
              a.status === 'pending' ? { ...a, status: closedApprovalStatus(status) } : a,
            ),
          },
    audit: (run) => ({ type: 'run_finished', runId: run.id, status, step: error?.step, code: error?.code }),
  };
}

export function requestCancel(userId: string): Transition {
  return {
    apply: (run) =>
      isFinal(run.status) || run.cancelRequestedBy ? undefined : { ...run, cancelRequestedBy: userId },
    audit: (run) => ({ type: 'cancel_requested', runId: run.id, user: userId }),
  };
}

/** A failed setup goes back to the queue as its next attempt, resuming at the failed step. */
export function retryRun(userId: string, now: number): Transition {
  return {
    apply(run) {
      if (run.status !== 'failed') return undefined;
      const { error, finishedAt: _finishedAt, ...rest } = run;
      const failedStep = run.steps.find((s) => s.status === 'failed');
      const retried: RetriedAttempt = {
        attempt: run.attempt,
        retriedBy: userId,
        retriedAt: now,
        ...(error ? { error } : {}),
        ...(failedStep ? { failedStep } : {}),
      };
      return {
        ...rest,
        status: 'queued',
        attempt: run.attempt + 1,
        retried: [...(run.retried ?? []), retried],
        // The failed step starts afresh (its outcome stays in `retried`); its checkpoint is kept.
        steps: run.steps.map((s) => {
          if (s.status !== 'failed') return s;
          const { startedAt: _s, finishedAt: _f, summary: _m, details: _d, ...fresh } = s;
          return { ...fresh, status: 'pending' };
        }),
      };
    },
    audit: (run) => ({ type: 'run_retried', runId: run.id, user: userId, attempt: run.attempt }),
  };
}

/**
 * Records a decision on the phase's current pending approval, before it expires. `messageTs`,
 * when the decision came from a button, must be that approval's own message: a click on an
 * older approval (an earlier attempt, a superseded preview) decides nothing.
 */
export function recordDecision(
  phase: ApprovalPhase,
  decision: 'approved' | 'rejected',
  userId: string,
  now: number,
  messageTs?: string,
): Transition {
  return {
    apply: (run) => {
      const pending = currentApproval(run, phase);
      if (pending?.status !== 'pending' || now >= pending.expiresAt) return undefined;
      if (messageTs !== undefined && pending.messageTs !== messageTs) return undefined;
      const decided: ApprovalRecord = { ...pending, status: decision, decidedBy: userId, decidedAt: now };
      return { ...run, approvals: run.approvals.map((a) => (a === pending ? decided : a)) };
    },
    audit: (run) => ({
      type: 'approval_decided',
      runId: run.id,
      phase,
      decision,
      user: userId,
      attempt: run.attempt,
    }),
  };
}

function withStep(run: RunRecord, stepId: string, change: (step: StepRecord) => StepRecord): RunRecord {
  return { ...run, steps: run.steps.map((s) => (s.id === stepId ? change(s) : s)) };
}

function closedApprovalStatus(status: RunStatus): ApprovalRecord['status'] {
  if (status === 'rejected') return 'rejected';
  if (status === 'expired') return 'expired';
  return 'cancelled';
}
