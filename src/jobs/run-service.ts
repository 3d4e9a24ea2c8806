import type { Catalog, Target } from '../config/catalog.js';
import { BotError, toBotError } from '../errors.js';
import { type DecisionOutcome, type DecisionRequest, decideApproval } from './approval-decision.js';
import type { ApproverDirectory } from './approver-directory.js';
import type { RunScheduler } from './ports.js';
import { newRunId } from './run-id.js';
import type { RunJournal } from './run-journal.js';
import { changesThings, isFinal, newRunRecord, type RunKind, type RunRecord } from './run-record.js';
import { RunConflictError, type RunStore } from './run-store.js';
import { finishRun, requestCancel, retryRun } from './run-transitions.js';

export interface RunServiceDeps {
  journal: RunJournal;
  store: RunStore;
  scheduler: RunScheduler;
  catalog: Catalog;
  approvers: ApproverDirectory;
  now?: () => number;
}

/** How long a terminal run's lease lasts unless its process renews it. */
const TERMINAL_LEASE_MS = 30_000;

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
    options: { breakGlass?: boolean } = {},
  ): Promise<RunRecord> {
    const run = newRunRecord({
      id: newRunId(),
      kind,
      app: target.app,
      env: target.env,
      requestedBy,
      channel,
      now: this.now(),
      ...(options.breakGlass ? { breakGlass: true } : {}),
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
      await this.deps.journal.announce(run);
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
    const { run: updated, changed } = await this.deps.journal.apply(runId, requestCancel(userId));
    if (!changed) {
      return {
        ok: false,
        message: `Run \`${runId}\` is already ${updated.cancelRequestedBy ? 'being cancelled' : updated.status}.`,
      };
    }
    if (!(await this.hasLiveExecutor(updated))) {
      // Nothing would ever act on the request: end the run here, freeing its pair.
      const ended = await this.deps.journal.record(runId, finishRun('cancelled', undefined, this.now()));
      return { ok: true, run: ended, message: `Run \`${runId}\` (${run.app} ${run.env}) is cancelled.` };
    }
    await this.deps.scheduler.wake(updated);
    const when = updated.status === 'running' ? 'after its current step' : 'now';
    return { ok: true, run: updated, message: `Run \`${runId}\` (${run.app} ${run.env}) will stop ${when}.` };
  }

  async retry(runId: string, userId: string): Promise<ActionOutcome> {
    const run = await this.deps.journal.get(runId);
    if (!run) return { ok: false, message: `There is no run \`${runId}\`.` };
    if (run.status !== 'failed' || !changesThings(run.kind)) {
      return {
        ok: false,
        message: `Run \`${runId}\` is ${run.status}; only a failed setup or rotate can be retried.`,
      };
    }
    const refusal = await this.controlRefusal(run, userId, 'retry');
    if (refusal) return { ok: false, message: refusal };
    try {
      await this.deps.store.retakeLock(run);
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
      return {
        ok: false,
        message: `Run \`${runId}\` cannot be retried: ${run.app} ${run.env} now has run \`${error.holderRunId}\` in progress. Follow that run, or cancel it first.`,
      };
    }
    const { run: updated, changed } = await this.deps.journal.apply(runId, retryRun(userId, this.now()));
    if (!changed) {
      // Another click won the retry and holds the lock now; only a run that ended gives it back.
      if (isFinal(updated.status)) await this.deps.store.releaseLock(updated);
      return {
        ok: false,
        message: `Run \`${runId}\` is already ${updated.status === 'failed' ? 'failed' : `being retried (attempt ${updated.attempt})`}; nothing more to do.`,
      };
    }
    await this.deps.scheduler.enqueue(updated);
    return { ok: true, run: updated, message: `Retrying run \`${runId}\` from the step that failed.` };
  }

  async decide(request: DecisionRequest): Promise<DecisionOutcome> {
    const outcome = await decideApproval(request, {
      journal: this.deps.journal,
      catalog: this.deps.catalog,
      approvers: this.deps.approvers,
      now: this.now,
    });
    if (outcome.kind === 'decided') await this.deps.scheduler.wake(outcome.run);
    return outcome;
  }

  /**
   * Keeps a terminal run's lease while its process works on it; the reconciler ends a run whose
   * lease lapsed (the process was killed). Returns the function that stops renewing it.
   */
  keepAlive(runId: string): () => Promise<void> {
    const renew = () => this.deps.store.holdLease(runId, TERMINAL_LEASE_MS).catch(() => undefined);
    void renew();
    const timer = setInterval(renew, TERMINAL_LEASE_MS / 3);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.deps.store.dropLease(runId).catch(() => undefined);
    };
  }

  private async hasLiveExecutor(run: RunRecord): Promise<boolean> {
    if (!run.channel) return this.deps.store.hasLease(run.id);
    return (await this.deps.scheduler.jobState(run)) === 'live';
  }

  /**
   * Why `userId` may not cancel or retry the run, or undefined when they may: the requester, the
   * pair's approvers and its operators may; nobody else, whatever the pair's approval policy.
   */
  private async controlRefusal(run: RunRecord, userId: string, verb: string): Promise<string | undefined> {
    if (run.requestedBy === userId) return undefined;
    const refusal = `Only the requester or an approver or operator for ${run.app} ${run.env} can ${verb} run \`${run.id}\`.`;
    const target = this.deps.catalog.get(run.app, run.env);
    if (!target) return refusal;
    try {
      const allowed =
        (await this.deps.approvers.isApprover(target, userId)) ||
        (await this.deps.approvers.isOperator(target, userId));
      return allowed ? undefined : refusal;
    } catch (error) {
      if (error instanceof BotError) return error.userMessage;
      throw error;
    }
  }
}
