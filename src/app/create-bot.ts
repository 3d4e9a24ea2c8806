import type { Catalog } from '../config/catalog.js';
import type { Env } from '../config/env.js';
import { ApproverDirectory } from '../jobs/approver-directory.js';
import { AuditLog } from '../jobs/audit-log.js';
import type { PipelineStatusReader, RunPlanFactory } from '../jobs/ports.js';
import { PublishBacklog } from '../jobs/publish-backlog.js';
import { RunJournal } from '../jobs/run-journal.js';
import { createRunQueue, queueScheduler } from '../jobs/run-queue.js';
import type { RunRecord } from '../jobs/run-record.js';
import { RunService } from '../jobs/run-service.js';
import { RunStore } from '../jobs/run-store.js';
import type { PairChecker } from '../jobs/watch/drift-check.js';
import type { Logger } from '../logging/logger.js';
import { Metrics, QUEUE_STATES } from '../logging/metrics.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { approverMentions } from '../slack/approver-mentions.js';
import { registerListeners } from '../slack/register-listeners.js';
import { SharedRateBudgets } from '../slack/shared-rate-budgets.js';
import { createSlackApp } from '../slack/slack-app.js';
import { SlackMessageWriter } from '../slack/slack-message-writer.js';
import { type SlackLimits, SlackRateGate } from '../slack/slack-rate-gate.js';
import { SlackRunPublisher } from '../slack/slack-run-publisher.js';
import { SlackRunReporter } from '../slack/slack-run-reporter.js';
import { usergroupMembers } from '../slack/usergroup-members.js';
import { createWatch } from './create-watch.js';
import { operationalRoutes } from './operational-routes.js';
import { startOperationalServer } from './operational-server.js';
import { openRedisConnections, whenReady } from './redis-connections.js';
import { DEFAULT_RECONCILE_TIMING, type ReconcileTiming, startRunWorker } from './start-run-worker.js';

/** A request waits this long at most for its turn at Slack (a user-group lookup, the status card). */
const SLACK_MAX_WAIT_MS = 5_000;
/**
 * The publisher waits this long at most for one write's turn; a longer wait ends its pass (it
 * comes back), so a run's newer state is never stuck behind a queued post.
 */
const PUBLISHER_MAX_WAIT_MS = 2_000;

export interface BotOptions {
  env: Env;
  catalog: Catalog;
  logger: Logger;
  redactor: SecretRedactor;
  plans: RunPlanFactory;
  readPipeline: PipelineStatusReader;
  /** The drift check; without it this process runs no scheduled checks (others may). */
  checkPair?: PairChecker;
  /** `start` runs both; `web` only receives Slack requests; `worker` only runs jobs. */
  role: 'start' | 'web' | 'worker';
  metrics?: Metrics;
  /** Tests shorten BullMQ's lock so a killed worker's run is picked up quickly. */
  workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
  /** Tests shorten how soon an orphaned run is reconciled. */
  reconcile?: ReconcileTiming;
}

export interface Bot {
  start(): Promise<{ port?: number }>;
  /** Stops taking requests, lets running steps finish (up to the timeout), then disconnects. */
  stop(timeoutMs?: number): Promise<void>;
  store: RunStore;
  audit: AuditLog;
  runs: RunService;
  /** Which runs Slack does not show up to date yet (tests wait on it). */
  backlog: PublishBacklog;
}

/** A Slack-facing bot process: the Slack receiver, the run queue and (per role) the run worker. */
export function createBot(options: BotOptions): Bot {
  const { env, catalog, logger, redactor } = options;
  const botToken = env.SLACK_BOT_TOKEN;
  if (!botToken) throw new Error('createBot needs SLACK_BOT_TOKEN (the sandbox provides an emulated one)');
  const metrics = options.metrics ?? new Metrics();
  const prefix = env.REDIS_PREFIX;
  const redis = openRedisConnections(env.REDIS_URL, logger);
  const store = new RunStore(redis.requests, prefix);
  const audit = new AuditLog(redis.requests, `${prefix}:audit`);
  const queue = createRunQueue(redis.queue, prefix);
  let watch: ReturnType<typeof createWatch> | undefined;

  const routes = operationalRoutes({
    metrics,
    healthChecks: [{ name: 'redis', check: async () => void (await redis.requests.ping()) }],
    beforeScrape: async () => {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      for (const state of QUEUE_STATES) metrics.queueJobs.set({ state }, counts[state] ?? 0);
      await watch?.exportMetrics();
    },
  });
  const slack = createSlackApp({
    botToken,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    port: env.PORT,
    host: env.HOST,
    logger,
    customRoutes: routes,
  });
  const client = slack.app.client;
  const limits = slackLimits(env);
  // The publisher and the requests, in every process, share Slack's budgets (kept in Redis).
  const gate = new SlackRateGate({
    limits,
    budgets: new SharedRateBudgets(redis.requests, prefix),
    maxWaitMs: SLACK_MAX_WAIT_MS,
    onCall: (method, outcome) => metrics.slackCalls.inc({ method, outcome }),
    onRateLimited: (method) => metrics.slackRateLimited.inc({ method }),
  });
  const backlog = new PublishBacklog(redis.requests, prefix);
  const writerFor = (connection: typeof redis.runs, maxWaitMs: number) =>
    new SlackMessageWriter({ client: slack.writer, gate, redactor, redis: connection, prefix, maxWaitMs });
  const describeApprovers = (run: RunRecord) => approverMentions(catalog.get(run.app, run.env));
  const publisher =
    options.role === 'web'
      ? undefined
      : new SlackRunPublisher({
          store: new RunStore(redis.publishing, prefix),
          backlog: new PublishBacklog(redis.publishing, prefix),
          writer: writerFor(redis.publishing, PUBLISHER_MAX_WAIT_MS),
          redis: redis.publishing,
          prefix,
          logger,
          metrics,
          describeApprovers,
          progressIntervalMs: env.SLACK_PROGRESS_INTERVAL_MS,
        });
  const reporterFor = (connection: typeof redis.runs) =>
    new SlackRunReporter({
      backlog: new PublishBacklog(connection, prefix),
      writer: writerFor(connection, SLACK_MAX_WAIT_MS),
      nudge: publisher ? () => publisher.nudge() : undefined,
    });
  const journal = (runStore: RunStore, runAudit: AuditLog, connection: typeof redis.runs) =>
    new RunJournal({ store: runStore, audit: runAudit, metrics, reporter: reporterFor(connection), logger });
  const scheduler = queueScheduler(queue);
  const runs = new RunService({
    journal: journal(store, audit, redis.requests),
    store,
    scheduler,
    catalog,
    approvers: new ApproverDirectory(usergroupMembers(client, gate)),
  });
  watch = createWatch({
    env,
    catalog,
    logger,
    redactor,
    metrics,
    redis,
    runs: store,
    client,
    gate,
    ...(options.checkPair ? { checkPair: options.checkPair } : {}),
  });
  registerListeners(slack.app, {
    catalog,
    runs,
    store,
    watch: watch.controls,
    status: { readPipeline: options.readPipeline, store, health: watch.health },
    audit,
    metrics,
    logger,
    // Kept past Slack's 5-minute signature window, after which a replay is refused anyway.
    firstDelivery: async (requestId) =>
      (await redis.requests.set(`${prefix}:request:${requestId}`, '1', 'EX', 600, 'NX')) === 'OK',
  });

  let worker: { close(): Promise<void> } | undefined;
  let watchWorker: { close(): Promise<void> } | undefined;
  let operations: { port: number; close(): Promise<void> } | undefined;
  const startWorker = () => {
    const workerStore = new RunStore(redis.runs, prefix);
    worker = startRunWorker({
      env,
      catalog,
      plans: options.plans,
      logger,
      redis,
      store: workerStore,
      journal: journal(workerStore, new AuditLog(redis.runs, `${prefix}:audit`), redis.runs),
      scheduler,
      backlog: new PublishBacklog(redis.runs, prefix),
      workerTiming: options.workerTiming,
      reconcile: options.reconcile ?? DEFAULT_RECONCILE_TIMING,
    });
    watchWorker = watch?.startWorker();
  };

  return {
    store,
    audit,
    runs,
    backlog,
    async start() {
      await whenReady(redis.requests);
      if (options.role !== 'web') startWorker();
      publisher?.start();
      if (options.role === 'worker') {
        operations = await startOperationalServer(routes, env.WORKER_HEALTH_PORT, env.HOST);
        return { port: operations.port };
      }
      return slack.start();
    },
    async stop(timeoutMs = 25_000) {
      const closing = Promise.allSettled([
        options.role === 'worker' ? (operations?.close() ?? Promise.resolve()) : slack.stop(),
        worker?.close() ?? Promise.resolve(),
        watchWorker?.close() ?? Promise.resolve(),
      ]).then(() => publisher?.stop());
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref()),
      ]);
      if (timedOut) logger.warn('shutdown timed out; unfinished steps resume on the next worker');
      await queue.close().catch(() => undefined);
      await watch?.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Slack's published limits for the methods run messages use, as configured (lookups are Tier 3). */
function slackLimits(env: Env): SlackLimits {
  const tier3 = { perMinute: 50, burst: 3, perChannel: false };
  return {
    'conversations.history': tier3,
    'conversations.replies': tier3,
    'chat.update': {
      perMinute: env.SLACK_UPDATE_PER_MINUTE,
      burst: env.SLACK_UPDATE_BURST,
      perChannel: false,
    },
    'chat.postMessage': {
      perMinute: env.SLACK_POST_PER_MINUTE_PER_CHANNEL,
      burst: env.SLACK_POST_BURST,
      perChannel: true,
    },
  };
}
