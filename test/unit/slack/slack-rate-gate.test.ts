import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedRateBudgets } from '../../../src/slack/shared-rate-budgets.js';
import { LocalRateBudgets, SlackRateGate } from '../../../src/slack/slack-rate-gate.js';
import { REDIS_URL, uniquePrefix } from '../../support/redis.js';

const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

const rateLimited = (seconds: number) => new webApi.WebAPIRateLimitedError(seconds);

describe('the Slack rate gate', () => {
  it('waits out a short Retry-After and sends again', async () => {
    const limited: string[] = [];
    const gate = new SlackRateGate({ maxWaitMs: 5_000, onRateLimited: (m) => limited.push(m) });
    const answers = [rateLimited(0.05), 'ok'];
    const sentAt: number[] = [];
    const result = await gate.call('chat.update', async () => {
      sentAt.push(Date.now());
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    });
    expect(result).toBe('ok');
    expect(limited).toEqual(['chat.update']);
    expect((sentAt[1] ?? 0) - (sentAt[0] ?? 0)).toBeGreaterThanOrEqual(45);
  });

  it('gives up at once on a Retry-After longer than it may wait, and sends nothing before it', async () => {
    const gate = new SlackRateGate({ maxWaitMs: 1_000 });
    let sent = 0;
    const call = () =>
      gate.call('chat.postMessage', async () => {
        sent += 1;
        throw rateLimited(60);
      });
    await expect(call()).rejects.toMatchObject({ code: 'slack_rate_limited', retryable: true });
    await expect(call()).rejects.toMatchObject({ code: 'slack_rate_limited' });
    expect(sent).toBe(1);
  });

  it('passes other errors through untouched', async () => {
    const gate = new SlackRateGate({ maxWaitMs: 1_000 });
    await expect(gate.call('chat.update', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });

  const update = { interval: 1_200, tolerance: 2_400 }; // 50 a minute, bursts of 3
  const budgetsUnderTest = [
    ['in this process', () => new LocalRateBudgets()],
    ['in Redis, shared by every process', () => new SharedRateBudgets(redis, uniquePrefix('budgets'))],
  ] as const;

  it.each(budgetsUnderTest)('paces a budget %s: a burst at once, then one per interval', async (_, make) => {
    const budgets = make();
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 5; i += 1)
      waits.push(await budgets.reserve('chat.update', update, 1_000_000, 60_000));
    expect(waits).toEqual([0, 0, 0, 1_200, 2_400]);
    expect(await budgets.reserve('chat.update', update, 1_000_000, 1_000)).toBeUndefined();
    expect(await budgets.reserve('chat.update', update, 1_060_000, 1_000)).toBe(0);
    expect(await budgets.reserve('chat.postMessage C2', update, 1_000_000, 0)).toBe(0);
    await budgets.block('chat.postMessage C2', 1_030_000, update, 1_000_000);
    expect(await budgets.reserve('chat.postMessage C2', update, 1_000_000, 60_000)).toBe(30_000);
  });

  it('refuses at once a call whose turn is further away than the caller may wait', async () => {
    const gate = new SlackRateGate({
      maxWaitMs: 500,
      limits: { 'chat.update': { perMinute: 1, burst: 1, perChannel: false } },
    });
    let sent = 0;
    const send = async () => {
      sent += 1;
      return 'ok';
    };
    await gate.call('chat.update', send);
    await expect(gate.call('chat.update', send)).rejects.toMatchObject({ code: 'slack_rate_limited' });
    expect(sent).toBe(1);
  });
});
