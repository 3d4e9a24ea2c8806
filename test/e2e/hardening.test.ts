import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../emulators/loopback-server.js';
import { signSlackRequest } from '../../emulators/slack/slack-driver.js';
import type { RunPlanFactory } from '../../src/jobs/ports.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import type { StepDefinition } from '../../src/jobs/step-definition.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { REDIS_URL } from '../support/redis.js';
import { REQUESTER, requestSetup, shownFinal } from '../support/slack-requests.js';
import { testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/** The bot under the failures production brings: a Redis restart, Slack throttling, floods, hostile input. */
let h: BotHarness | undefined;
let redisServer: { process: ChildProcess; port: number; dir: string } | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  if (redisServer) {
    redisServer.process.kill('SIGKILL');
    await rm(redisServer.dir, { recursive: true, force: true });
    redisServer = undefined;
  }
});

/** Steps that record their effects; `gate` holds the named step until released. */
function plan(
  effects: string[],
  gate?: { step: string; released: Promise<void>; reached: () => void },
): RunPlanFactory {
  const step = (id: string): StepDefinition => ({
    id,
    title: `Step ${id}`,
    run: async () => {
      if (gate?.step === id) {
        gate.reached();
        await gate.released;
      }
      effects.push(id);
      return { summary: `${id} ok` };
    },
  });
  return {
    create: () => ({
      plan: {
        steps: ['preflight', 'lms', 'vault', 'concourse'].map(step),
        previewPhase: async () => ({ changes: false, summary: '' }),
      },
      close: async () => undefined,
    }),
  };
}

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

async function startPersistentRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--dir',
      dir,
    ],
    {
      stdio: 'ignore',
    },
  );
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  await waitFor(async () => (await probe.ping().catch(() => undefined)) === 'PONG', {
    what: 'redis to start',
  });
  probe.disconnect();
  return child;
}

describe('hardening', () => {
  it('loses no run when Redis (with AOF persistence) restarts in the middle of a step', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'rb-redis-'));
    redisServer = { process: await startPersistentRedis(port, dir), port, dir };
    let release = () => {};
    let reached = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reachedStep = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const effects: string[] = [];
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: plan(effects, { step: 'vault', released, reached }),
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    const runId = await requestSetup(h, 'mitxonline qa');
    await reachedStep;

    const exited = once(redisServer.process, 'exit');
    // SHUTDOWN never gets a reply; without this, ioredis would reconnect to resend it.
    const admin = new Redis({ port, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN').catch(() => undefined);
    admin.disconnect();
    await exited;
    redisServer.process = await startPersistentRedis(port, dir);
    release();

    const harness = h;
    await waitFor(async () => (await run(harness, runId).catch(() => undefined))?.status === 'succeeded', {
      what: 'the run to finish after the restart',
      timeoutMs: 60_000,
    }).catch(async (error: unknown) => {
      const state = JSON.stringify(await run(harness, runId).catch(() => undefined));
      const warnings = harness.logs.lines.filter((l) => /"level":(40|50)/.test(l)).slice(0, 8);
      throw new Error(`${String(error)}\nrun: ${state}\nwarnings:\n${warnings.join('\n')}`);
    });
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    expect((await run(harness, runId)).steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done']);
  }, 90_000);

  it('rides out Slack answering 429 (honouring Retry-After) and 5xx, posting each message once', async () => {
    const effects: string[] = [];
    h = await startBotHarness({ catalog: testCatalog(), plans: plan(effects) });
    h.slack.failNext('chat.postMessage', 429, 2, 1);
    h.slack.failNext('chat.update', 503, 2);
    const runId = await requestSetup(h, 'mitxonline qa');
    const harness = h;
    const done = await waitFor(
      async () => {
        const current = await run(harness, runId);
        return current.status === 'succeeded' && (await shownFinal(harness, current)) ? current : undefined;
      },
      { what: 'success despite Slack errors', timeoutMs: 60_000 },
    );
    expect(harness.slack.channelMessages('C0OPS')).toHaveLength(1);
    // Steps outside any phase share one thread message; the result follows it.
    expect(harness.slack.thread('C0OPS', done.cardTs as string).map((m) => m.text)).toEqual([
      'Steps: 1. Step preflight: done; 2. Step lms: done; 3. Step vault: done; 4. Step concourse: done',
      ':white_check_mark: Succeeded: Retirement setup · mitxonline qa',
    ]);
    const posts = harness.slack.callsTo('chat.postMessage');
    const retried = posts.slice(0, 3);
    expect(retried[2] && retried[1] ? retried[2].at - retried[1].at : 0).toBeGreaterThanOrEqual(900);
  }, 90_000);

  it('answers a flood of forged requests with 401 and queues nothing', async () => {
    h = await startBotHarness({ catalog: testCatalog(), plans: plan([]) });
    const harness = h;
    const body = new URLSearchParams({
      command: '/retirement',
      text: 'setup mitxonline qa',
      user_id: 'U1',
      channel_id: 'C1',
    }).toString();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        harness.driver.send(body, 'application/x-www-form-urlencoded', {
          signature: signSlackRequest(`forged-${i}`, Math.floor(Date.now() / 1000), body),
        }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([401]));
    const redis = new Redis(REDIS_URL);
    const keys = (await redis.keys(`${harness.prefix}*`)).filter(
      (key) => !/:bull:(runs|watch):(meta|stalled-check)$|:request:/.test(key),
    );
    redis.disconnect();
    expect(keys).toEqual([]);
    expect(harness.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  }, 60_000);

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile user types the shell's ${IFS} literally
    ['setup mitxonline;rm${IFS}-rf${IFS}/ qa', 'Unknown app'],
    ['setup mitxonline $(reboot)', 'Unknown environment'],
    ['setup `id` qa', 'Unknown app'],
    ['setup mïtxønline qa', 'Unknown app'],
    ['plan mitxonline qa\u0000', 'Unknown environment'],
    [`setup ${'a'.repeat(20_000)} qa`, 'That command is too long'],
    ['cancel r123;drop', 'is not a run id'],
  ])('rejects hostile arguments %# with a clear answer, changing nothing', async (text, expected) => {
    h ??= await startBotHarness({ catalog: testCatalog(), plans: plan([]) });
    const response = await h.driver.slash(text, { user: REQUESTER });
    expect(response.status).toBe(200);
    const answer = String(response.json?.text);
    expect(answer).toContain(expected);
    expect(answer.length).toBeLessThan(1_000);
    const redis = new Redis(REDIS_URL);
    const keys = (await redis.keys(`${h.prefix}*`)).filter(
      (key) => !/:bull:(runs|watch):(meta|stalled-check)$|:request:/.test(key),
    );
    redis.disconnect();
    expect(keys).toEqual([]);
  });
});
