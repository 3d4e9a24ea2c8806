import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../emulators/slack/slack-driver.js';
import { type BotHarness, SIGNING_SECRET, startBotHarness } from '../support/bot-harness.js';
import { REDIS_URL } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

let h: BotHarness;
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  h = await startBotHarness();
});
afterAll(async () => {
  await h.stop();
  redis.disconnect();
});

/** Run records, locks, history and BullMQ jobs: what a queued request would leave behind (the request ids kept to act once are bookkeeping, not a change). */
const keysWritten = async () =>
  (await redis.keys(`${h.prefix}*`)).filter(
    (key) => !/:bull:(runs|watch):(meta|stalled-check)$|:request:/.test(key),
  );

describe('/retirement over signed HTTP requests', () => {
  it('answers list with every configured pair, ephemerally', async () => {
    const response = await h.driver.slash('list');
    expect(response.status).toBe(200);
    expect(response.json?.response_type).toBe('ephemeral');
    const text = String(response.json?.text);
    expect(text).toContain('12 configured pairs');
    for (const target of h.catalog.all()) {
      expect(text).toContain(
        `*${target.app} ${target.env}*: LMS ${target.lmsUrl}, Concourse ${target.concourse.url}`,
      );
    }
  });

  it('answers help for help and for an empty command', async () => {
    for (const text of ['help', '']) {
      const response = await h.driver.slash(text);
      expect(String(response.json?.text)).toContain('/retirement setup &lt;app&gt; &lt;env&gt;');
    }
  });

  it.each([
    [
      'frobnicate',
      'Unknown subcommand `frobnicate`. Valid subcommands: setup, plan, rotate, check, status, cancel, audit, history, list, help.',
    ],
    ['setup edx qa', 'Unknown app `edx`. Valid apps: mitxonline, mitx, mitx-staging, xpro.'],
    [
      'setup mitxonline prod',
      'Unknown environment `prod` for mitxonline. Valid environments: ci, qa, production.',
    ],
    ['plan xpro', 'Usage: `/retirement plan &lt;app&gt; &lt;env&gt;`.'],
    ['status mitx', 'Give both an app and an environment, or neither'],
    ['cancel 42', '`42` is not a run id'],
    ['audit', 'Usage: `/retirement audit &lt;run-id&gt;`'],
    ['setup mitxonline qa now', 'Too many arguments for setup.'],
  ])('rejects %j with a specific answer and queues nothing', async (text, expected) => {
    const response = await h.driver.slash(text);
    expect(response.status).toBe(200);
    expect(String(response.json?.text)).toContain(expected);
    expect(await keysWritten()).toEqual([]);
  });

  it('answers a mention of an unknown app like the slash command, in its thread', async () => {
    await h.driver.mention('status of foo production?');
    const answer = await waitFor(() =>
      h.slack.callsTo('chat.postMessage').find((call) => String(call.params.text).includes('foo')),
    );
    expect(answer.params.text).toBe('Unknown app `foo`. Valid apps: mitxonline, mitx, mitx-staging, xpro.');
    expect(answer.params.thread_ts).toBeDefined();
    expect(await keysWritten()).toEqual([]);
  });

  it('rejects a forged signature with 401 and queues nothing', async () => {
    const body = new URLSearchParams({
      command: '/retirement',
      text: 'setup mitxonline qa',
      user_id: 'U1',
      channel_id: 'C1',
    }).toString();
    const forged = await h.driver.send(body, 'application/x-www-form-urlencoded', {
      signature: signSlackRequest('not-the-secret', Math.floor(Date.now() / 1000), body),
    });
    expect(forged.status).toBe(401);
    const unsigned = await h.driver.send(body, 'application/x-www-form-urlencoded', {
      signature: 'v0=deadbeef',
    });
    expect(unsigned.status).toBe(401);
    expect(await keysWritten()).toEqual([]);
  });

  it('rejects a correctly signed but stale request (replay window is 5 minutes) with 401', async () => {
    const body = new URLSearchParams({
      command: '/retirement',
      text: 'setup mitxonline qa',
      user_id: 'U1',
      channel_id: 'C1',
    }).toString();
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await h.driver.send(body, 'application/x-www-form-urlencoded', {
      timestamp: stale,
      signature: signSlackRequest(SIGNING_SECRET, stale, body),
    });
    expect(response.status).toBe(401);
    expect(await keysWritten()).toEqual([]);
  });
});

describe('operational endpoints', () => {
  it('reports health with the Redis check', async () => {
    const response = await fetch(`${h.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { redis: 'ok' } });
  });

  it('exposes Prometheus metrics, counting the commands above', async () => {
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('retirement_bot_slash_commands_total{subcommand="list",outcome="ok"} 1');
    expect(text).toMatch(/retirement_bot_queue_jobs\{state="waiting"\} 0/);
  });
});
