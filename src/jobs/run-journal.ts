import { BotError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../logging/metrics.js';
import type { AuditLog } from './audit-log.js';
import { AUDIENCE_UNREACHABLE, type RunReporter } from './ports.js';
import { isFinal, type RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import type { Transition } from './run-transitions.js';

export interface RunJournalDeps {
  store: RunStore;
  audit: AuditLog;
  metrics: Metrics;
  reporter: RunReporter;
  logger: Logger;
}

/**
 * The one door every run transition passes through, always in this order: change the record
 * (counting a new revision when the change is to be shown), then the audit trail and metrics,
 * then tell the reporter, which never waits on Slack: a step's progress is in the record at once
 * and Slack catches up apart from the run.
 */
export class RunJournal {
  constructor(private readonly deps: RunJournalDeps) {}

  /** Stores a new run (a setup takes its pair's lock, or throws RunConflictError). */
  async open(run: RunRecord): Promise<RunRecord> {
    await this.deps.store.create(run);
    await this.deps.audit.append({
      type: 'run_requested',
      runId: run.id,
      kind: run.kind,
      app: run.app,
      env: run.env,
      user: run.requestedBy,
    });
    return run;
  }

  async record(runId: string, transition: Transition, options: { show?: boolean } = {}): Promise<RunRecord> {
    return (await this.apply(runId, transition, options)).run;
  }

  /** Like `record`, and also says whether the transition applied. */
  async apply(
    runId: string,
    transition: Transition,
    options: { show?: boolean } = {},
  ): Promise<{ run: RunRecord; changed: boolean }> {
    const shown = options.show !== false;
    const { run, before, changed } = await this.deps.store.apply(runId, (r) => {
      const next = transition.apply(r);
      return next && shown ? { ...next, revision: (r.revision ?? 0) + 1 } : next;
    });
    if (changed) {
      if (transition.audit) await this.deps.audit.append(transition.audit(run));
      this.observe(before, run);
      if (shown) await this.show(run);
    }
    return { run, changed };
  }

  /** Tells the reporter the run is to be shown as it is now; a failure to do so never fails the run. */
  async show(run: RunRecord): Promise<void> {
    await this.deps.reporter
      .changed(run)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error, runId: run.id }, 'queueing run progress for Slack failed'),
      );
  }

  /**
   * Shows the run's first message now (the status card) and stores its id. An audience the bot
   * cannot reach at all is thrown to the caller; any other failure only delays the card, which the
   * publisher then posts.
   */
  async announce(run: RunRecord): Promise<RunRecord> {
    try {
      const change = await this.deps.reporter.announce(run);
      return change ? await this.deps.store.mutate(run.id, change) : run;
    } catch (error) {
      if (error instanceof BotError && error.code === AUDIENCE_UNREACHABLE) throw error;
      this.deps.logger.warn(
        { err: error, runId: run.id },
        'posting the status card failed; posting it later',
      );
      await this.show(run);
      return run;
    }
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return this.deps.store.get(runId);
  }

  async mustGet(runId: string): Promise<RunRecord> {
    const run = await this.deps.store.get(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    return run;
  }

  private observe(before: RunRecord, after: RunRecord): void {
    if (isFinal(after.status) && !isFinal(before.status)) {
      this.deps.metrics.runs.inc({ kind: after.kind, status: after.status });
    }
    for (const step of after.steps) {
      const previous = before.steps.find((s) => s.id === step.id);
      const ended = (step.status === 'done' || step.status === 'failed') && previous?.status !== step.status;
      if (!ended || step.startedAt === undefined || step.finishedAt === undefined) continue;
      this.deps.metrics.stepDuration.observe(
        { step: step.id, outcome: step.status === 'done' ? 'done' : 'error' },
        (step.finishedAt - step.startedAt) / 1000,
      );
    }
  }
}
