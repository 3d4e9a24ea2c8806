import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/jobs/audit-log.js';
import type { RunReporter, RunScheduler } from '../../../src/jobs/ports.js';
import { PublishBacklog, SHOWN_TTL_MS } from '../../../src/jobs/publish-backlog.js';
import { RunJournal } from '../../../src/jobs/run-journal.js';
import { RECENTLY_FINISHED_MS, reconcileRuns } from '../../../src/jobs/run-reconciler.js';
import { newRunRecord } from '../../../src/jobs/run-record.js';
import { RunStore } from '../../../src/jobs/run-store.js';
import { finishRun } from '../../../src/jobs/run-transitions.js';
import { createLogger } from '../../../src/logging/logger.js';
import { Metrics } from '../../../src/logging/metrics.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
afterAll(async () => {
  await Promise.all(prefixes.map(deleteKeys));
  redis.disconnect();
});

function world() {
  const prefix = uniquePrefix('backlog');
  prefixes.push(prefix);
  const store = new RunStore(redis, prefix);
  const backlog = new PublishBacklog(redis, prefix);
  // As the Slack reporter does: a change only marks the run in the backlog.
  const reporter: RunReporter = {
    changed: (run) => backlog.mark(run.id, run.revision ?? 0),
    announce: async () => undefined,
  };
  const logger = createLogger({ level: 'silent', redactor: new SecretRedactor() });
  const journal = new RunJournal({
    store,
    audit: new AuditLog(redis, `${prefix}:audit`),
    metrics: new Metrics({ defaultMetrics: false }),
    reporter,
    logger,
  });
  const scheduler: RunScheduler = {
    enqueue: async () => undefined,
    wake: async () => undefined,
    jobState: async () => 'live',
  };
  const reconcile = (now = Date.now()) =>
    reconcileRuns({ store, journal, scheduler, backlog, logger, graceMs: 0, now: () => now });
  return { prefix, store, backlog, reconcile };
}

/** A Slack run finished by a process that died before marking it in the backlog. */
async function finishedUnmarked(store: RunStore, id: string, finishedAt: number) {
  const run = newRunRecord({
    id,
    kind: 'setup',
    app: 'mitxonline',
    env: 'qa',
    requestedBy: 'U0ALICE',
    channel: 'C1',
    now: finishedAt - 1_000,
  });
  await store.create(run);
  const finish = finishRun('succeeded', undefined, finishedAt);
  return store.mutate(id, (r) => {
    const next = finish.apply(r);
    return next && { ...next, revision: (r.revision ?? 0) + 1 };
  });
}

describe('the publish backlog', () => {
  it('keeps what Slack shows per run under an expiring key, not in one hash that only grows', async () => {
    const { prefix, backlog } = world();
    await backlog.mark('r0000000001', 3);
    await backlog.published('r0000000001', 3);
    await backlog.published('r0000000001', 2);
    expect(await backlog.shownRevision('r0000000001')).toBe(3);
    const ttl = await redis.pttl(`${prefix}:publish:shown:r0000000001`);
    expect(ttl).toBeGreaterThan(SHOWN_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(SHOWN_TTL_MS);
    expect(await redis.exists(`${prefix}:publish:shown`)).toBe(0);
    expect(await backlog.pending()).toEqual([]);
  });

  it('queues again a finished run whose final state never reached the backlog, once', async () => {
    const { store, backlog, reconcile } = world();
    const run = await finishedUnmarked(store, 'r0000000002', Date.now());
    expect(await store.activeRunId('mitxonline', 'qa')).toBeUndefined();
    expect(await backlog.pending()).toEqual([]);

    await reconcile();
    expect((await backlog.pending()).map((p) => [p.runId, p.revision])).toEqual([[run.id, run.revision]]);

    // Once Slack shows it, the reconciler leaves it alone.
    await backlog.published(run.id, run.revision ?? 0);
    await reconcile();
    expect(await backlog.pending()).toEqual([]);
  });

  it('leaves alone a run that finished longer ago than it looks back', async () => {
    const { store, backlog, reconcile } = world();
    const finishedAt = Date.now() - RECENTLY_FINISHED_MS - 60_000;
    await finishedUnmarked(store, 'r0000000003', finishedAt);
    await reconcile();
    expect(await backlog.pending()).toEqual([]);
  });
});
