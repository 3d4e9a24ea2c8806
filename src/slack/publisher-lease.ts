import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const HOLD_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * One publisher at a time across every worker process: Slack counts chat.update per workspace,
 * so two processes pacing themselves apart would together go over. The lease lapses when its
 * holder dies, and another process takes over.
 */
export class PublisherLease {
  private readonly owner = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease, or renews it when this process holds it; false when another does. */
  async hold(): Promise<boolean> {
    return (await this.redis.eval(HOLD_SCRIPT, 1, this.key, this.owner, String(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.owner);
  }
}
