import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The sandbox's emulators start empty and keep nothing, so its Redis state must not outlive
 * them either: each start takes its own key prefix (`<REDIS_PREFIX>:sandbox:<start id>`), so a
 * restarted sandbox never shows runs, locks or history its new emulators know nothing of, and
 * two sandboxes sharing a Redis never see each other. The prefix's keys are deleted at stop.
 */
export function sandboxPrefix(basePrefix: string): string {
  return `${basePrefix}:sandbox:${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS or FLUSH: the Redis may be shared). */
export async function forgetSandboxState(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
