import type { webApi } from '@slack/bolt';
import type { Catalog } from '../config/catalog.js';
import { watchIntervalMs } from '../config/catalog-schema.js';
import type { Env } from '../config/env.js';
import { ApproverDirectory } from '../jobs/approver-directory.js';
import type { RunStore } from '../jobs/run-store.js';
import { readBoard } from '../jobs/watch/board.js';
import { BoardViewers } from '../jobs/watch/board-viewers.js';
import type { PairChecker } from '../jobs/watch/drift-check.js';
import { exportHealthMetrics } from '../jobs/watch/health-metrics.js';
import { HealthStore } from '../jobs/watch/health-store.js';
import {
  createWatchQueue,
  createWatchWorker,
  requestCheck,
  syncWatchSchedules,
} from '../jobs/watch/watch-queue.js';
import { WatchService } from '../jobs/watch/watch-service.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../logging/metrics.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { SlackWatchAudience } from '../slack/alerts/slack-watch-audience.js';
import type { WatchControls } from '../slack/alerts/watch-controls.js';
import { HomeBoard } from '../slack/home/home-board.js';
import type { SlackRateGate } from '../slack/slack-rate-gate.js';
import { usergroupMembers } from '../slack/usergroup-members.js';
import type { RedisConnections } from './redis-connections.js';

export interface WatchOptions {
  env: Env;
  catalog: Catalog;
  logger: Logger;
  redactor: SecretRedactor;
  metrics: Metrics;
  redis: RedisConnections;
  runs: RunStore;
  client: webApi.WebClient;
  gate: SlackRateGate;
  /** The drift check; a process without one queues checks for the workers that have it. */
  checkPair?: PairChecker;
}

export interface Watch {
  controls: WatchControls;
  /** Health as Slack requests read it (status, mentions). */
  health: HealthStore;
  exportMetrics(): Promise<void>;
  /** Syncs the catalog's schedules and runs checks (worker processes with a checker). */
  startWorker(): { close(): Promise<void> } | undefined;
  close(): Promise<void>;
}

/** The drift watch: its queue and job schedulers, health store, alerts and App Home board. */
export function createWatch(options: WatchOptions): Watch {
  const { env, catalog, logger, redis } = options;
  const prefix = env.REDIS_PREFIX;
  const queue = createWatchQueue(redis.queue, prefix);
  const health = new HealthStore(redis.requests, prefix);
  const board = new HomeBoard({
    client: options.client,
    gate: options.gate,
    viewers: new BoardViewers(redis.runs, prefix),
    readBoard: () => readBoard(catalog, new HealthStore(redis.runs, prefix), options.runs),
    logger,
  });
  const audience = new SlackWatchAudience({
    client: options.client,
    gate: options.gate,
    redactor: options.redactor,
    board,
  });
  // A web process silences pairs but never checks them: only workers with a checker run checks.
  const checkPair: PairChecker =
    options.checkPair ??
    (async () => {
      throw new Error('this process has no drift checker');
    });
  const service = new WatchService({
    check: checkPair,
    approvers: new ApproverDirectory(usergroupMembers(options.client, options.gate)),
    store: new HealthStore(redis.runs, prefix),
    audience,
    logger,
  });

  const controls: WatchControls = {
    board,
    requestCheck: (target, channel, userId) =>
      requestCheck(queue, { app: target.app, env: target.env, requested: { channel, userId } }),
    service: { silence: (...args) => service.silence(...args) },
  };

  return {
    controls,
    health,
    exportMetrics: () => exportHealthMetrics(catalog.all(), health, options.metrics),
    startWorker() {
      if (!options.checkPair) return undefined;
      const worker = createWatchWorker({
        connection: redis.queue,
        prefix,
        logger,
        concurrency: env.WORKER_CONCURRENCY,
        handle: async (data) => {
          const target = catalog.get(data.app, data.env);
          // A pair removed from the catalog: its scheduler goes at the next sync; nothing to check.
          if (!target) return;
          await service.check(
            target,
            data.requested ? { kind: 'requested', ...data.requested } : { kind: 'scheduled' },
          );
        },
      });
      const pairs = catalog.all().map((t) => ({
        app: t.app,
        env: t.env,
        everyMs: t.watch === false ? undefined : watchIntervalMs(t.watch.every),
      }));
      syncWatchSchedules(queue, pairs).catch((error: unknown) =>
        logger.error({ err: error }, 'scheduling the drift checks failed'),
      );
      return { close: () => worker.close() };
    },
    close: () => queue.close(),
  };
}
