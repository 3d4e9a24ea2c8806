import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { RetryableRunError, type RunExecutor } from './run-executor.js';
import { RUN_QUEUE_NAME, type RunJobData } from './run-queue.js';
import type { RunStore } from './run-store.js';

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
 * its expiry, so it holds no worker slot; a decision promotes it early. A run waiting on a pull
 * request is moved there until its next check.
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
      // A step that polls comes back on its own; only a decision can arrive while the job was active.
      if (!outcome.polling) await promoteIfDecidedMeanwhile(job, options.store, runId);
      throw new DelayedError();
    }
  } catch (error) {
    if (error instanceof DelayedError) throw error;
    if (error instanceof RetryableRunError) throw error;
    options.logger.error({ err: error, runId }, 'run failed unexpectedly');
    await options.executor
      .abandon(runId, {
        code: 'internal_error',
        message: 'The run stopped on an internal error; the details are in the bot logs. Retry resumes it.',
      })
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
