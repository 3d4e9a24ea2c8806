import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { SlackDriver } from '../../emulators/slack/slack-driver.js';
import { SlackEmulator } from '../../emulators/slack/slack-emulator.js';
import { type Bot, createBot } from '../../src/app/create-bot.js';
import { createIntegrations } from '../../src/app/create-integrations.js';
import type { ReconcileTiming } from '../../src/app/start-run-worker.js';
import { type Catalog, loadCatalogFile } from '../../src/config/catalog.js';
import { loadEnv } from '../../src/config/env.js';
import type { PipelineStatusReader, RunPlanFactory } from '../../src/jobs/ports.js';
import type { PairChecker } from '../../src/jobs/watch/drift-check.js';
import { createLogger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/logging/metrics.js';
import { SecretRedactor } from '../../src/logging/secret-redactor.js';
import { deleteKeys, uniquePrefix } from './redis.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Every log line the bot wrote, for assertions and secret scans. */
export class CapturedLogs extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface BotHarness {
  bot: Bot;
  slack: SlackEmulator;
  driver: SlackDriver;
  url: string;
  prefix: string;
  logs: CapturedLogs;
  redactor: SecretRedactor;
  metrics: Metrics;
  catalog: Catalog;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  catalog?: Catalog;
  plans?: RunPlanFactory;
  readPipeline?: PipelineStatusReader;
  usergroups?: Record<string, string[]>;
  role?: 'start' | 'web' | 'worker';
  redactor?: SecretRedactor;
  workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
  reconcile?: ReconcileTiming;
  /** Extra environment (e.g. a RemoteWorld's); with `realIntegrations` the bot builds its real clients from it. */
  env?: Record<string, string>;
  realIntegrations?: boolean;
  /** With `realIntegrations`: run the drift watch (its schedules and checks) in this bot. */
  watch?: boolean;
  /** A drift check of the test's own (the watch then runs with it). */
  checkPair?: PairChecker;
  /** A second bot process of the same deployment (a restart): same Redis prefix, same Slack. */
  sameAs?: { prefix: string; slack: SlackEmulator };
}

const unusedPlans: RunPlanFactory = {
  create: () => {
    throw new Error('this test does not run steps');
  },
};

/** The real bot on a random port, talking to a Slack emulator and the real Redis. */
export async function startBotHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const slack = options.sameAs?.slack ?? new SlackEmulator({ usergroups: options.usergroups });
  if (!options.sameAs) await slack.start();
  const prefix = options.sameAs?.prefix ?? uniquePrefix('bot');
  const logs = new CapturedLogs();
  const redactor = options.redactor ?? new SecretRedactor();
  const logger = createLogger({ level: 'debug', redactor, destination: logs });
  const catalog =
    options.catalog ?? loadCatalogFile(resolve(import.meta.dirname, '../../config/environments.yml'));
  const metrics = new Metrics({ defaultMetrics: false });
  const env = loadEnv({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_PREFIX: prefix,
    WORKER_CONCURRENCY: '2',
    ...options.env,
  });
  const integrations = options.realIntegrations
    ? createIntegrations({ env, logger, redactor, catalog })
    : undefined;
  const bot = createBot({
    env,
    catalog,
    logger,
    redactor,
    metrics,
    plans: integrations?.plans ?? options.plans ?? unusedPlans,
    readPipeline:
      integrations?.readPipeline ??
      options.readPipeline ??
      (async () => {
        throw new Error('this test does not read pipelines');
      }),
    ...(options.watch && integrations ? { checkPair: integrations.checkPair } : {}),
    ...(options.checkPair ? { checkPair: options.checkPair } : {}),
    role: options.role ?? 'start',
    workerTiming: options.workerTiming,
    reconcile: options.reconcile,
  });
  const { port } = await bot.start();
  const url = `http://127.0.0.1:${port}`;
  const driver = new SlackDriver({ botUrl: url, signingSecret: SIGNING_SECRET, emulator: slack });
  return {
    bot,
    slack,
    driver,
    url,
    prefix,
    logs,
    redactor,
    metrics,
    catalog,
    async stop() {
      await bot.stop(5_000);
      await integrations?.close();
      await slack.stop();
      await deleteKeys(prefix);
    },
  };
}
