import type { Catalog, Target } from '../config/catalog.js';
import { BotError, toBotError } from '../errors.js';
import { type Decision, type DecisionOutcome, decideApproval } from './approval-decision.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { RunScheduler } from './ports.js';
import { newRunId } from './run-id.js';
import type { RunJournal } from './run-journal.js';
import { type ApprovalPhase, isFinal, newRunRecord, type RunKind, type RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import { finishRun, requestCancel, retryRun } from './run-transitions.js';

export interface RunServiceDeps {
  /** Edits the messages a run already has; only `launch` posts (the status card). */
  journal: RunJournal;
  store: RunStore;
  scheduler: RunScheduler;
  catalog: Catalog;
  approvers: ApproverDirectory;
  now?: () => number;
}

export type ActionOutcome = { ok: true; message: string; run: RunRecord } | { ok: false; message: string };

/** What the surfaces (Slack, the terminal) can ask of runs: request, launch, cancel, retry, decide. */
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
    return this.deps.journal.open(run);
  }

  /**
   * Posts the status card, then queues the job. A passing Slack failure only delays the card; an
   * audience the bot cannot reach at all (not in the channel) ends the run before it starts, since
   * nobody could follow it or click its approval buttons.
   */
  async launch(run: RunRecord): Promise<{ ok: true } | { ok: false; message: string }> {
    try {
      await this.deps.journal.show(run, { post: true, strict: true });
    } catch (error) {
      const reason = toBotError(error);
      await this.deps.journal.record(
        run.id,
        finishRun('failed', { step: 'request', code: reason.code, message: reason.userMessage }, this.now()),
        { show: false },
      );
      return { ok: false, message: reason.userMessage };
    }
    await this.deps.scheduler.enqueue(run);
    return { ok: true };
  }

  async cancel(runId: string, userId: string): Promise<ActionOutcome> {
    const run = await this.deps.journal.get(runId);
    if (!run) return { ok: false, message: `There is no run \`${runId}\`.` };
    if (isFinal(run.status)) return { ok: false, message: `Run \`${runId}\` already ended (${run.status}).` };
    const refusal = await this.controlRefusal(run, userId, 'cancel');
    if (refusal) return { ok: false, message: refusal };
    const { run: updated, changed } = await this.deps.journal.apply(runId, requestCancel(userId), {
      show: false,
    });
    if (!changed) {
      return {
        ok: false,
        message: `Run \`${runId}\` is already ${updated.cancelRequestedBy ? 'being cancelled' : updated.status}.`,
      };
    }
    await this.deps.journal.show(updated);
    await this.deps.scheduler.wake(updated);
    const when = updated.status === 'running' ? 'after its current step' : 'now';
    return { ok: true, run: updated, message: `Run \`${runId}\` (${run.app} ${run.env}) will stop ${when}.` };
  }

  async retry(runId: string, userId: string): Promise<ActionOutcome> {
    const run = await this.deps.journal.get(runId);
    if (!run) return { ok: false, message: `There is no run \`${runId}\`.` };
    if (run.status !== 'failed' || run.kind !== 'setup') {
      return { ok: false, message: `Run \`${runId}\` is ${run.status}; only a failed setup can be retried.` };
    }
    const refusal = await this.controlRefusal(run, userId, 'retry');
    if (refusal) return { ok: false, message: refusal };
    await this.deps.store.retakeLock(run);
    const { run: updated, changed } = await this.deps.journal.apply(runId, retryRun(userId), { show: false });
    if (!changed) {
      await this.deps.store.releaseLock(updated);
      return { ok: false, message: `Run \`${runId}\` is ${updated.status}; it was not retried.` };
    }
    await this.deps.journal.show(updated);
    await this.deps.scheduler.enqueue(updated);
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
        journal: this.deps.journal,
        catalog: this.deps.catalog,
        approvers: this.deps.approvers,
        now: this.now,
      },
    );
    if (outcome.kind === 'decided') {
      await this.deps.journal.show(outcome.run);
      await this.deps.scheduler.wake(outcome.run);
    }
    return outcome;
  }

  /** Why `userId` may not cancel or retry the run, or undefined when they may. */
  private async controlRefusal(run: RunRecord, userId: string, verb: string): Promise<string | undefined> {
    if (run.requestedBy === userId) return undefined;
    const refusal = `Only the requester or an approver for ${run.app} ${run.env} can ${verb} run \`${run.id}\`.`;
    const target = this.deps.catalog.get(run.app, run.env);
    if (!target) return refusal;
    const { users, usergroups } = target.approval.approvers;
    if (users.length + usergroups.length === 0) return undefined;
    try {
      return (await this.deps.approvers.isApprover(target, userId)) ? undefined : refusal;
    } catch (error) {
      if (error instanceof BotError) return error.userMessage;
      throw error;
    }
  }
}
