import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SlackRateGate } from '../../../src/slack/slack-rate-gate.js';

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

  it('paces calls to the method\'s published limit: a burst at once, then one per interval', () => {
    let now = 0;
    const gate = new SlackRateGate({
      maxWaitMs: 60_000,
      limits: { 'chat.update': { perMinute: 50, burst: 3, perChannel: false } },
      now: () => now,
    });
    const waits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      waits.push(gate.waitMs('chat.update'));
      void gate.call('chat.update', async () => 'ok').catch(() => undefined);
    }
    // Three at once, then 1.2 s apart (60 000 ms / 50), each reserved in turn.
    expect(waits).toEqual([0, 0, 0, 1_200, 2_400]);
    now = 60_000;
    expect(gate.waitMs('chat.update')).toBe(0);
  });

  it('counts chat.postMessage per channel: a busy channel does not hold back another', () => {
    const now = 0;
    const gate = new SlackRateGate({
      maxWaitMs: 60_000,
      limits: { 'chat.postMessage': { perMinute: 60, burst: 1, perChannel: true } },
      now: () => now,
    });
    void gate.call('chat.postMessage', async () => 'ok', 'C1').catch(() => undefined);
    expect(gate.waitMs('chat.postMessage', 'C1')).toBe(1_000);
    expect(gate.waitMs('chat.postMessage', 'C2')).toBe(0);
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
