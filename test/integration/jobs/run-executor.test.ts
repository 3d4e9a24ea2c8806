import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { decideApproval } from '../../../src/jobs/approval-decision.js';
import { ApproverDirectory } from '../../../src/jobs/approver-directory.js';
import { AuditLog } from '../../../src/jobs/audit-log.js';
import type { ApprovalGate, RunPlanFactory, RunReporter } from '../../../src/jobs/ports.js';
import { RetryableRunError, RunExecutor } from '../../../src/jobs/run-executor.js';
import { RunJournal } from '../../../src/jobs/run-journal.js';
import { newRunRecord, type RunRecord } from '../../../src/jobs/run-record.js';
import { RunConflictError, RunStore } from '../../../src/jobs/run-store.js';
import type { StepDefinition } from '../../../src/jobs/step-definition.js';
import { createLogger } from '../../../src/logging/logger.js';
import { Metrics } from '../../../src/logging/metrics.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { APPROVER, testCatalog } from '../../support/test-catalog.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(prefixes.splice(0).map(deleteKeys));
});
afterAll(() => redis.disconnect());

const catalog = testCatalog();
const parkGate: ApprovalGate = { awaitDecision: async () => 'wait' };

/** Steps that record what they did, so a test can prove nothing ran twice. */
function recordingSteps(
  effects: string[],
  overrides: Partial<Record<string, StepDefinition['run']>> = {},
): StepDefinition[] {
  const step = (id: string, phase?: StepDefinition['phase']): StepDefinition => ({
    id,
    title: `Step ${id}`,
    ...(phase ? { phase } : {}),
    run:
      overrides[id] ??
      (async () => {
        effects.push(id);
        return { summary: `${id} done` };
      }),
  });
  return [
    step('preflight'),
    step('lms-a', 'lms'),
    step('lms-b', 'lms'),
    step('vault', 'credentials'),
    step('concourse', 'concourse'),
  ];
}

function setup(steps: StepDefinition[], previewChanges = true) {
  const prefix = uniquePrefix('executor');
  prefixes.push(prefix);
  const store = new RunStore(redis, prefix);
  const audit = new AuditLog(redis, `${prefix}:audit`);
  const published: RunRecord[] = [];
  const reporter: RunReporter = {
    changed: async (run) => {
      published.push(run);
    },
    announce: async () => undefined,
  };
  const plans: RunPlanFactory = {
    create: () => ({
      plan: {
        steps,
        previewPhase: async (phase) => ({ changes: previewChanges, summary: `${phase} will change` }),
      },
      close: async () => undefined,
    }),
  };
  const logger = createLogger({ level: 'silent', redactor: new SecretRedactor() });
  const journal = new RunJournal({
    store,
    audit,
    metrics: new Metrics({ defaultMetrics: false }),
    reporter,
    logger,
  });
  const executor = new RunExecutor({ journal, catalog, plans, logger });
  const approvers = new ApproverDirectory(async () => []);
  const newRun = async (env = 'qa', id = `r${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}`) => {
    const run = newRunRecord({
      id,
      kind: 'setup',
      app: 'mitxonline',
      env,
      requestedBy: 'U0REQUESTER',
      now: Date.now(),
    });
    await store.create(run);
    return run;
  };
  const decide = (
    runId: string,
    phase: 'lms' | 'credentials' | 'concourse',
    decision: 'approved' | 'rejected',
    userId = APPROVER,
  ) => decideApproval({ runId, phase, decision, userId }, { journal, catalog, approvers });
  return { store, audit, executor, published, newRun, decide };
}

describe('RunExecutor', () => {
  it('runs every step once, in order, and releases the pair', async () => {
    const effects: string[] = [];
    const { executor, store, newRun, audit } = setup(recordingSteps(effects));
    const run = await newRun();
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'succeeded',
    });
    expect(effects).toEqual(['preflight', 'lms-a', 'lms-b', 'vault', 'concourse']);
    const stored = await store.get(run.id);
    expect(stored?.steps.map((s) => [s.id, s.status, s.summary])).toEqual([
      ['preflight', 'done', 'preflight done'],
      ['lms-a', 'done', 'lms-a done'],
      ['lms-b', 'done', 'lms-b done'],
      ['vault', 'done', 'vault done'],
      ['concourse', 'done', 'concourse done'],
    ]);
    expect(await store.activeRunId('mitxonline', 'qa')).toBeUndefined();
    const types = (await audit.entries(run.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'step_finished')).toHaveLength(5);
    expect(types.at(-1)).toBe('run_finished');
  });

  it('hands transient failures back for a retry and resumes at that step with its checkpoint', async () => {
    const effects: string[] = [];
    let vaultCalls = 0;
    const steps = recordingSteps(effects, {
      vault: async (context) => {
        vaultCalls += 1;
        if (!context.checkpoint.written) {
          effects.push('vault-write');
          await context.saveCheckpoint({ written: true });
        }
        if (vaultCalls === 1)
          throw new BotError({ code: 'vault_timeout', userMessage: 'Vault timed out.', retryable: true });
        return { summary: 'written once' };
      },
    });
    const { executor, store, newRun } = setup(steps);
    const run = await newRun();
    await expect(executor.execute(run.id, { gate: parkGate, canRetry: true })).rejects.toBeInstanceOf(
      RetryableRunError,
    );
    expect((await store.get(run.id))?.steps.find((s) => s.id === 'vault')?.summary).toBe(
      'Vault timed out. Retrying…',
    );
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'succeeded',
    });
    expect(effects).toEqual(['preflight', 'lms-a', 'lms-b', 'vault-write', 'concourse']);
  });

  it('fails a run on a permanent error, naming the step, and frees the pair', async () => {
    const steps = recordingSteps([], {
      'lms-b': async () => {
        throw new BotError({ code: 'user_flags_mismatch', userMessage: 'The worker user is not staff.' });
      },
    });
    const { executor, store, newRun } = setup(steps);
    const run = await newRun();
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'failed',
    });
    const stored = await store.get(run.id);
    expect(stored?.error).toEqual({
      step: 'lms-b',
      code: 'user_flags_mismatch',
      message: 'The worker user is not staff.',
    });
    expect(stored?.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed', 'pending', 'pending']);
    expect(await store.activeRunId('mitxonline', 'qa')).toBeUndefined();
  });

  it('never shows an unexpected error message to users', async () => {
    const steps = recordingSteps([], {
      preflight: async () => {
        throw new Error('socket hang up at 10.0.0.1 with token hvs.SECRET');
      },
    });
    const { executor, store, newRun } = setup(steps);
    const run = await newRun();
    await executor.execute(run.id, { gate: parkGate, canRetry: false });
    expect((await store.get(run.id))?.error?.message).toBe(
      'An internal error occurred; the details are in the bot logs.',
    );
  });

  it('parks a production run before each mutating phase until an approver decides', async () => {
    const effects: string[] = [];
    const { executor, store, newRun, decide } = setup(recordingSteps(effects));
    const run = await newRun('production');
    const parked = await executor.execute(run.id, { gate: parkGate, canRetry: true });
    expect(parked.kind).toBe('parked');
    expect(effects).toEqual(['preflight']);
    const waiting = await store.get(run.id);
    expect(waiting?.status).toBe('awaiting_approval');
    expect(waiting?.approvals).toMatchObject([
      { phase: 'lms', status: 'pending', changes: 'lms will change' },
    ]);

    expect((await decide(run.id, 'lms', 'approved')).kind).toBe('decided');
    expect((await executor.execute(run.id, { gate: parkGate, canRetry: true })).kind).toBe('parked');
    expect(effects).toEqual(['preflight', 'lms-a', 'lms-b']);
    await decide(run.id, 'credentials', 'approved');
    await executor.execute(run.id, { gate: parkGate, canRetry: true });
    await decide(run.id, 'concourse', 'approved');
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'succeeded',
    });
    expect(effects).toEqual(['preflight', 'lms-a', 'lms-b', 'vault', 'concourse']);
    expect((await store.get(run.id))?.approvals.map((a) => [a.phase, a.status, a.decidedBy])).toEqual([
      ['lms', 'approved', APPROVER],
      ['credentials', 'approved', APPROVER],
      ['concourse', 'approved', APPROVER],
    ]);
  });

  it('ends a rejected run without touching the phase', async () => {
    const effects: string[] = [];
    const { executor, store, newRun, decide } = setup(recordingSteps(effects));
    const run = await newRun('production');
    await executor.execute(run.id, { gate: parkGate, canRetry: true });
    await decide(run.id, 'lms', 'rejected');
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'rejected',
    });
    expect(effects).toEqual(['preflight']);
    expect(await store.activeRunId('mitxonline', 'production')).toBeUndefined();
  });

  it('refuses self-approval, non-approvers and second decisions', async () => {
    const { executor, newRun, decide } = setup(recordingSteps([]));
    const run = await newRun('production');
    await executor.execute(run.id, { gate: parkGate, canRetry: true });
    expect(await decide(run.id, 'lms', 'approved', 'U0REQUESTER')).toEqual({
      kind: 'refused',
      message: 'You are not an approver for mitxonline production; nothing was changed.',
    });
    expect(await decide(run.id, 'lms', 'approved', 'U0STRANGER')).toMatchObject({ kind: 'refused' });
    expect((await decide(run.id, 'lms', 'approved')).kind).toBe('decided');
    expect(await decide(run.id, 'lms', 'rejected')).toEqual({
      kind: 'refused',
      message: `Already approved by <@${APPROVER}>; nothing more to do.`,
    });
  });

  it('expires an approval nobody decided on', async () => {
    const { executor, store, newRun, decide } = setup(recordingSteps([]));
    const run = await newRun('production');
    await executor.execute(run.id, { gate: parkGate, canRetry: true });
    await store.mutate(run.id, (r) => ({
      ...r,
      approvals: r.approvals.map((a) => ({ ...a, expiresAt: Date.now() - 1 })),
    }));
    expect((await decide(run.id, 'lms', 'approved')).kind).toBe('refused');
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'expired',
    });
    expect((await store.get(run.id))?.approvals[0]?.status).toBe('expired');
  });

  it('skips the approval when the phase has nothing to change', async () => {
    const effects: string[] = [];
    const { executor, newRun } = setup(recordingSteps(effects), false);
    const run = await newRun('production');
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'succeeded',
    });
    expect(effects).toHaveLength(5);
  });

  it('stops a cancelled run at the next step boundary', async () => {
    const effects: string[] = [];
    const { executor, store, newRun } = setup(
      recordingSteps(effects, {
        'lms-a': async () => {
          effects.push('lms-a');
          await store.mutate(run.id, (r) => ({ ...r, cancelRequestedBy: 'U0REQUESTER' }));
          return { summary: 'done' };
        },
      }),
    );
    const run = await newRun();
    expect(await executor.execute(run.id, { gate: parkGate, canRetry: true })).toEqual({
      kind: 'finished',
      status: 'cancelled',
    });
    expect(effects).toEqual(['preflight', 'lms-a']);
  });

  it('keeps one setup per pair at a time', async () => {
    const { newRun } = setup(recordingSteps([]));
    const first = await newRun('qa', 'r0000000001');
    await expect(newRun('qa', 'r0000000002')).rejects.toEqual(new RunConflictError(first.id));
  });
});
