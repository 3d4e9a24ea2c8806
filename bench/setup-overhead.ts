import { canHostEdxWorker } from '../emulators/edx-worker/edx-worker-host.js';
import { SlackDriver } from '../emulators/slack/slack-driver.js';
import { SlackEmulator } from '../emulators/slack/slack-emulator.js';
import { createBot } from '../src/app/create-bot.js';
import { connectLms } from '../src/app/create-integrations.js';
import { loadEnv } from '../src/config/env.js';
import { createConcourseClient } from '../src/integrations/concourse/concourse-client.js';
import { createSecretsOfRecord } from '../src/integrations/github/secrets-of-record.js';
import {
  generateClientId,
  generateClientSecret,
} from '../src/integrations/lms-oauth/generated-credentials.js';
import { verifyClientCredentials } from '../src/integrations/lms-oauth/verify-client-credentials.js';
import { FetchVaultTransit } from '../src/integrations/sops/vault-transit.js';
import { createVaultCredentialStore } from '../src/integrations/vault/vault-credential-store.js';
import { setupPlanFactory } from '../src/jobs/setup/setup-plan-factory.js';
import { createLogger } from '../src/logging/logger.js';
import { Metrics } from '../src/logging/metrics.js';
import { SecretRedactor } from '../src/logging/secret-redactor.js';
import { deleteKeys } from '../test/support/redis.js';
import { CONCOURSE_PASSWORD, CONCOURSE_USER, startRemoteWorld } from '../test/support/remote-world.js';

const SIGNING_SECRET = 'bench-signing-secret';
const REPEATS = 3;

type Interval = [number, number];

/** Wraps every promise-returning method so the time spent waiting on remote systems is recorded. */
function timed<T extends object>(target: T, intervals: Interval[]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const result = value.apply(object, args);
        if (result instanceof Promise)
          return result.finally(() => intervals.push([started, performance.now()]));
        return result;
      };
    },
  });
}

/** Total length of the union of intervals (parallel remote calls count once). */
function covered(intervals: Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [start, stop] of sorted) {
    if (stop <= end) continue;
    total += stop - Math.max(start, end);
    end = stop;
  }
  return total;
}

export interface SetupOverheadResult {
  totalMs: number[];
  remoteMs: number[];
}

/**
 * A full qa setup over Slack against the simulated edx-worker and the zero-latency emulators:
 * the run's wall time minus the time spent inside remote calls is the bot's own overhead
 * (queueing, Redis writes, Slack updates, parsing).
 */
export async function benchSetupOverhead(): Promise<SetupOverheadResult | undefined> {
  if (!canHostEdxWorker()) return undefined;
  const result: SetupOverheadResult = { totalMs: [], remoteMs: [] };
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const world = await startRemoteWorld();
    const slack = new SlackEmulator();
    await slack.start();
    const prefix = `bench-setup:${Date.now()}`;
    const redactor = new SecretRedactor();
    const logger = createLogger({ level: 'silent', redactor });
    const intervals: Interval[] = [];
    const credentials = timed(
      createVaultCredentialStore({
        auth: { token: world.vault.rootToken },
        defaultAddress: world.vault.url,
        redactor,
        logger,
      }),
      intervals,
    );
    const concourse = timed(
      createConcourseClient({
        url: world.concourse.url,
        team: 'mitxonline',
        username: CONCOURSE_USER,
        password: CONCOURSE_PASSWORD,
        redactor,
        logger,
      }),
      intervals,
    );
    const plans = setupPlanFactory({
      generate: { clientId: generateClientId, clientSecret: generateClientSecret },
      protectSecret: (secret) => redactor.register(secret),
      connectEdxWorker: async (target) => {
        const started = performance.now();
        const keys = { privateKey: world.edx.privateKey, knownHosts: world.edx.knownHosts };
        const connection = await connectLms(target, async () => keys, { redactor, logger });
        intervals.push([started, performance.now()]);
        return { client: timed(connection.client, intervals), close: connection.close };
      },
      credentials,
      // The bench's catalog writes Vault directly; no GitHub is configured.
      secretsOfRecord: createSecretsOfRecord({
        github: undefined,
        transit: new FetchVaultTransit({ token: '', allowedAddresses: [] }),
      }),
      recordTiming: { pollMs: 1_000, waitMs: 60_000 },
      concourse: () => concourse,
      verifyCredentials: async (stored) => {
        const started = performance.now();
        try {
          return await verifyClientCredentials(stored);
        } finally {
          intervals.push([started, performance.now()]);
        }
      },
      buildTiming: { pollMs: 5, timeoutMs: 60_000 },
    });
    const env = loadEnv({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_PREFIX: prefix,
    });
    const bot = createBot({
      env,
      catalog: world.catalog,
      logger,
      redactor,
      metrics: new Metrics({ defaultMetrics: false }),
      plans,
      readPipeline: async () => ({ exists: false, url: '', builds: [] }),
      role: 'start',
    });
    const { port } = await bot.start();
    try {
      const driver = new SlackDriver({
        botUrl: `http://127.0.0.1:${port}`,
        signingSecret: SIGNING_SECRET,
        emulator: slack,
      });
      const ack = await driver.slash('setup mitxonline qa');
      const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
      for (;;) {
        const run = await bot.store.get(runId);
        if (run?.status === 'succeeded' && run.finishedAt) {
          result.totalMs.push(run.finishedAt - run.createdAt);
          result.remoteMs.push(
            covered(intervals.filter(([start]) => start >= performance.now() - (Date.now() - run.createdAt))),
          );
          break;
        }
        if (run && ['failed', 'cancelled'].includes(run.status))
          throw new Error(`bench run ${run.status}: ${run.error?.message}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await bot.stop(5_000);
      await credentials.close();
      await slack.stop();
      await world.stop();
      await deleteKeys(prefix);
    }
  }
  return result;
}

export function describeSetupOverhead(result: SetupOverheadResult | undefined): string {
  if (!result) return '  skipped: the simulated edx-worker needs root, sshd and Debian Django here';
  return result.totalMs
    .map((total, i) => {
      const remote = result.remoteMs[i] ?? 0;
      return `  run ${i + 1}: ${total.toFixed(0)} ms in all, ${remote.toFixed(0)} ms in remote calls, bot overhead ${(total - remote).toFixed(0)} ms`;
    })
    .join('\n');
}
