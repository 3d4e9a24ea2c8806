import type { Server } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import { SlackDriver } from '../emulators/slack/slack-driver.js';
import { SlackEmulator } from '../emulators/slack/slack-emulator.js';
import { createBot } from '../src/app/create-bot.js';
import { loadEnv } from '../src/config/env.js';
import { createLogger } from '../src/logging/logger.js';
import { Metrics } from '../src/logging/metrics.js';
import { SecretRedactor } from '../src/logging/secret-redactor.js';
import { benchCatalog } from './bench-catalog.js';
import { formatMs, measureConcurrent, percentile } from './latency-stats.js';

const SIGNING_SECRET = 'bench-signing-secret';
const REQUESTS = 1_000;
const CONCURRENCY = 50;

export interface AckLatencyResult {
  label: string;
  p50: number;
  p99: number;
}

async function startBareBolt(slack: SlackEmulator): Promise<{ url: string; stop: () => Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET });
  const app = new App({ token: slack.botToken, receiver, clientOptions: { slackApiUrl: slack.apiUrl } });
  app.command('/retirement', async ({ ack }) => ack('ok'));
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, stop: () => app.stop().then(() => undefined) };
}

async function measure(
  label: string,
  driver: SlackDriver,
  text: (i: number) => string,
): Promise<AckLatencyResult> {
  await measureConcurrent(100, 10, async (i) => void (await driver.slash(text(REQUESTS + i))));
  const latencies = await measureConcurrent(REQUESTS, CONCURRENCY, async (i) => {
    const response = await driver.slash(text(i));
    if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status}`);
  });
  return { label, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Slash-command ack latency under 50 concurrent signed requests: the bot next to a bare Bolt app. */
export async function benchAckLatency(): Promise<AckLatencyResult[]> {
  const slack = new SlackEmulator();
  await slack.start();
  const bare = await startBareBolt(slack);
  const prefix = `bench:${Date.now()}`;
  const env = loadEnv({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
  });
  const redactor = new SecretRedactor();
  const bot = createBot({
    env,
    catalog: benchCatalog(REQUESTS + 200),
    logger: createLogger({ level: 'silent', redactor }),
    redactor,
    metrics: new Metrics({ defaultMetrics: false }),
    plans: {
      create: () => ({
        plan: { steps: [], previewPhase: async () => ({ changes: false, summary: '' }) },
        close: async () => undefined,
      }),
    },
    readPipeline: async () => ({ exists: false, url: '', builds: [] }),
    role: 'web',
  });
  const { port } = await bot.start();
  const driver = (url: string) =>
    new SlackDriver({ botUrl: url, signingSecret: SIGNING_SECRET, emulator: slack });
  const ours = driver(`http://127.0.0.1:${port}`);
  try {
    const results = [
      await measure('bare Bolt (ack only)', driver(bare.url), () => 'list'),
      await measure('retirement-bot help', ours, () => 'help'),
      await measure('retirement-bot setup (Redis lock + run record)', ours, (i) => `setup bench e${i}`),
    ];
    return results;
  } finally {
    await bot.stop(5_000);
    await bare.stop();
    await slack.stop();
    const { deleteKeys } = await import('../test/support/redis.js');
    await deleteKeys(prefix);
  }
}

export function describeAckLatency(results: AckLatencyResult[]): string {
  const bare = results[0];
  return results
    .map((r) => {
      const ratio = bare ? ` (p99 ${(r.p99 / bare.p99).toFixed(2)}x bare Bolt)` : '';
      return `  ${r.label.padEnd(48)} p50 ${formatMs(r.p50).padStart(9)}  p99 ${formatMs(r.p99).padStart(9)}${ratio}`;
    })
    .join('\n');
}
