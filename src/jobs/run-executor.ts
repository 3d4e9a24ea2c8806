import type { Catalog, Target } from '../config/catalog.js';
import { type BotError, toBotError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logging/logger.js';
import type { AuditLog } from './audit-log.js';
import type {
  ApprovalPhase,
  ApprovalRecord,
  Checkpoint,
  RunRecord,
  RunStatus,
  StepRecord,
} from './run-record.js';
import { isFinal } from './run-record.js';
import type { RunReporter } from './run-reporter.js';
import type { RunStore } from './run-store.js';
import type { RunPlan, StepContext, StepDefinition } from './step-definition.js';

/** Builds the steps for one run; `close` releases what they opened (one SSH connection per run). */
export interface RunPlanFactory {
  create(run: RunRecord, target: Target): { plan: RunPlan; close(): Promise<void> };
}

/** How a run waits for a human: park the job (Slack) or ask on the terminal (CLI). */
export interface ApprovalGate {
  /** 'wait' means the caller parks the run until `expiresAt` or a decision wakes it. */
  awaitDecision(run: RunRecord, approval: ApprovalRecord): Promise<'wait' | 'decided'>;
}

export interface RunExecutorDeps {
  store: RunStore;
  audit: AuditLog;
  reporter: RunReporter;
  catalog: Catalog;
  plans: RunPlanFactory;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
}

export type ExecutionOutcome = { kind: 'finished'; status: RunStatus } | { kind: 'parked'; until: number };

/** Thrown to hand a transient failure back to the queue, which retries with backoff. */
export class RetryableRunError extends Error {
  constructor(readonly error: BotError) {
    super(error.message);
  }
}

/**
 * Runs a run's steps from where its record says it is. Every transition is written to the run
 * record before the next side effect, so a killed worker's successor resumes in the same step and
 * the step's own checkpoint keeps it from repeating what it already did.
 */
export class RunExecutor {
  private readonly now: () => number;

  constructor(private readonly deps: RunExecutorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async execute(
    runId: string,
    options: { gate: ApprovalGate; canRetry: boolean },
  ): Promise<ExecutionOutcome> {
    let run = await this.mustGet(runId);
    if (isFinal(run.status)) return { kind: 'finished', status: run.status };
    const target = this.deps.catalog.get(run.app, run.env);
    if (!target) {
      return this.finish(run, 'failed', {
        step: 'preflight',
        code: 'target_not_configured',
        message: `${run.app} ${run.env} is no longer in the catalog.`,
      });
    }
    const { plan, close } = this.deps.plans.create(run, target);
    try {
      run = await this.initialiseSteps(run, plan.steps);
      return await this.executeSteps(run, target, plan, options);
    } finally {
      await close().catch((error: unknown) =>
        this.deps.logger.warn({ err: error, runId }, 'closing run resources failed'),
      );
    }
  }

  /** Ends a run whose job died outside any step (a bug, or Redis lost mid-transition). */
  async abandon(runId: string, reason: string): Promise<void> {
    const run = await this.mustGet(runId);
    if (isFinal(run.status)) return;
    const step = run.steps.find((s) => s.status === 'running')?.id ?? 'run';
    await this.finish(run, 'failed', { step, code: 'internal_error', message: reason });
  }

  private async executeSteps(
    initial: RunRecord,
    target: Target,
    plan: RunPlan,
    options: { gate: ApprovalGate; canRetry: boolean },
  ): Promise<ExecutionOutcome> {
    let run = initial;
    for (const step of plan.steps) {
      const record = run.steps.find((s) => s.id === step.id);
      if (record?.status === 'done' || record?.status === 'skipped') continue;
      if (run.cancelRequestedBy) return this.finish(run, 'cancelled');

      if (step.phase && this.phaseNeedsApproval(run, target, step, plan)) {
        const gated = await this.passGate(run, target, plan, step.phase, options.gate);
        if (gated.kind !== 'continue') return gated.outcome;
        run = gated.run;
        if (run.cancelRequestedBy) return this.finish(run, 'cancelled');
      }

      const result = await this.runStep(run, target, step, options.canRetry);
      if (result.kind === 'failed') return result.outcome;
      run = result.run;
    }
    return this.finish(run, 'succeeded');
  }

  private async runStep(
    initial: RunRecord,
    target: Target,
    step: StepDefinition,
    canRetry: boolean,
  ): Promise<{ kind: 'done'; run: RunRecord } | { kind: 'failed'; outcome: ExecutionOutcome }> {
    const started = this.now();
    let run = await this.updateStep(
      initial.id,
      step.id,
      (s) => ({
        ...s,
        status: 'running',
        startedAt: s.startedAt ?? started,
      }),
      'running',
    );
    await this.publish(run);
    const context = this.stepContext(run, target, step);
    try {
      const result = await step.run(context);
      run = await this.updateStep(run.id, step.id, (s) => ({
        ...s,
        status: 'done',
        summary: result.summary,
        details: result.details,
        finishedAt: this.now(),
      }));
      this.deps.metrics.stepDuration.observe(
        { step: step.id, outcome: 'done' },
        (this.now() - started) / 1000,
      );
      await this.deps.audit.append({
        type: 'step_finished',
        runId: run.id,
        step: step.id,
        outcome: 'done',
        summary: result.summary,
      });
      await this.publish(run);
      return { kind: 'done', run };
    } catch (thrown) {
      const error = toBotError(thrown);
      this.deps.metrics.stepDuration.observe(
        { step: step.id, outcome: 'error' },
        (this.now() - started) / 1000,
      );
      this.deps.logger.warn(
        { runId: run.id, step: step.id, code: error.code, detail: error.detail },
        error.userMessage,
      );
      if (error.retryable && canRetry) {
        run = await this.updateStep(run.id, step.id, (s) => ({
          ...s,
          summary: `${error.userMessage} Retrying…`,
        }));
        await this.publish(run);
        throw new RetryableRunError(error);
      }
      run = await this.updateStep(run.id, step.id, (s) => ({
        ...s,
        status: 'failed',
        summary: error.userMessage,
        finishedAt: this.now(),
      }));
      await this.deps.audit.append({
        type: 'step_finished',
        runId: run.id,
        step: step.id,
        outcome: 'failed',
        code: error.code,
      });
      return {
        kind: 'failed',
        outcome: await this.finish(run, 'failed', {
          step: step.id,
          code: error.code,
          message: error.userMessage,
        }),
      };
    }
  }

  private stepContext(run: RunRecord, target: Target, step: StepDefinition): StepContext {
    const record = run.steps.find((s) => s.id === step.id);
    const checkpoint: Checkpoint = { ...record?.checkpoint };
    return {
      run,
      target,
      checkpoint,
      logger: this.deps.logger.child({ runId: run.id, step: step.id }),
      saveCheckpoint: async (patch) => {
        Object.assign(checkpoint, patch);
        await this.updateStep(run.id, step.id, (s) => ({ ...s, checkpoint: { ...s.checkpoint, ...patch } }));
      },
      progress: async (summary) => {
        const updated = await this.updateStep(run.id, step.id, (s) => ({ ...s, summary }));
        await this.publish(updated);
      },
      cancelRequested: async () => Boolean((await this.mustGet(run.id)).cancelRequestedBy),
    };
  }

  private phaseNeedsApproval(run: RunRecord, target: Target, step: StepDefinition, plan: RunPlan): boolean {
    if (run.kind !== 'setup' || !target.approval.required) return false;
    const firstOfPhase = plan.steps.find((s) => s.phase === step.phase);
    return firstOfPhase?.id === step.id;
  }

  private async passGate(
    initial: RunRecord,
    target: Target,
    plan: RunPlan,
    phase: ApprovalPhase,
    gate: ApprovalGate,
  ): Promise<{ kind: 'continue'; run: RunRecord } | { kind: 'stop'; outcome: ExecutionOutcome }> {
    let run = initial;
    let approval = run.approvals.find((a) => a.phase === phase);
    if (!approval) {
      const preview = await plan.previewPhase(phase, {
        run,
        target,
        logger: this.deps.logger.child({ runId: run.id, phase }),
        cancelRequested: async () => Boolean((await this.mustGet(run.id)).cancelRequestedBy),
      });
      if (!preview.changes) return { kind: 'continue', run };
      run = await this.requestApproval(run, target, phase, preview.summary);
      approval = run.approvals.find((a) => a.phase === phase) as ApprovalRecord;
    }
    if (approval.status === 'pending' && this.now() >= approval.expiresAt) {
      run = await this.deps.store.mutate(run.id, (r) => ({
        ...r,
        approvals: r.approvals.map((a) =>
          a.phase === phase && a.status === 'pending' ? { ...a, status: 'expired' } : a,
        ),
      }));
      approval = run.approvals.find((a) => a.phase === phase) as ApprovalRecord;
    }
    if (approval.status === 'pending') {
      run = await this.setStatus(run, 'awaiting_approval');
      if ((await gate.awaitDecision(run, approval)) === 'wait') {
        return { kind: 'stop', outcome: { kind: 'parked', until: approval.expiresAt } };
      }
      run = await this.mustGet(run.id);
      approval = run.approvals.find((a) => a.phase === phase) as ApprovalRecord;
    }
    switch (approval.status) {
      case 'approved':
        return { kind: 'continue', run: await this.setStatus(run, 'running') };
      case 'rejected':
        return { kind: 'stop', outcome: await this.finish(run, 'rejected') };
      case 'expired':
        return { kind: 'stop', outcome: await this.finish(run, 'expired') };
      case 'cancelled':
        return { kind: 'stop', outcome: await this.finish(run, 'cancelled') };
      case 'pending':
        return { kind: 'stop', outcome: { kind: 'parked', until: approval.expiresAt } };
    }
  }

  private async requestApproval(
    run: RunRecord,
    target: Target,
    phase: ApprovalPhase,
    changes: string,
  ): Promise<RunRecord> {
    const requestedAt = this.now();
    const approval: ApprovalRecord = {
      phase,
      status: 'pending',
      changes,
      requestedAt,
      expiresAt: requestedAt + target.approval.ttlMinutes * 60_000,
    };
    const updated = await this.deps.store.mutate(run.id, (r) =>
      r.approvals.some((a) => a.phase === phase)
        ? undefined
        : { ...r, status: 'awaiting_approval', approvals: [...r.approvals, approval] },
    );
    await this.deps.audit.append({ type: 'approval_requested', runId: run.id, phase });
    return this.publish(updated);
  }

  private async initialiseSteps(run: RunRecord, steps: StepDefinition[]): Promise<RunRecord> {
    const updated = await this.deps.store.mutate(run.id, (r) => {
      const missing = steps.filter((step) => !r.steps.some((s) => s.id === step.id));
      const status: RunStatus = r.status === 'queued' ? 'running' : r.status;
      if (missing.length === 0 && status === r.status) return undefined;
      const added: StepRecord[] = missing.map((step) => ({
        id: step.id,
        title: step.title,
        status: 'pending',
      }));
      return { ...r, status, steps: [...r.steps, ...added] };
    });
    return this.publish(updated);
  }

  private async finish(
    run: RunRecord,
    status: RunStatus,
    error?: RunRecord['error'],
  ): Promise<ExecutionOutcome> {
    const finished = await this.deps.store.mutate(run.id, (r) =>
      isFinal(r.status)
        ? undefined
        : {
            ...r,
            status,
            error,
            finishedAt: this.now(),
            approvals: r.approvals.map((a) =>
              a.status === 'pending' ? { ...a, status: closedApprovalStatus(status) } : a,
            ),
          },
    );
    if (finished.status === status) {
      this.deps.metrics.runs.inc({ kind: finished.kind, status });
      await this.deps.audit.append({
        type: 'run_finished',
        runId: run.id,
        status,
        step: error?.step,
        code: error?.code,
      });
    }
    await this.publish(finished);
    return { kind: 'finished', status: finished.status };
  }

  private async setStatus(run: RunRecord, status: RunStatus): Promise<RunRecord> {
    if (run.status === status) return run;
    const updated = await this.deps.store.mutate(run.id, (r) =>
      isFinal(r.status) ? undefined : { ...r, status },
    );
    return this.publish(updated);
  }

  private updateStep(
    runId: string,
    stepId: string,
    change: (step: StepRecord) => StepRecord,
    runStatus?: RunStatus,
  ): Promise<RunRecord> {
    return this.deps.store.mutate(runId, (r) => ({
      ...r,
      status: runStatus ?? r.status,
      steps: r.steps.map((s) => (s.id === stepId ? change(s) : s)),
    }));
  }

  /** Mirrors the run to its audience (Slack thread or terminal); a failure there never fails the run. */
  private async publish(run: RunRecord): Promise<RunRecord> {
    try {
      const patch = await this.deps.reporter.publish(run);
      if (!patch) return run;
      return await this.deps.store.mutate(run.id, patch);
    } catch (error) {
      this.deps.logger.warn({ err: error, runId: run.id }, 'publishing run progress failed');
      return run;
    }
  }

  private async mustGet(runId: string): Promise<RunRecord> {
    const run = await this.deps.store.get(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    return run;
  }
}

function closedApprovalStatus(status: RunStatus): ApprovalRecord['status'] {
  if (status === 'rejected') return 'rejected';
  if (status === 'expired') return 'expired';
  return 'cancelled';
}
