import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SharedRateBudgets } from '../../../src/slack/shared-rate-budgets.js';
import {
  ARRIVAL_MARGIN_MS,
  LocalRateBudgets,
  pace,
  SlackRateGate,
} from '../../../src/slack/slack-rate-gate.js';
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

  it.each(budgetsUnderTest)(
    'lets a write that can wait take a slot only while one is left for others, %s',
    async (_, make) => {
      const budgets = make();
      const progress = -1_200; // leave one chat.update slot of the burst
      expect(await budgets.reserve('chat.update', update, 1_000_000, progress)).toBe(0);
      expect(await budgets.reserve('chat.update', update, 1_000_000, progress)).toBe(0);
      expect(await budgets.reserve('chat.update', update, 1_000_000, progress)).toBeUndefined();
      // The slot it left is there for a write that may not wait.
      expect(await budgets.reserve('chat.update', update, 1_000_000, 0)).toBe(0);
      expect(await budgets.reserve('chat.update', update, 1_000_000, 0)).toBeUndefined();
    },
  );

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

  it('keeps part of the burst in hand, so calls that reach Slack out of slot order stay within its limit', async () => {
    // Slack counts arrivals against 1 a second per channel with a burst of 3 (a generic cell rate).
    const slackRefuses = (arrivals: number[]) => {
      let due = 0;
      let refused = 0;
      for (const at of [...arrivals].sort((a, b) => a - b)) {
        const start = Math.max(due, at);
        if (start - 2_000 > at) refused += 1;
        else due = start + 1_000;
      }
      return refused;
    };
    const limit = { perMinute: 60, burst: 3, perChannel: true };
    const arrivalsWith = async (p: { interval: number; tolerance: number }) => {
      const budgets = new LocalRateBudgets();
      // A lone call reserved at 0 reaches Slack 450 ms late (its render and intent took that long)…
      const first = (await budgets.reserve('chat.postMessage C1', p, 0, 60_000)) ?? Number.NaN;
      const arrivals = [first + ARRIVAL_MARGIN_MS - 50];
      // …then three more are reserved at 500 and sent as soon as their slots allow.
      for (let i = 0; i < 3; i += 1)
        arrivals.push(500 + ((await budgets.reserve('chat.postMessage C1', p, 500, 60_000)) ?? Number.NaN));
      return arrivals;
    };
    const whole = { interval: 1_000, tolerance: 2_000 };
    expect(slackRefuses(await arrivalsWith(whole))).toBeGreaterThan(0);
    expect(pace(limit)).toEqual({ interval: 1_000, tolerance: 2_000 - ARRIVAL_MARGIN_MS });
    expect(slackRefuses(await arrivalsWith(pace(limit)))).toBe(0);
  });
});
