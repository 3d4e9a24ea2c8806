import { SlackDriver } from '../emulators/slack/slack-driver.js';
import { SLACK_PUBLISHED_LIMITS, SlackEmulator } from '../emulators/slack/slack-emulator.js';
import { type Bot, createBot } from '../src/app/create-bot.js';
import { loadEnv } from '../src/config/env.js';
import type { RunPlanFactory } from '../src/jobs/ports.js';
import { createLogger } from '../src/logging/logger.js';
import { Metrics } from '../src/logging/metrics.js';
import { SecretRedactor } from '../src/logging/secret-redactor.js';
import { deleteKeys } from '../test/support/redis.js';
import { benchCatalog } from './bench-catalog.js';
import { slackWrites } from './bench-deployment.js';
import { describeRetries } from './catalog-pairs.js';

const SIGNING_SECRET = 'bench-signing-secret';
const RUNS = 100;
const STEP_MS = 50;

export interface ManyRunsResult {
  runs: number;
  succeeded: number;
  seconds: number;
  retriesPerLimitedWrite: number[];
  slackCalls: number;
  slack429: number;
  rssMbBefore: number;
  rssMbPeak: number;
}

/** Four steps that each stand for a remote call of STEP_MS. */
const plans: RunPlanFactory = {
  create: () => ({
    plan: {
      steps: ['preflight', 'lms', 'vault', 'concourse'].map((id) => ({
        id,
        title: `Step ${id}`,
        run: async () => {
          await new Promise((resolve) => setTimeout(resolve, STEP_MS));
          return { summary: `${id} done` };
        },
      })),
      previewPhase: async () => ({ changes: false, summary: '' }),
    },
    close: async () => undefined,
  }),
};

/** 100 setup runs for different pairs, queued at once, drained by two worker processes' worth of workers. */
export async function benchManyRuns(): Promise<ManyRunsResult> {
  const slack = new SlackEmulator({ rateLimits: { ...SLACK_PUBLISHED_LIMITS } });
  await slack.start();
  const prefix = `bench-runs:${Date.now()}`;
  const redactor = new SecretRedactor();
  const shared = {
    catalog: benchCatalog(RUNS),
    logger: createLogger({ level: 'silent', redactor }),
    redactor,
    metrics: new Metrics({ defaultMetrics: false }),
    plans,
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
  const rssMbBefore = process.memoryUsage().rss / 1e6;
  let rssMbPeak = rssMbBefore;
  const sampler = setInterval(() => {
    rssMbPeak = Math.max(rssMbPeak, process.memoryUsage().rss / 1e6);
  }, 100);
  const started = performance.now();
  try {
    const acks = await Promise.all(
      // Ten channels (ten teams' ops channels): chat.postMessage is paced per channel.
      Array.from({ length: RUNS }, (_, i) =>
        driver.slash(`setup bench e${i}`, { channel: `C0BENCH${i % 10}` }),
      ),
    );
    const ids = acks.map((ack) => String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string);
    let succeeded = 0;
    while (performance.now() - started < 600_000) {
      const runs = await Promise.all(ids.map((id) => web.store.get(id)));
      const shown = await Promise.all(ids.map((id) => web.backlog.shownRevision(id)));
      succeeded = runs.filter(
        (run, i) => run?.status === 'succeeded' && (shown[i] ?? -1) >= (run.revision ?? 0),
      ).length;
      if (succeeded === RUNS || runs.some((run) => run?.status === 'failed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      runs: RUNS,
      succeeded,
      seconds: (performance.now() - started) / 1000,
      slackCalls: slackWrites(slack).writes,
      slack429: slack.rateLimited,
      retriesPerLimitedWrite: slackWrites(slack).retriesPerLimitedWrite,
      rssMbBefore,
      rssMbPeak,
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(bots.map((bot) => bot.stop(5_000)));
    await slack.stop();
    await deleteKeys(prefix);
  }
}

export function describeManyRuns(r: ManyRunsResult): string {
  return [
    `  ${r.succeeded}/${r.runs} runs succeeded in ${r.seconds.toFixed(1)} s (2 workers × concurrency 4, steps of ${STEP_MS} ms)`,
    `  Slack: ${r.slackCalls} chat writes (${(r.slackCalls / r.runs).toFixed(1)} writes per run), ${r.slack429} answered 429 under Slack's published limits (chat.update 50/min, chat.postMessage 1/s per channel)${describeRetries(r.retriesPerLimitedWrite)}`,
    `  RSS (web + both workers in this process): ${r.rssMbBefore.toFixed(0)} MB before, ${r.rssMbPeak.toFixed(0)} MB peak`,
  ].join('\n');
}
