import type { Catalog } from '../config/catalog.js';
import type { Env } from '../config/env.js';
import type { RunPlanFactory, RunScheduler } from '../jobs/ports.js';
import type { PublishBacklog } from '../jobs/publish-backlog.js';
import { RunExecutor } from '../jobs/run-executor.js';
import type { RunJournal } from '../jobs/run-journal.js';
import { reconcileRuns } from '../jobs/run-reconciler.js';
import type { RunStore } from '../jobs/run-store.js';
import { createRunWorker } from '../jobs/run-worker.js';
import type { Logger } from '../logging/logger.js';
import type { RedisConnections } from './redis-connections.js';

/** How often a worker process looks for runs a crash left without a job or a lock without a run. */
export interface ReconcileTiming {
  intervalMs: number;
  /** Runs younger than this are left alone: their request may still be on its way to the queue. */
  graceMs: number;
}

export const DEFAULT_RECONCILE_TIMING: ReconcileTiming = { intervalMs: 60_000, graceMs: 30_000 };

export interface RunWorkerProcessOptions {
  env: Env;
  catalog: Catalog;
  plans: RunPlanFactory;
  logger: Logger;
  redis: RedisConnections;
  store: RunStore;
  journal: RunJournal;
  scheduler: RunScheduler;
  backlog?: PublishBacklog;
  workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
  reconcile: ReconcileTiming;
}

/** The run worker of a `start` or `worker` process, with its reconciler on a timer. */
export function startRunWorker(options: RunWorkerProcessOptions): { close(): Promise<void> } {
  const { env, logger, store, journal } = options;
  const executor = new RunExecutor({ journal, catalog: options.catalog, plans: options.plans, logger });
  const worker = createRunWorker({
    connection: options.redis.queue,
    prefix: env.REDIS_PREFIX,
    executor,
    store,
    logger,
    concurrency: env.WORKER_CONCURRENCY,
    lockDurationMs: options.workerTiming?.lockDurationMs ?? env.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: options.workerTiming?.stalledIntervalMs ?? env.WORKER_STALLED_INTERVAL_MS,
  });
  const reconcile = () =>
    reconcileRuns({
      store,
      journal,
      scheduler: options.scheduler,
      backlog: options.backlog,
      logger,
      graceMs: options.reconcile.graceMs,
    }).catch((error: unknown) => logger.warn({ err: error }, 'reconciling runs failed'));
  void reconcile();
  const timer = setInterval(reconcile, options.reconcile.intervalMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}
