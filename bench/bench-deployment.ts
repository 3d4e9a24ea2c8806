import { SlackDriver } from '../emulators/slack/slack-driver.js';
import { SlackEmulator, type SlackEmulatorOptions } from '../emulators/slack/slack-emulator.js';
import { type Bot, createBot } from '../src/app/create-bot.js';
import { loadEnv } from '../src/config/env.js';
import type { RunPlanFactory } from '../src/jobs/ports.js';
import type { RunRecord } from '../src/jobs/run-record.js';
import { createLogger } from '../src/logging/logger.js';
import { Metrics } from '../src/logging/metrics.js';
import { SecretRedactor } from '../src/logging/secret-redactor.js';
import { deleteKeys } from '../test/support/redis.js';
import { benchCatalog } from './bench-catalog.js';

const SIGNING_SECRET = 'bench-signing-secret';

/**
 * The bot as deployed: one web process and two worker processes' worth of bots (in this process),
 * against an emulated Slack, running scripted plans (the remote calls are stand-in sleeps).
 */
export interface BenchDeployment {
  slack: SlackEmulator;
  web: Bot;
  driver: SlackDriver;
  /** Sends `setup bench e<i>` in `channel` and returns the run id. */
  setup(i: number, channel: string): Promise<string>;
  /** Waits until every run ended and Slack shows its last revision; returns them. */
  settled(ids: string[], timeoutMs: number): Promise<RunRecord[]>;
  stop(): Promise<void>;
}

export async function startBenchDeployment(options: {
  pairs: number;
  plans: RunPlanFactory;
  slack: SlackEmulatorOptions;
  label: string;
}): Promise<BenchDeployment> {
  const slack = new SlackEmulator(options.slack);
  await slack.start();
  const prefix = `bench-${options.label}:${Date.now()}`;
  const redactor = new SecretRedactor();
  const shared = {
    catalog: benchCatalog(options.pairs),
    logger: createLogger({ level: 'silent', redactor }),
    redactor,
    metrics: new Metrics({ defaultMetrics: false }),
    plans: options.plans,
    readPipeline: async () => ({ exists: false, url: '', builds: [] }),
  };
  const env = loadEnv({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_PREFIX: prefix,
    WORKER_CONCURRENCY: '4',
    // Any free port: a fixed one may be held by another deployment on the machine.
    WORKER_HEALTH_PORT: '0',
  });
  const bots: Bot[] = [
    createBot({ ...shared, env, role: 'web' }),
    createBot({ ...shared, env, role: 'worker' }),
    createBot({ ...shared, env, role: 'worker' }),
  ];
  const [web] = bots as [Bot, Bot, Bot];
  const { port } = await web.start();
  await Promise.all(bots.slice(1).map((bot) => bot.start()));
  const driver = new SlackDriver({
    botUrl: `http://127.0.0.1:${port}`,
    signingSecret: SIGNING_SECRET,
    emulator: slack,
  });
  return {
    slack,
    web,
    driver,
    async setup(i, channel) {
      const ack = await driver.slash(`setup bench e${i}`, { channel });
      const id = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1];
      if (!id) throw new Error(`no run id in ${ack.body}`);
      return id;
    },
    async settled(ids, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const runs = await Promise.all(ids.map((id) => web.store.get(id)));
        const shown = await Promise.all(ids.map((id) => web.backlog.shownRevision(id)));
        const done = runs.every(
          (run, i) => run?.finishedAt !== undefined && (shown[i] ?? -1) >= (run.revision ?? 0),
        );
        if (done) return runs as RunRecord[];
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`runs not settled within ${timeoutMs} ms`);
    },
    async stop() {
      await Promise.all(bots.map((bot) => bot.stop(5_000)));
      await slack.stop();
      await deleteKeys(prefix);
    },
  };
}

/** The setup runbook's shape: nine steps in three phases, each a stand-in remote call of `ms(i)`. */
export function runbookShapedPlan(ms: (step: number) => number): RunPlanFactory {
  const steps = [
    ['preflight', undefined],
    ['lms-states', 'lms'],
    ['worker-user', 'lms'],
    ['credentials', 'credentials'],
    ['dot-application', 'credentials'],
    ['verify-credentials', undefined],
    ['concourse-set', 'concourse'],
    ['unpause', 'concourse'],
    ['first-build', 'concourse'],
  ] as const;
  return {
    create: () => ({
      plan: {
        steps: steps.map(([id, phase], index) => ({
          id,
          title: `Step ${id}`,
          ...(phase ? { phase } : {}),
          run: async () => {
            await new Promise((resolve) => setTimeout(resolve, ms(index)));
            return { summary: `${id} done` };
          },
        })),
        previewPhase: async () => ({ changes: false, summary: '' }),
      },
      close: async () => undefined,
    }),
  };
}

/** Chat writes (posts and edits) and 429s the emulated Slack saw. */
export function slackWrites(slack: SlackEmulator): {
  writes: number;
  rateLimited: number;
  /** Per write that was answered 429: how many times it was sent again before Slack took it. */
  retriesPerLimitedWrite: number[];
} {
  const writes = slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
  return { writes: writes.length, rateLimited: slack.rateLimited, retriesPerLimitedWrite: retries(writes) };
}

/**
 * Follows each write refused with 429 to its resend: the same method for the same message (an
 * edit's channel and ts; a post's channel, thread and metadata naming the run and message).
 */
function retries(writes: SlackEmulator['calls']): number[] {
  const refusals = new Map<string, number>();
  const counts: number[] = [];
  for (const call of writes) {
    const { channel, ts, thread_ts, metadata } = call.params;
    const message = call.method === 'chat.update' ? ts : `${thread_ts} ${JSON.stringify(metadata)}`;
    const identity = `${call.method} ${channel} ${message}`;
    const refused = refusals.get(identity) ?? 0;
    if (call.refusedWith === 429) refusals.set(identity, refused + 1);
    else if (refused > 0) {
      counts.push(refused);
      refusals.delete(identity);
    }
  }
  // A write refused and never sent again (given up, or written by a later pass) counts as it stands.
  return [...counts, ...refusals.values()];
}
