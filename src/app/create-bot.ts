import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { registerActions } from './commands/register-actions.js';
import { registerSlashCommand } from './commands/register-commands.js';
import { registerMention } from './commands/register-mention.js';
import { runCommandHandlers } from './commands/run-command-handlers.js';
import type { Catalog } from './config/catalog.js';
import type { Env } from './config/env.js';
import { Metrics, QUEUE_STATES } from './http/metrics.js';
import { operationalRoutes } from './http/operational-routes.js';
import { createSlackApp } from './integrations/slack/slack-app.js';
import { SlackRunReporter } from './integrations/slack/slack-run-reporter.js';
import { ApproverDirectory, describeApprovers } from './jobs/approver-directory.js';
import { AuditLog } from './jobs/audit-log.js';
import type { PipelineStatusReader } from './jobs/pipeline-status.js';
import { RunExecutor, type RunPlanFactory } from './jobs/run-executor.js';
import { createRunQueue, createRunWorker } from './jobs/run-queue.js';
import { RunService } from './jobs/run-service.js';
import { RunStore } from './jobs/run-store.js';
import type { Logger } from './logging/logger.js';
import type { SecretRedactor } from './logging/secret-redactor.js';

/** The command connection refuses to queue while offline, so start only once it is connected. */
async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface BotOptions {
  env: Env;
  catalog: Catalog;
  logger: Logger;
  redactor: SecretRedactor;
  plans: RunPlanFactory;
  readPipeline: PipelineStatusReader;
  /** `start` runs both; `web` only receives Slack requests; `worker` only runs jobs. */
  role: 'start' | 'web' | 'worker';
  metrics?: Metrics;
  /** Tests shorten BullMQ's lock so a killed worker's run is picked up quickly. */
  workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
}

export interface Bot {
  start(): Promise<{ port?: number }>;
  /** Stops taking requests, lets running steps finish (up to the timeout), then disconnects. */
  stop(timeoutMs?: number): Promise<void>;
  store: RunStore;
  audit: AuditLog;
  runs: RunService;
}

/** The composition root: builds every dependency once and wires them together. */
export function createBot(options: BotOptions): Bot {
  const { env, catalog, logger, redactor } = options;
  const botToken = env.SLACK_BOT_TOKEN;
  if (!botToken) throw new Error('createBot needs SLACK_BOT_TOKEN (the sandbox provides an emulated one)');
  const metrics = options.metrics ?? new Metrics();
  const prefix = env.REDIS_PREFIX;

  // Commands fail fast while Redis is away instead of queueing behind Slack's 3-second window.
  const redis = new Redis(env.REDIS_URL, {
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
  const bullRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  // Runs wait out a Redis restart instead of failing: their writes queue until it is back.
  const workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  bullRedis.on('error', (error) => logger.warn({ err: error }, 'redis (queue) connection error'));
  workerRedis.on('error', (error) => logger.warn({ err: error }, 'redis (runs) connection error'));

  const store = new RunStore(redis, prefix);
  const audit = new AuditLog(redis, `${prefix}:audit`);
  const queue = createRunQueue(bullRedis, prefix);

  const slack = createSlackApp({
    botToken,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    port: env.PORT,
    host: env.HOST,
    logger,
    customRoutes: operationalRoutes({
      metrics,
      healthChecks: [{ name: 'redis', check: async () => void (await redis.ping()) }],
      beforeScrape: async () => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) metrics.queueJobs.set({ state }, counts[state] ?? 0);
      },
    }),
  });
  const client = slack.app.client;
  const approvers = new ApproverDirectory(async (usergroup) => {
    const answer = await client.usergroups.users.list({ usergroup });
    return answer.users ?? [];
  });
  const reporter = (postNew: boolean) =>
    new SlackRunReporter({
      client,
      redactor,
      postNew,
      describeApprovers: (run) => describeApprovers(catalog.get(run.app, run.env)),
    });
  const runs = new RunService({
    store,
    audit,
    queue,
    catalog,
    approvers,
    announcer: reporter(true),
    editor: reporter(false),
    logger,
  });
  const statusDeps = { readPipeline: options.readPipeline, store };

  registerSlashCommand(slack.app, {
    catalog,
    logger,
    metrics,
    handlers: runCommandHandlers({ catalog, runs, store, status: statusDeps }),
  });
  registerActions(slack.app, { runs, metrics, logger });
  registerMention(slack.app, {
    catalog,
    status: statusDeps,
    logger,
    firstDelivery: async (eventId) =>
      (await redis.set(`${prefix}:event:${eventId}`, '1', 'EX', 3600, 'NX')) === 'OK',
  });

  let worker: Worker | undefined;
  const startWorker = () => {
    const workerStore = new RunStore(workerRedis, prefix);
    const executor = new RunExecutor({
      store: workerStore,
      audit: new AuditLog(workerRedis, `${prefix}:audit`),
      reporter: reporter(true),
      catalog,
      plans: options.plans,
      metrics,
      logger,
    });
    worker = createRunWorker({
      connection: bullRedis,
      prefix,
      executor,
      store: workerStore,
      logger,
      concurrency: env.WORKER_CONCURRENCY,
      lockDurationMs: options.workerTiming?.lockDurationMs ?? env.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: options.workerTiming?.stalledIntervalMs ?? env.WORKER_STALLED_INTERVAL_MS,
    });
  };

  return {
    store,
    audit,
    runs,
    async start() {
      await whenReady(redis);
      if (options.role !== 'web') startWorker();
      if (options.role === 'worker') return {};
      return slack.start();
    },
    async stop(timeoutMs = 25_000) {
      const closing = Promise.allSettled([
        options.role === 'worker' ? Promise.resolve() : slack.stop(),
        worker?.close() ?? Promise.resolve(),
      ]);
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref()),
      ]);
      if (timedOut) logger.warn('shutdown timed out; unfinished steps resume on the next worker');
      await queue.close().catch(() => undefined);
      redis.disconnect();
      bullRedis.disconnect();
      workerRedis.disconnect();
    },
  };
}
