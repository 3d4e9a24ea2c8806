import type { Redis } from 'ioredis';

/** Slack keeps a published Home tab; people who have not opened it for this long are not redrawn. */
const VIEWER_TTL_MS = 30 * 86_400_000;

/**
 * Who has opened the bot's App Home, so a change of health can redraw their board: a sorted set
 * scored by the last opening, trimmed of those gone quiet.
 */
export class BoardViewers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  async add(userId: string): Promise<void> {
    await this.redis.zadd(this.key, this.now(), userId);
  }

  async list(): Promise<string[]> {
    await this.redis.zremrangebyscore(this.key, '-inf', String(this.now() - VIEWER_TTL_MS));
    return this.redis.zrange(this.key, '0', '-1');
  }

  private get key(): string {
    return `${this.prefix}:home-viewers`;
  }
}
