import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';

/** The three connections a bot process keeps, each tuned for what it serves. */
export interface RedisConnections {
  /** Slack requests: fails fast while Redis is away instead of queueing behind Slack's 3 seconds. */
  requests: Redis;
  /** BullMQ's queue and worker (which require maxRetriesPerRequest: null). */
  queue: Redis;
  /** Runs: their writes wait out a Redis restart instead of failing the run. */
  runs: Redis;
  /**
   * The Slack publisher's: its run store WATCHes keys, and WATCH is per connection, so it may not
   * share one with the worker's run store.
   */
  publishing: Redis;
  disconnect(): void;
}

export function openRedisConnections(url: string, logger: Logger): RedisConnections {
  const requests = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
  const queue = new Redis(url, { maxRetriesPerRequest: null });
  const runs = new Redis(url, { maxRetriesPerRequest: null });
  const publishing = new Redis(url, { maxRetriesPerRequest: null });
  requests.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  queue.on('error', (error) => logger.warn({ err: error }, 'redis (queue) connection error'));
  runs.on('error', (error) => logger.warn({ err: error }, 'redis (runs) connection error'));
  publishing.on('error', (error) => logger.warn({ err: error }, 'redis (publishing) connection error'));
  return {
    requests,
    queue,
    runs,
    publishing,
    disconnect() {
      requests.disconnect();
      queue.disconnect();
      runs.disconnect();
      publishing.disconnect();
    },
  };
}

/** The request connection refuses to queue while offline, so start only once it is connected. */
export async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
