import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/jobs/audit-log.js';
import type { RunPlanFactory } from '../../../src/jobs/ports.js';
import { RunExecutor } from '../../../src/jobs/run-executor.js';
import { RunJournal } from '../../../src/jobs/run-journal.js';
import { RunParked } from '../../../src/jobs/run-parked.js';
import { newRunRecord } from '../../../src/jobs/run-record.js';
import { RunStore } from '../../../src/jobs/run-store.js';
import { requestCancel } from '../../../src/jobs/run-transitions.js';
import type { StepDefinition } from '../../../src/jobs/step-definition.js';
import { createLogger } from '../../../src/logging/logger.js';
import { Metrics } from '../../../src/logging/metrics.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { testCatalog } from '../../support/test-catalog.js';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('parked');
afterEach(() => deleteKeys(prefix));
afterAll(() => redis.disconnect());

/** A step that waits on something outside: it parks twice, then goes on. */
describe('a step that parks the run', () => {
  it('parks (polling) with its summary shown, resumes in the same step, and cancels while parked', async () => {
    let checks = 0;
    const after: string[] = [];
    const steps: StepDefinition[] = [
      {
        id: 'wait-merge',
        title: 'Waits for a merge',
        async run(context) {
          checks += 1;
          if (checks < 3) {
            await context.saveCheckpoint({ checks });
            throw new RunParked(Date.now() + 60_000, `Waiting (check ${checks})`);
          }
          return { summary: `merged after ${context.checkpoint.checks} parked checks` };
        },
      },
      {
        id: 'next',
        title: 'Next',
        run: async () => {
          after.push('next');
          return { summary: 'next done' };
        },
      },
    ];
    const plans: RunPlanFactory = {
      create: () => ({
        plan: { steps, previewPhase: async () => ({ changes: false, summary: '' }) },
        close: async () => undefined,
      }),
    };
    const store = new RunStore(redis, prefix);
    const logger = createLogger({ level: 'silent', redactor: new SecretRedactor() });
    const journal = new RunJournal({
      store,
      audit: new AuditLog(redis, `${prefix}:audit`),
      metrics: new Metrics({ defaultMetrics: false }),
      reporter: { changed: async () => undefined, announce: async () => undefined },
      logger,
    });
    const executor = new RunExecutor({ journal, catalog: testCatalog(), plans, logger });
    const gate = { awaitDecision: async () => 'wait' as const };
    const newRun = async (id: string) => {
      const run = newRunRecord({
        id,
        kind: 'setup',
        app: 'mitxonline',
        env: 'qa',
        requestedBy: 'U0R',
        now: Date.now(),
      });
      await store.create(run);
      return run;
    };

    const run = await newRun('r0parked00a');
    const first = await executor.execute(run.id, { gate, canRetry: true });
    expect(first).toMatchObject({ kind: 'parked', polling: true });
    const parked = await store.get(run.id);
    expect(parked?.status).toBe('running');
    expect(parked?.steps[0]).toMatchObject({ status: 'running', summary: 'Waiting (check 1)' });
    await executor.execute(run.id, { gate, canRetry: true });
    const done = await executor.execute(run.id, { gate, canRetry: true });
    expect(done).toEqual({ kind: 'finished', status: 'succeeded' });
    expect((await store.get(run.id))?.steps[0]?.summary).toBe('merged after 2 parked checks');
    expect(after).toEqual(['next']);

    checks = 0;
    const cancelled = await newRun('r0parked00b');
    await executor.execute(cancelled.id, { gate, canRetry: true });
    await journal.apply(cancelled.id, requestCancel('U0R'), { show: false });
    expect(await executor.execute(cancelled.id, { gate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'cancelled',
    });
    expect(checks).toBe(1);
  });
});
