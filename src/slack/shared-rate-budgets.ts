import type { Redis } from 'ioredis';
import type { Pace, RateBudgets } from './slack-rate-gate.js';

/** Reserves the budget's next slot atomically; answers the wait, or -1 when it is longer than allowed. */
const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local early = start - tolerance - now
if early > tonumber(ARGV[4]) then return -1 end
local wait = math.max(0, early)
redis.call('SET', KEYS[1], tostring(start + interval), 'PX', math.floor(start + interval - now + tolerance + 60000))
return math.floor(wait)
`;

const BLOCK_SCRIPT = `
local due = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(ARGV[1]))
redis.call('SET', KEYS[1], tostring(due), 'PX', math.max(1, math.floor(due - tonumber(ARGV[2]) + 60000)))
`;

/**
 * Slack's budgets kept in Redis, so the web process (posting status cards) and the worker
 * processes (publishing run messages) together stay within one workspace's and one channel's
 * limits, rather than each pacing itself as if it were alone.
 */
export class SharedRateBudgets implements RateBudgets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async reserve(budget: string, pace: Pace, now: number, maxWaitMs: number): Promise<number | undefined> {
    const wait = Number(
      await this.redis.eval(
        RESERVE_SCRIPT,
        1,
        this.key(budget),
        String(now),
        String(pace.interval),
        String(pace.tolerance),
        String(maxWaitMs),
      ),
    );
    return wait < 0 ? undefined : wait;
  }

  async block(budget: string, until: number, pace: Pace): Promise<void> {
    await this.redis.eval(
      BLOCK_SCRIPT,
      1,
      this.key(budget),
      String(until + pace.tolerance),
      String(Date.now()),
    );
  }

  private key(budget: string): string {
    return `${this.prefix}:slack-budget:${budget}`;
  }
}
