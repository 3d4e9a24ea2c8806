import { BotError } from '../errors.js';
import { slackRetryAfterSeconds } from './slack-errors.js';

/** One of Slack's published limits: so many calls a minute, a few at once, per workspace or per channel. */
export interface SlackLimit {
  perMinute: number;
  burst: number;
  perChannel: boolean;
}

export type SlackLimits = Readonly<Record<string, SlackLimit>>;

export interface SlackRateGateOptions {
  /** The method's own limits (chat.update, chat.postMessage…); methods not listed are not paced. */
  limits?: SlackLimits;
  /** The longest a caller waits for its turn (pacing or Retry-After) before giving up on this call. */
  maxWaitMs: number;
  onCall?: (method: string, outcome: 'ok' | 'error' | 'rate_limited') => void;
  onRateLimited?: (method: string) => void;
  now?: () => number;
}

/** A call is tried this often at most when Slack keeps answering 429. */
const MAX_ATTEMPTS = 3;

/**
 * Paces Web API calls to Slack's published limits, per method and, where Slack counts per channel
 * (chat.postMessage), per channel: each call reserves the next slot of its method's budget (a
 * generic cell rate: `perMinute` spread evenly, `burst` at once) and waits for it. After a 429 no
 * call to that method (or channel) is sent before the time Slack named. A caller waits only up to
 * `maxWaitMs`, so a rate-limited Slack delays a request by seconds, never by the half hour the
 * client's default retry policy allows.
 */
export class SlackRateGate {
  /** When the next call of each budget is due if calls came evenly (the "theoretical arrival time"). */
  private readonly due = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SlackRateGateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `maxWaitMs` overrides the gate's own for this call (the publisher may wait longer than a request). */
  async call<T>(method: string, send: () => Promise<T>, channel?: string, maxWaitMs?: number): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForTurn(method, channel, maxWaitMs ?? this.options.maxWaitMs);
      try {
        const answer = await send();
        this.options.onCall?.(method, 'ok');
        return answer;
      } catch (error) {
        const retryAfter = slackRetryAfterSeconds(error);
        this.options.onCall?.(method, retryAfter === undefined ? 'error' : 'rate_limited');
        if (retryAfter === undefined) throw error;
        this.options.onRateLimited?.(method);
        this.blockedUntil.set(this.budget(method, channel), this.now() + retryAfter * 1000);
        if (attempt >= MAX_ATTEMPTS) throw rateLimited(method, retryAfter);
      }
    }
  }

  /** How long a call to `method` in `channel` would wait now, without reserving anything. */
  waitMs(method: string, channel?: string): number {
    const budget = this.budget(method, channel);
    const now = this.now();
    const blocked = (this.blockedUntil.get(budget) ?? 0) - now;
    const limit = this.options.limits?.[method];
    if (!limit) return Math.max(0, blocked);
    const paced = Math.max(this.due.get(budget) ?? now, now) - pace(limit).tolerance - now;
    return Math.max(0, blocked, paced);
  }

  private async waitForTurn(method: string, channel: string | undefined, maxWaitMs: number): Promise<void> {
    const wait = this.waitMs(method, channel);
    if (wait > maxWaitMs) throw rateLimited(method, Math.ceil(wait / 1000));
    const limit = this.options.limits?.[method];
    if (limit) {
      const budget = this.budget(method, channel);
      const start = this.now() + wait;
      this.due.set(budget, Math.max(this.due.get(budget) ?? start, start) + pace(limit).interval);
    }
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private budget(method: string, channel: string | undefined): string {
    return this.options.limits?.[method]?.perChannel && channel ? `${method} ${channel}` : method;
  }
}

function pace(limit: SlackLimit): { interval: number; tolerance: number } {
  const interval = 60_000 / limit.perMinute;
  return { interval, tolerance: Math.max(0, limit.burst - 1) * interval };
}

function rateLimited(method: string, seconds: number): BotError {
  return new BotError({
    code: 'slack_rate_limited',
    userMessage: `Slack is rate-limiting ${method}; the bot tries again after ${seconds} s.`,
    retryable: true,
  });
}
