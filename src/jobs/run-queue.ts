import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { RetryableRunError, type RunExecutor } from './run-executor.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

export const RUN_QUEUE_NAME = 'runs';

/** Job data is the run id and nothing else: BullMQ keeps job data in Redis in clear text. */
export interface RunJobData {
  runId: string;
}

/** Transient failures (timeouts, 5xx, refused connections) get this many tries with backoff. */
export const RUN_ATTEMPTS = 4;

export function runJobId(run: Pick<RunRecord, 'id' | 'attempt'>): string {
  return `${run.id}-${run.attempt}`;
}

export function createRunQueue(connection: Redis, prefix: string): Queue<RunJobData> {
  return new Queue<RunJobData>(RUN_QUEUE_NAME, {
    connection,
    prefix: `${prefix}:bull`,
    defaultJobOptions: {
      attempts: RUN_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });
}

/** Adds the job for the run's current attempt; adding it twice is a no-op (same job id). */
export async function enqueueRun(queue: Queue<RunJobData>, run: RunRecord): Promise<void> {
  await queue.add(run.kind, { runId: run.id }, { jobId: runJobId(run) });
}

/** Wakes a run parked for an approval, so it acts on the decision now rather than at expiry. */
export async function wakeRun(queue: Queue<RunJobData>, run: RunRecord): Promise<void> {
  const job = await queue.getJob(runJobId(run));
  if (job && (await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
}

export interface RunWorkerOptions {
  connection: Redis;
  prefix: string;
  executor: RunExecutor;
  store: RunStore;
  logger: Logger;
  concurrency: number;
  /** Lower in tests so a killed worker's jobs are picked up quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * The BullMQ worker that drives runs. A run waiting for approval is moved to the delayed set until
 * its expiry, so it holds no worker slot; a decision promotes it early.
 */
export function createRunWorker(options: RunWorkerOptions): Worker<RunJobData> {
  const worker = new Worker<RunJobData>(RUN_QUEUE_NAME, (job, token) => processRunJob(job, token, options), {
    connection: options.connection,
    prefix: `${options.prefix}:bull`,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 60_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A run resumes from its record, so a stalled job is safe to pick up again, more than once.
    maxStalledCount: 10,
  });
  worker.on('error', (error) => options.logger.error({ err: error }, 'run worker error'));
  return worker;
}

async function processRunJob(
  job: Job<RunJobData>,
  token: string | undefined,
  options: RunWorkerOptions,
): Promise<void> {
  const { runId } = job.data;
  const canRetry = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
  try {
    const outcome = await options.executor.execute(runId, {
      gate: { awaitDecision: async () => 'wait' },
      canRetry,
    });
    if (outcome.kind === 'parked') {
      await job.moveToDelayed(outcome.until, token);
      await promoteIfDecidedMeanwhile(job, options.store, runId);
      throw new DelayedError();
    }
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    if (error instanceof RetryableRunError) throw error;
    options.logger.error({ err: error, runId }, 'run failed unexpectedly');
    await options.executor
      .abandon(
        runId,
        'The run stopped on an internal error; the details are in the bot logs. Retry resumes it.',
      )
      .catch((abandonError: unknown) =>
        options.logger.error({ err: abandonError, runId }, 'could not mark the run failed'),
      );
    throw new UnrecoverableError('run failed unexpectedly; see the bot logs');
  }
}

/** A click that landed while the job was still active found nothing to promote; catch it up here. */
async function promoteIfDecidedMeanwhile(
  job: Job<RunJobData>,
  store: RunStore,
  runId: string,
): Promise<void> {
  const run = await store.get(runId);
  const waiting = run?.approvals.some((approval) => approval.status === 'pending');
  if (run && !waiting) await job.promote().catch(() => undefined);
}
