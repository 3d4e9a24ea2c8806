import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_RETENTION_DAYS, AuditLog } from '../../../src/jobs/audit-log.js';
import { newRunRecord } from '../../../src/jobs/run-record.js';
import { RunStore } from '../../../src/jobs/run-store.js';
import { finishRun } from '../../../src/jobs/run-transitions.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('retention');
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
});

describe('bounded growth', () => {
  it('trims audit entries older than the retention as new ones arrive', async () => {
    const key = `${prefix}:audit`;
    const expired = Date.now() - (AUDIT_RETENTION_DAYS + 1) * 24 * 3600_000;
    await redis.xadd(key, `${expired}-0`, 'type', 'run_requested', 'runId', 'rold0000000');
    await new AuditLog(redis, key).append({ type: 'run_requested', runId: 'rnew0000000' });
    expect((await new AuditLog(redis, key).entries()).map((e) => e.runId)).toEqual(['rnew0000000']);
  });

  it('lets a finished run expire, and keeps an unfinished one', async () => {
    const store = new RunStore(redis, prefix);
    const run = newRunRecord({
      id: 'r0000000009',
      kind: 'plan',
      app: 'xpro',
      env: 'qa',
      requestedBy: 'U1',
      now: 1,
    });
    await store.create(run);
    expect(await redis.ttl(`${prefix}:run:${run.id}`)).toBe(-1);
    await store.mutate(run.id, finishRun('succeeded', undefined, 2).apply);
    const ttl = await redis.ttl(`${prefix}:run:${run.id}`);
    expect(ttl).toBeGreaterThan(89 * 24 * 3600);
  });
});
