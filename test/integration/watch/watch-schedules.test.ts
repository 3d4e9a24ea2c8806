import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWatchQueue,
  createWatchWorker,
  syncWatchSchedules,
  type WatchJobData,
} from '../../../src/jobs/watch/watch-queue.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { CapturedLogs } from '../../support/bot-harness.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * BullMQ job schedulers: however many workers share the queue, a watched pair is checked once per
 * interval; a pair turned off loses its scheduler.
 */
const EVERY_MS = 400;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function connection(): Redis {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  closers.push(async () => redis.disconnect());
  return redis;
}

describe('watch schedules', () => {
  it('checks each pair once per interval across two workers, and stops a pair turned off', async () => {
    const prefix = uniquePrefix('watch');
    closers.push(() => deleteKeys(prefix));
    const logger = createLogger({
      level: 'warn',
      redactor: new SecretRedactor(),
      destination: new CapturedLogs(),
    });
    const checks: { pair: string; at: number; worker: number }[] = [];
    for (const worker of [1, 2]) {
      const w = createWatchWorker({
        connection: connection(),
        prefix,
        logger,
        concurrency: 2,
        handle: async (data: WatchJobData) => {
          checks.push({ pair: `${data.app}/${data.env}`, at: Date.now(), worker });
        },
      });
      closers.push(() => w.close());
    }
    const queue = createWatchQueue(connection(), prefix);
    closers.push(() => queue.close());
    const pairs = [
      { app: 'mitxonline', env: 'qa', everyMs: EVERY_MS },
      { app: 'xpro', env: 'qa', everyMs: EVERY_MS },
    ];
    // Both processes sync at start, as every worker process does.
    await Promise.all([syncWatchSchedules(queue, pairs), syncWatchSchedules(queue, pairs)]);
    const started = Date.now();
    await waitFor(() => checks.filter((c) => c.pair === 'xpro/qa').length >= 5, { what: 'five checks' });
    const elapsed = Date.now() - started;

    for (const pair of ['mitxonline/qa', 'xpro/qa']) {
      const times = checks.filter((c) => c.pair === pair).map((c) => c.at);
      expect(times.length).toBeLessThanOrEqual(Math.ceil(elapsed / EVERY_MS) + 1);
      const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
      // One check per interval: never two in the same one, whichever worker took it.
      for (const gap of gaps) expect(gap).toBeGreaterThan(EVERY_MS / 2);
    }

    await syncWatchSchedules(queue, [
      pairs[0] as (typeof pairs)[0],
      { app: 'xpro', env: 'qa', everyMs: undefined },
    ]);
    const ids = (await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key);
    expect(ids).toEqual(['watch:mitxonline/qa']);
    const xproChecks = checks.filter((c) => c.pair === 'xpro/qa').length;
    await new Promise((resolve) => setTimeout(resolve, EVERY_MS * 3));
    expect(checks.filter((c) => c.pair === 'xpro/qa').length).toBeLessThanOrEqual(xproChecks + 1);
  }, 30_000);
});
