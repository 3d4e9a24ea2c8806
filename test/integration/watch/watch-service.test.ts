import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../../src/config/catalog.js';
import { parseCatalog } from '../../../src/config/catalog.js';
import type { DriftReport } from '../../../src/jobs/watch/drift-check.js';
import { HealthStore } from '../../../src/jobs/watch/health-store.js';
import type { WatchAudience } from '../../../src/jobs/watch/watch-audience.js';
import { WatchService } from '../../../src/jobs/watch/watch-service.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { CapturedLogs } from '../../support/bot-harness.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { testCatalogYaml } from '../../support/test-catalog.js';

/**
 * What the alert channel hears, against the real Redis: each change once, even when several
 * checks of the pair run at the same time in different processes; nothing while silenced; a post
 * that failed is made by the next check.
 */
const redis = new Redis(REDIS_URL);
const target = parseCatalog(
  testCatalogYaml().replace('defaults:\n', 'defaults:\n  alerts: { channel: C0ALERTS }\n'),
).get('mitxonline', 'qa') as Target;
const ok: DriftReport = { checks: [{ id: 'pipeline', outcome: 'ok', message: 'unpaused' }] };
const paused: DriftReport = { checks: [{ id: 'pipeline', outcome: 'broken', message: 'paused' }] };

let prefix: string;
let now: number;
let report: DriftReport;
let posts: string[];
let failPosts: boolean;

beforeEach(() => {
  prefix = uniquePrefix('health');
  now = 1_800_000_000_000;
  report = ok;
  posts = [];
  failPosts = false;
});
afterAll(async () => {
  await deleteKeys('rbtest:health:');
  redis.disconnect();
});

/** One process's watch service; several share the Redis store as separate processes would. */
function service(): WatchService {
  const audience: WatchAudience = {
    announce: async (channel, t, record, kind) => {
      // Another process's check may finish meanwhile: let it.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failPosts) throw new Error('Slack is down');
      posts.push(`${channel} ${t.app} ${t.env} ${kind} ${record.health}`);
    },
    postResult: async () => undefined,
    healthChanged: async () => undefined,
  };
  return new WatchService({
    check: async () => report,
    store: new HealthStore(redis, prefix),
    audience,
    approvers: {
      isApprover: async (_target, userId) => userId === 'U0APPROVER',
      isOperator: async (_target, userId) => userId === 'U0OPERATOR',
    },
    logger: createLogger({ level: 'warn', redactor: new SecretRedactor(), destination: new CapturedLogs() }),
    now: () => now,
  });
}

const scheduled = { kind: 'scheduled' } as const;

describe('health changes', () => {
  it('posts nothing for a pair that was always ok, then each change once, with its since', async () => {
    const watch = service();
    await watch.check(target, scheduled);
    expect(posts).toEqual([]);
    report = paused;
    now += 60_000;
    const broken = await watch.check(target, scheduled);
    now += 60_000;
    const again = await watch.check(target, scheduled);
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken']);
    expect(again.since).toBe(broken.since);
    expect(again.checkedAt).toBe(broken.checkedAt + 60_000);
    report = ok;
    await watch.check(target, scheduled);
    await watch.check(target, scheduled);
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken', 'C0ALERTS mitxonline qa recovery ok']);
  });

  it('posts a change once when many processes check the pair at the same time', async () => {
    const processes = [service(), service(), service(), service()];
    await processes[0]?.check(target, scheduled);
    report = paused;
    await Promise.all(processes.map((watch) => watch.check(target, scheduled)));
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken']);
    report = ok;
    await Promise.all(processes.map((watch) => watch.check(target, scheduled)));
    expect(posts).toHaveLength(2);
  });

  it('holds changes back while silenced and posts what changed after', async () => {
    const watch = service();
    report = paused;
    await watch.check(target, scheduled);
    const silenced = await watch.silence(target, 3_600_000, 'U0OPERATOR');
    expect(silenced).toEqual({ ok: true, until: now + 3_600_000 });
    report = ok;
    await watch.check(target, scheduled);
    report = paused;
    await watch.check(target, scheduled);
    report = ok;
    await watch.check(target, scheduled);
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken']);
    now += 2 * 3_600_000;
    await watch.check(target, scheduled);
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken', 'C0ALERTS mitxonline qa recovery ok']);
  });

  it('leaves a change whose post failed to the next check', async () => {
    const watch = service();
    report = paused;
    failPosts = true;
    await watch.check(target, scheduled);
    expect(posts).toEqual([]);
    failPosts = false;
    await watch.check(target, scheduled);
    expect(posts).toEqual(['C0ALERTS mitxonline qa alert broken']);
  });

  it('records health but posts nothing for a pair without an alert channel', async () => {
    const quiet = { ...target, alerts: undefined };
    report = paused;
    const record = await service().check(quiet, scheduled);
    expect(record.health).toBe('broken');
    expect(posts).toEqual([]);
  });

  it("lets only the pair's approvers and operators silence it", async () => {
    const watch = service();
    report = paused;
    await watch.check(target, scheduled);
    expect(await watch.silence(target, 3_600_000, 'U0STRANGER')).toEqual({
      ok: false,
      message: 'Only an approver or operator of mitxonline qa can silence its alerts.',
    });
    expect((await watch.silence(target, 3_600_000, 'U0APPROVER')).ok).toBe(true);
  });

  it('refuses to silence a pair never checked', async () => {
    expect(await service().silence(target, 3_600_000, 'U0OPERATOR')).toEqual({
      ok: false,
      message: 'mitxonline qa has not been checked yet.',
    });
  });
});
