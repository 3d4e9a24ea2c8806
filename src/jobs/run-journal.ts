import { BotError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../logging/metrics.js';
import type { AuditLog } from './audit-log.js';
import { AUDIENCE_UNREACHABLE, PublishIncompleteError, type RunReporter } from './ports.js';
import { isFinal, type RunRecord } from './run-record.js';
import type { RunChange, RunStore } from './run-store.js';
import type { Transition } from './run-transitions.js';

export interface RunJournalDeps {
  store: RunStore;
  audit: AuditLog;
  metrics: Metrics;
  reporter: RunReporter;
  logger: Logger;
  /** Whether this process posts new messages (the worker) or only edits them (click handlers). */
  post: boolean;
}

/**
 * The one door every run transition passes through, always in this order: change the record,
 * then the audit trail and metrics, then show it (Slack or terminal), then store the message ids
 * that showing it produced.
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
    const { run, before, changed } = await this.deps.store.apply(runId, (r) => transition.apply(r));
    if (changed) {
      if (transition.audit) await this.deps.audit.append(transition.audit(run));
      this.observe(before, run);
    }
    return { run: options.show === false ? run : await this.show(run), changed };
  }

  /**
   * Shows the run as it is; a failure to show it never fails the run, unless `strict`, when an
   * unreachable audience is thrown to the caller. What was shown before a failure is kept.
   */
  async show(run: RunRecord, options: { post?: boolean; strict?: boolean } = {}): Promise<RunRecord> {
    try {
      const patch = await this.deps.reporter.publish(run, { post: options.post ?? this.deps.post });
      return patch ? await this.deps.store.mutate(run.id, patch) : run;
    } catch (error) {
      const shown = error instanceof PublishIncompleteError ? await this.keep(run, error.change) : run;
      const reason = error instanceof PublishIncompleteError ? error.reason : error;
      if (options.strict && reason instanceof BotError && reason.code === AUDIENCE_UNREACHABLE) throw reason;
      this.deps.logger.warn({ err: reason, runId: run.id }, 'publishing run progress failed');
      return shown;
    }
  }

  private async keep(run: RunRecord, change: RunChange): Promise<RunRecord> {
    return this.deps.store.mutate(run.id, change).catch(() => run);
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
