import { Redis } from 'ioredis';

/** Fails fast with a clear message instead of a wall of connection errors in every test. */
export default async function checkRedis(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Tests need Redis at 127.0.0.1:6379 (run scripts/test, which starts it): ${error}`);
  } finally {
    redis.disconnect();
  }
}
