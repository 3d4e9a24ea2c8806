import { BotError } from '../errors.js';
import { slackRetryAfterSeconds } from './slack-errors.js';

export interface SlackRateGateOptions {
  /** The longest a caller waits for a method's Retry-After before giving up on this call. */
  maxWaitMs: number;
  onRateLimited?: (method: string) => void;
  now?: () => number;
}

/** A call is tried this often at most when Slack keeps answering 429. */
const MAX_ATTEMPTS = 3;

/**
 * Honours Slack's Retry-After per method: after a 429 no call to that method is sent before the
 * time Slack named, and a caller waits for it only up to `maxWaitMs`, so a rate-limited Slack
 * delays a run by seconds, never by the half hour the client's default retry policy allows.
 */
export class SlackRateGate {
  private readonly blockedUntil = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SlackRateGateOptions) {
    this.now = options.now ?? Date.now;
  }

  async call<T>(method: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      await this.waitForTurn(method);
      try {
        return await send();
      } catch (error) {
        const retryAfter = slackRetryAfterSeconds(error);
        if (retryAfter === undefined) throw error;
        this.options.onRateLimited?.(method);
        this.blockedUntil.set(method, this.now() + retryAfter * 1000);
        if (attempt >= MAX_ATTEMPTS) throw rateLimited(method, retryAfter);
      }
    }
  }

  private async waitForTurn(method: string): Promise<void> {
    const wait = (this.blockedUntil.get(method) ?? 0) - this.now();
    if (wait <= 0) return;
    if (wait > this.options.maxWaitMs) throw rateLimited(method, Math.ceil(wait / 1000));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function rateLimited(method: string, seconds: number): BotError {
  return new BotError({
    code: 'slack_rate_limited',
    userMessage: `Slack is rate-limiting ${method}; the bot tries again after ${seconds} s.`,
    retryable: true,
  });
}
