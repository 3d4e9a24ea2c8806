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
  /** Where budgets are kept; by default in this process. */
  budgets?: RateBudgets;
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
  private readonly now: () => number;
  private readonly budgets: RateBudgets;

  constructor(private readonly options: SlackRateGateOptions) {
    this.now = options.now ?? Date.now;
    this.budgets = options.budgets ?? new LocalRateBudgets();
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
        const limit = this.options.limits?.[method];
        const now = this.now();
        await this.budgets.block(this.budget(method, channel), now + retryAfter * 1000, pace(limit), now);
        if (attempt >= MAX_ATTEMPTS) throw rateLimited(method, retryAfter);
      }
    }
  }

  private async waitForTurn(method: string, channel: string | undefined, maxWaitMs: number): Promise<void> {
    const limit = this.options.limits?.[method];
    const budget = this.budget(method, channel);
    const wait = await this.budgets.reserve(budget, pace(limit), this.now(), maxWaitMs);
    if (wait === undefined) throw rateLimited(method, Math.max(1, Math.ceil(maxWaitMs / 1000)));
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private budget(method: string, channel: string | undefined): string {
    return this.options.limits?.[method]?.perChannel && channel ? `${method} ${channel}` : method;
  }
}

/** A budget's pace: one call per `interval`, up to `tolerance` ahead of it (the burst). */
export interface Pace {
  interval: number;
  tolerance: number;
}

/**
 * Where each budget's next slot is kept (a generic cell rate's "theoretical arrival time"): in
 * this process, or in Redis so every process of a deployment shares Slack's per-workspace and
 * per-channel budgets.
 */
export interface RateBudgets {
  /**
   * Reserves the next slot and returns how long to wait for it, or undefined (nothing reserved)
   * past `maxWaitMs`. A negative `maxWaitMs` takes a slot only while that much of the burst is
   * left over for others (writes that can wait leave room for those that cannot).
   */
  reserve(budget: string, pace: Pace, now: number, maxWaitMs: number): Promise<number | undefined>;
  /** Slack answered 429: nothing of this budget goes before `until`. */
  block(budget: string, until: number, pace: Pace, now: number): Promise<void>;
}

export class LocalRateBudgets implements RateBudgets {
  private readonly due = new Map<string, number>();

  async reserve(budget: string, pace: Pace, now: number, maxWaitMs: number): Promise<number | undefined> {
    const start = Math.max(this.due.get(budget) ?? now, now);
    const early = start - pace.tolerance - now;
    if (early > maxWaitMs) return undefined;
    const wait = Math.max(0, early);
    this.due.set(budget, Math.max(start, now + wait) + pace.interval);
    return wait;
  }

  async block(budget: string, until: number, pace: Pace, _now: number): Promise<void> {
    this.due.set(budget, Math.max(this.due.get(budget) ?? 0, until + pace.tolerance));
  }
}

/**
 * How much of a burst the gate keeps in hand. A call's slot is reserved before its body is
 * rendered and sent, so calls reach Slack a few hundred milliseconds apart from their slots, and
 * not always in slot order; Slack counts arrivals. Spending the whole burst at once lets a call
 * that was reserved earlier but sent later arrive over the limit (the 429s the bench saw).
 */
export const ARRIVAL_MARGIN_MS = 500;

/** A method without a configured limit is only held back by Retry-After. */
export function pace(limit: SlackLimit | undefined): Pace {
  if (!limit) return { interval: 0, tolerance: 0 };
  const interval = 60_000 / limit.perMinute;
  const tolerance = Math.max(0, limit.burst - 1) * interval;
  return { interval, tolerance: Math.max(0, tolerance - ARRIVAL_MARGIN_MS) };
}

function rateLimited(method: string, seconds: number): BotError {
  return new BotError({
    code: 'slack_rate_limited',
    userMessage: `Slack is rate-limiting ${method}; the bot tries again after ${seconds} s.`,
    retryable: true,
  });
}

/** Runs a write that the gate may refuse for want of a turn soon enough; undefined when it did. */
export async function inTurn<T>(write: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await write() };
  } catch (error) {
    if (error instanceof BotError && error.code === 'slack_rate_limited') return undefined;
    throw error;
  }
}
