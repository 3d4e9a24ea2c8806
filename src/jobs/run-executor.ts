import type { Catalog, Target } from '../config/catalog.js';
import { type BotError, toBotError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { passApprovalGate, phaseNeedsApproval } from './approval-policy.js';
import type { ApprovalGate, RunPlanFactory } from './ports.js';
import type { RunJournal } from './run-journal.js';
import { RunParked } from './run-parked.js';
import { isFinal, type RunError, type RunRecord, type RunStatus } from './run-record.js';
import {
  beginRun,
  completeStep,
  failStep,
  finishRun,
  parkStep,
  saveStepCheckpoint,
  showStepProgress,
  startStep,
} from './run-transitions.js';
import type { RunPlan, StepContext, StepDefinition } from './step-definition.js';

export interface RunExecutorDeps {
  journal: RunJournal;
  catalog: Catalog;
  plans: RunPlanFactory;
  logger: Logger;
  now?: () => number;
}

/** `polling`: parked by a step that checks again at `until`, rather than waiting for a decision. */
export type ExecutionOutcome =
  | { kind: 'finished'; status: RunStatus }
  | { kind: 'parked'; until: number; polling?: boolean };

export interface ExecuteOptions {
  gate: ApprovalGate;
  /** False on the job's last attempt: a transient failure then fails the run. */
  canRetry: boolean;
}

/** Thrown to hand a transient failure back to the queue, which retries with backoff. */
export class RetryableRunError extends Error {
  constructor(readonly error: BotError) {
    super(error.message);
  }
}

type StepOutcome = { kind: 'done'; run: RunRecord } | { kind: 'failed'; outcome: ExecutionOutcome };

/**
 * Runs a run's steps from where its record says it is. Every transition is recorded before the
 * next side effect, so a killed worker's successor resumes in the same step and the step's own
 * checkpoint keeps it from repeating what it already did.
 */
export class RunExecutor {
  private readonly now: () => number;

  constructor(private readonly deps: RunExecutorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async execute(runId: string, options: ExecuteOptions): Promise<ExecutionOutcome> {
    let run = await this.deps.journal.mustGet(runId);
    if (isFinal(run.status)) return { kind: 'finished', status: run.status };
    const target = this.deps.catalog.get(run.app, run.env);
    if (!target) {
      return this.finish(run, 'failed', {
        step: 'preflight',
        code: 'target_not_configured',
        message: `${run.app} ${run.env} is no longer in the catalog.`,
        remedy: `Add ${run.app} ${run.env} back to the catalog and restart the bot, or leave the pair alone.`,
      });
    }
    const { plan, close } = this.deps.plans.create(run, target);
    try {
      run = await this.deps.journal.record(run.id, beginRun(plan.steps));
      return await this.executeSteps(run, target, plan, options);
    } finally {
      await close().catch((error: unknown) =>
        this.deps.logger.warn({ err: error, runId }, 'closing run resources failed'),
      );
    }
  }

  /** Ends a run whose executor stopped outside any step (a bug, or a lost connection). */
  async abandon(runId: string, reason: { code: string; message: string }): Promise<void> {
    const run = await this.deps.journal.mustGet(runId);
    if (isFinal(run.status)) return;
    const step = run.steps.find((s) => s.status === 'running')?.id ?? 'run';
    await this.finish(run, 'failed', { step, ...reason });
  }

  private async executeSteps(
    initial: RunRecord,
    target: Target,
    plan: RunPlan,
    options: ExecuteOptions,
  ): Promise<ExecutionOutcome> {
    let run = initial;
    for (const step of plan.steps) {
      const record = run.steps.find((s) => s.id === step.id);
      if (record?.status === 'done' || record?.status === 'skipped') continue;
      if (run.cancelRequestedBy) return this.finish(run, 'cancelled');
      if (step.phase && phaseNeedsApproval(run, target, step)) {
        const gate = await passApprovalGate(run, target, plan, step.phase, options.gate, {
          journal: this.deps.journal,
          logger: this.deps.logger,
          now: this.now,
        });
        if (gate.kind === 'parked') return gate;
        if (gate.kind === 'ended') return { kind: 'finished', status: gate.run.status };
        run = gate.run;
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
  ): Promise<StepOutcome> {
    const { journal } = this.deps;
    const run = await journal.record(initial.id, startStep(step.id, this.now()));
    try {
      const result = await step.run(this.stepContext(run, target, step));
      return { kind: 'done', run: await journal.record(run.id, completeStep(step.id, result, this.now())) };
    } catch (thrown) {
      if (thrown instanceof RunParked) {
        await journal.record(run.id, parkStep(step.id, thrown.summary, thrown.until));
        return { kind: 'failed', outcome: { kind: 'parked', until: thrown.until, polling: true } };
      }
      const error = toBotError(thrown);
      this.deps.logger.warn(
        { runId: run.id, step: step.id, code: error.code, detail: error.detail },
        error.userMessage,
      );
      if (error.retryable && canRetry) {
        await journal.record(run.id, showStepProgress(step.id, `${error.userMessage} Retrying…`));
        throw new RetryableRunError(error);
      }
      const failed = await journal.record(
        run.id,
        failStep(step.id, { code: error.code, message: error.userMessage }, this.now()),
      );
      const outcome = await this.finish(failed, 'failed', {
        step: step.id,
        code: error.code,
        message: error.userMessage,
        ...(error.remedy ? { remedy: error.remedy } : {}),
        ...(error.links.length > 0 ? { links: [...error.links] } : {}),
      });
      return { kind: 'failed', outcome };
    }
  }

  private stepContext(run: RunRecord, target: Target, step: StepDefinition): StepContext {
    const { journal } = this.deps;
    const checkpoint = { ...run.steps.find((s) => s.id === step.id)?.checkpoint };
    return {
      run,
      target,
      checkpoint,
      logger: this.deps.logger.child({ runId: run.id, step: step.id }),
      saveCheckpoint: async (patch) => {
        Object.assign(checkpoint, patch);
        await journal.record(run.id, saveStepCheckpoint(step.id, patch), { show: false });
      },
      progress: async (summary) => {
        await journal.record(run.id, showStepProgress(step.id, summary));
      },
      cancelRequested: async () => Boolean((await journal.mustGet(run.id)).cancelRequestedBy),
    };
  }

  private async finish(run: RunRecord, status: RunStatus, error?: RunError): Promise<ExecutionOutcome> {
    const finished = await this.deps.journal.record(run.id, finishRun(status, error, this.now()));
    return { kind: 'finished', status: finished.status };
  }
}
