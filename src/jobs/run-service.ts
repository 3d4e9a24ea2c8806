import type { Queue } from 'bullmq';
import type { Catalog, Target } from '../config/catalog.js';
import type { Logger } from '../logging/logger.js';
import { type Decision, type DecisionOutcome, decideApproval } from './approval-decision.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { AuditLog } from './audit-log.js';
import { newRunId } from './run-id.js';
import { enqueueRun, type RunJobData, wakeRun } from './run-queue.js';
import { type ApprovalPhase, isFinal, newRunRecord, type RunKind, type RunRecord } from './run-record.js';
import type { RunReporter } from './run-reporter.js';
import type { RunStore } from './run-store.js';

export interface RunServiceDeps {
  store: RunStore;
  audit: AuditLog;
  queue: Queue<RunJobData>;
  catalog: Catalog;
  approvers: ApproverDirectory;
  /** Posts the status card before the job exists, so the worker never races it. */
  announcer: RunReporter;
  /** Edits existing messages after clicks and commands; never posts. */
  editor: RunReporter;
  logger: Logger;
  now?: () => number;
}

export type ActionOutcome = { ok: true; message: string; run: RunRecord } | { ok: false; message: string };

/** What the Slack surface (and the CLI) can ask of runs: request, cancel, retry, decide. */
export class RunService {
  private readonly now: () => number;

  constructor(private readonly deps: RunServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Stores the run (taking the pair's lock for setup); throws RunConflictError if it is taken. */
  async request(
    kind: RunKind,
    target: Target,
    requestedBy: string,
    channel: string | undefined,
  ): Promise<RunRecord> {
    const run = newRunRecord({
      id: newRunId(),
      kind,
      app: target.app,
      env: target.env,
      requestedBy,
      channel,
      now: this.now(),
    });
    await this.deps.store.create(run);
    await this.deps.audit.append({
      type: 'run_requested',
      runId: run.id,
      kind,
      app: run.app,
      env: run.env,
      user: requestedBy,
    });
    return run;
  }

  /** Posts the status card, then queues the job. A Slack failure here only delays the card. */
  async launch(run: RunRecord): Promise<void> {
    await this.publishWith(this.deps.announcer, run);
    await enqueueRun(this.deps.queue, run);
  }

  async cancel(runId: string, userId: string): Promise<ActionOutcome> {
    const run = await this.deps.store.get(runId);
    if (!run) return { ok: false, message: `There is no run \`${runId}\`.` };
    if (isFinal(run.status)) return { ok: false, message: `Run \`${runId}\` already ended (${run.status}).` };
    const target = this.deps.catalog.get(run.app, run.env);
    if (!(await this.mayControl(run, userId))) {
      return {
        ok: false,
        message: `Only the requester or an approver for ${run.app} ${run.env} can cancel run \`${runId}\`.`,
      };
    }
    const updated = await this.deps.store.mutate(runId, (r) =>
      isFinal(r.status) || r.cancelRequestedBy ? undefined : { ...r, cancelRequestedBy: userId },
    );
    if (updated.cancelRequestedBy !== userId) {
      return {
        ok: false,
        message: `Run \`${runId}\` is already ${updated.cancelRequestedBy ? 'being cancelled' : updated.status}.`,
      };
    }
    await this.deps.audit.append({ type: 'cancel_requested', runId, user: userId });
    await this.publishWith(this.deps.editor, updated);
    await wakeRun(this.deps.queue, updated);
    const when = updated.status === 'running' ? 'after its current step' : 'now';
    return {
      ok: true,
      run: updated,
      message: `Run \`${runId}\` (${target?.app ?? run.app} ${run.env}) will stop ${when}.`,
    };
  }

  async retry(runId: string, userId: string): Promise<ActionOutcome> {
    const run = await this.deps.store.get(runId);
    if (!run) return { ok: false, message: `There is no run \`${runId}\`.` };
    if (run.status !== 'failed' || run.kind !== 'setup') {
      return { ok: false, message: `Run \`${runId}\` is ${run.status}; only a failed setup can be retried.` };
    }
    if (!(await this.mayControl(run, userId))) {
      return {
        ok: false,
        message: `Only the requester or an approver for ${run.app} ${run.env} can retry run \`${runId}\`.`,
      };
    }
    await this.deps.store.retakeLock(run);
    const updated = await this.deps.store.mutate(runId, (r) => {
      if (r.status !== 'failed') return undefined;
      const { error: _error, finishedAt: _finishedAt, ...rest } = r;
      return {
        ...rest,
        status: 'queued',
        attempt: r.attempt + 1,
        steps: r.steps.map((s) => (s.status === 'failed' ? { ...s, status: 'pending' } : s)),
      };
    });
    if (updated.status !== 'queued') {
      await this.deps.store.releaseLock(updated);
      return { ok: false, message: `Run \`${runId}\` is ${updated.status}; it was not retried.` };
    }
    await this.deps.audit.append({ type: 'run_retried', runId, user: userId, attempt: updated.attempt });
    await this.publishWith(this.deps.editor, updated);
    await enqueueRun(this.deps.queue, updated);
    return { ok: true, run: updated, message: `Retrying run \`${runId}\` from the step that failed.` };
  }

  async decide(
    runId: string,
    phase: ApprovalPhase,
    decision: Decision,
    userId: string,
  ): Promise<DecisionOutcome> {
    const outcome = await decideApproval(
      { runId, phase, decision, userId },
      {
        store: this.deps.store,
        audit: this.deps.audit,
        catalog: this.deps.catalog,
        approvers: this.deps.approvers,
        now: this.now,
      },
    );
    if (outcome.kind === 'decided') {
      await this.publishWith(this.deps.editor, outcome.run);
      await wakeRun(this.deps.queue, outcome.run);
    }
    return outcome;
  }

  private async mayControl(run: RunRecord, userId: string): Promise<boolean> {
    if (run.requestedBy === userId) return true;
    const target = this.deps.catalog.get(run.app, run.env);
    if (!target) return false;
    const { users, usergroups } = target.approval.approvers;
    if (users.length + usergroups.length === 0) return true;
    return this.deps.approvers.isApprover(target, userId);
  }

  private async publishWith(reporter: RunReporter, run: RunRecord): Promise<void> {
    try {
      const patch = await reporter.publish(run);
      if (patch) await this.deps.store.mutate(run.id, patch);
    } catch (error) {
      this.deps.logger.warn({ err: error, runId: run.id }, 'publishing run to Slack failed');
    }
  }
}
