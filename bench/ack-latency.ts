import { fork } from 'node:child_process';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { App, HTTPReceiver } from '@slack/bolt';
import { SlackEmulator } from '../emulators/slack/slack-emulator.js';
import { createBot } from '../src/app/create-bot.js';
import { loadEnv } from '../src/config/env.js';
import { createLogger } from '../src/logging/logger.js';
import { Metrics } from '../src/logging/metrics.js';
import { SecretRedactor } from '../src/logging/secret-redactor.js';
import type { LoadRequest, LoadResult } from './ack-load.js';
import { benchCatalog } from './bench-catalog.js';
import { formatMs } from './latency-stats.js';

const SIGNING_SECRET = 'bench-signing-secret';
const REQUESTS = 1_000;
const CONCURRENCY = 50;

export type AckLatencyResult = LoadResult;

async function startBareBolt(slack: SlackEmulator): Promise<{ url: string; stop: () => Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET });
  const app = new App({ token: slack.botToken, receiver, clientOptions: { slackApiUrl: slack.apiUrl } });
  app.command('/retirement', async ({ ack }) => ack('ok'));
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, stop: () => app.stop().then(() => undefined) };
}

/** Runs the load generator in a child process and returns what it measured. */
function generateLoad(request: LoadRequest): Promise<LoadResult[]> {
  return new Promise((done, fail) => {
    const child = fork(resolve(import.meta.dirname, 'ack-load.ts'), [], { execArgv: ['--import', 'tsx'] });
    child.once('message', (message) => {
      const answer = message as { results?: LoadResult[]; error?: string };
      if (answer.results) done(answer.results);
      else fail(new Error(`load generator: ${answer.error}`));
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code !== 0) fail(new Error(`load generator exited with ${code}`));
    });
    child.send(request);
  });
}

/**
 * Slash-command ack latency under 50 concurrent signed requests: the bot next to a bare Bolt app,
 * the requests sent by a load generator in its own process.
 */
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
  try {
    return await generateLoad({
      targets: [
        { label: 'bare Bolt (ack only)', url: bare.url, command: 'list' },
        { label: 'retirement-bot help', url: `http://127.0.0.1:${port}`, command: 'help' },
        {
          label: 'retirement-bot setup (Redis lock + run record)',
          url: `http://127.0.0.1:${port}`,
          command: 'setup',
        },
      ],
      slackUrl: slack.url,
      signingSecret: SIGNING_SECRET,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
    });
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
