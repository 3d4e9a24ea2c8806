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
});
