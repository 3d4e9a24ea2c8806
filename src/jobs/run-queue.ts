import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunScheduler } from './ports.js';
import type { RunRecord } from './run-record.js';

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
      // Job data is only a run id (the run record is the history), so jobs need not live long.
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
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

const LIVE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

export async function runJobState(
  queue: Queue<RunJobData>,
  run: RunRecord,
): Promise<'live' | 'ended' | 'missing'> {
  const job = await queue.getJob(runJobId(run));
  if (!job) return 'missing';
  return LIVE_STATES.includes(await job.getState()) ? 'live' : 'ended';
}

export function queueScheduler(queue: Queue<RunJobData>): RunScheduler {
  return {
    enqueue: (run) => enqueueRun(queue, run),
    wake: (run) => wakeRun(queue, run),
    jobState: (run) => runJobState(queue, run),
  };
}
