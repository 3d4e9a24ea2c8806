import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../../logging/logger.js';

export const WATCH_QUEUE_NAME = 'watch';
const SCHEDULER_PREFIX = 'watch:';

/** A check's job carries the pair and who asked, never anything read from the services. */
const watchJobSchema = z.object({
  app: z.string(),
  env: z.string(),
  requested: z.object({ channel: z.string(), userId: z.string() }).optional(),
});
export type WatchJobData = z.infer<typeof watchJobSchema>;

export function createWatchQueue(connection: Redis, prefix: string): Queue<WatchJobData> {
  return new Queue<WatchJobData>(WATCH_QUEUE_NAME, {
    connection,
    prefix: `${prefix}:bull`,
    // A check that fails is simply the next one's to repeat: no retries, little history.
    defaultJobOptions: { attempts: 1, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } },
  });
}

/** One pair and its interval; `everyMs` undefined: the pair is not watched. */
export interface WatchedPair {
  app: string;
  env: string;
  everyMs: number | undefined;
}

function schedulerId(pair: { app: string; env: string }): string {
  return `${SCHEDULER_PREFIX}${pair.app}/${pair.env}`;
}

/**
 * Makes the queue's job schedulers match the catalog: one per watched pair (BullMQ produces one job
 * per interval for a scheduler, however many workers and processes share the queue), none for a
 * pair turned off or gone. Every process may call it at start: upserting is idempotent.
 */
export async function syncWatchSchedules(
  queue: Queue<WatchJobData>,
  pairs: readonly WatchedPair[],
): Promise<void> {
  const wanted = new Set<string>();
  for (const pair of pairs) {
    if (pair.everyMs === undefined) continue;
    const id = schedulerId(pair);
    wanted.add(id);
    await queue.upsertJobScheduler(
      id,
      { every: pair.everyMs },
      { name: 'scheduled-check', data: { app: pair.app, env: pair.env } },
    );
  }
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
}

/** `/retirement check`: a check now, on whichever worker is free. */
export async function requestCheck(queue: Queue<WatchJobData>, data: WatchJobData): Promise<void> {
  await queue.add('requested-check', data);
}

export interface WatchWorkerOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  concurrency: number;
  handle(data: WatchJobData): Promise<void>;
}

export function createWatchWorker(options: WatchWorkerOptions): Worker<WatchJobData> {
  const worker = new Worker<WatchJobData>(
    WATCH_QUEUE_NAME,
    async (job: Job<WatchJobData>) => {
      const data = watchJobSchema.parse(job.data);
      await options.handle(data);
    },
    { connection: options.connection, prefix: `${options.prefix}:bull`, concurrency: options.concurrency },
  );
  worker.on('failed', (job, error) =>
    options.logger.warn({ err: error, app: job?.data.app, env: job?.data.env }, 'drift check failed'),
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'watch worker error'));
  return worker;
}
