import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../emulators/slack/slack-driver.js';
import { runCommand } from '../../src/cli/run-command.js';
import { TerminalRunReporter } from '../../src/cli/terminal-run-reporter.js';
import type { Target } from '../../src/config/catalog.js';
import { ApproverDirectory } from '../../src/jobs/approver-directory.js';
import { AuditLog } from '../../src/jobs/audit-log.js';
import type { RunPlanFactory, RunScheduler } from '../../src/jobs/ports.js';
import { RunExecutor } from '../../src/jobs/run-executor.js';
import { RunJournal } from '../../src/jobs/run-journal.js';
import { reconcileRuns } from '../../src/jobs/run-reconciler.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { RunService } from '../../src/jobs/run-service.js';
import { RunStore } from '../../src/jobs/run-store.js';
import { createLogger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/logging/metrics.js';
import { SecretRedactor } from '../../src/logging/secret-redactor.js';
import { ACTION_CANCEL, ACTION_RETRY } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, SIGNING_SECRET, startBotHarness } from '../support/bot-harness.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { scriptedPlan } from '../support/scripted-plan.js';
import {
  click,
  ephemeralTo,
  finalTs,
  REQUESTER,
  requestSetup,
  shownFinal,
} from '../support/slack-requests.js';
import { APPROVER_GROUP, SECOND_APPROVER, testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/** A crashing machine and a hostile or clumsy user: no pair wedged, no request acting twice. */
let h: BotHarness | undefined;
const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await Promise.all(prefixes.splice(0).map(deleteKeys));
});
afterAll(() => redis.disconnect());

const TWO_STEPS = [['preflight'], ['lms']] as const;

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;
const qa = () => testCatalog().get('mitxonline', 'qa') as Target;

describe('no crash leaves a pair refused', () => {
  it('queues a run whose process died between the ack and the queue, and frees the pair after it', async () => {
    const effects: string[] = [];
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan(effects, { steps: TWO_STEPS }),
      reconcile: { intervalMs: 200, graceMs: 300 },
    });
    const harness = h;
    // What a process killed right after its ack leaves: the run stored and the lock taken, no job.
    const orphan = await harness.bot.runs.request('setup', qa(), REQUESTER.id, 'C0OPS');
    await waitFor(async () => (await run(harness, orphan.id)).status === 'succeeded', {
      what: 'the orphan to run',
    });
    expect(effects).toEqual(['preflight', 'lms']);
    const next = await requestSetup(harness, 'mitxonline qa');
    await waitFor(async () => (await run(harness, next)).status === 'succeeded', { what: 'a new setup' });
  });

  it('releases the lock of a run that ended without releasing it', async () => {
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan([], { steps: TWO_STEPS }),
      reconcile: { intervalMs: 200, graceMs: 300 },
    });
    const harness = h;
    const ended = await harness.bot.runs.request('setup', qa(), REQUESTER.id, 'C0OPS');
    // A crash between writing the final status and releasing the lock (the old two-step end).
    await redis.set(`${harness.prefix}:run:${ended.id}`, JSON.stringify({ ...ended, status: 'succeeded' }));
    await waitFor(async () => (await harness.bot.store.activeRunId('mitxonline', 'qa')) === undefined, {
      what: 'the lock to be released',
    });
    const next = await requestSetup(harness, 'mitxonline qa');
    await waitFor(async () => (await run(harness, next)).status === 'succeeded', { what: 'a new setup' });
  });

  it('ends a run with no live job when it is cancelled, freeing the pair at once', async () => {
    h = await startBotHarness({ catalog: testCatalog(), plans: scriptedPlan([], { steps: TWO_STEPS }) });
    const harness = h;
    const orphan = await harness.bot.runs.request('setup', qa(), REQUESTER.id, 'C0OPS');
    await harness.driver.slash(`cancel ${orphan.id}`);
    const answer = await waitFor(() => ephemeralTo(harness, REQUESTER.id).at(-1)?.text, {
      what: 'the answer',
    });
    expect(answer).toBe(`Run \`${orphan.id}\` (mitxonline qa) is cancelled.`);
    expect((await run(harness, orphan.id)).status).toBe('cancelled');
    expect(await harness.bot.store.activeRunId('mitxonline', 'qa')).toBeUndefined();
  });
});

describe('a terminal run', () => {
  function terminal() {
    const prefix = uniquePrefix('terminal');
    prefixes.push(prefix);
    const store = new RunStore(redis, prefix);
    const logger = createLogger({ level: 'silent', redactor: new SecretRedactor() });
    const out = new PassThrough();
    const audit = new AuditLog(redis, `${prefix}:audit`);
    const journal = new RunJournal({
      store,
      audit,
      metrics: new Metrics({ defaultMetrics: false }),
      reporter: new TerminalRunReporter(out, new SecretRedactor()),
      logger,
    });
    const scheduler: RunScheduler = {
      enqueue: async () => undefined,
      wake: async () => undefined,
      jobState: async () => 'missing',
    };
    const catalog = testCatalog();
    const runs = new RunService({
      journal,
      store,
      scheduler,
      catalog,
      approvers: new ApproverDirectory(async () => []),
    });
    return { store, journal, runs, catalog, logger, scheduler, out, audit };
  }

  it('ends its run, failed with the reason, on an error outside any step, in one line', async () => {
    const { store, journal, runs, catalog, logger, out, audit } = terminal();
    const broken: RunPlanFactory = {
      create: () => {
        throw new Error('Vault is not configured');
      },
    };
    const stderr = new PassThrough();
    const deps = {
      catalog,
      runs,
      executor: new RunExecutor({ journal, catalog, plans: broken, logger }),
      journal,
      status: { readPipeline: async () => Promise.reject(new Error('unused')), store },
      audit,
      stdin: new PassThrough(),
      stdout: out,
      stderr,
      user: 'cli:test',
      interactive: false,
    };
    const code = await runCommand(['setup', 'mitxonline', 'qa', '--yes'], deps);
    expect(code).toBe(1);
    const lines = String(stderr.read()).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^retirement-bot: run r[0-9a-z]{10} failed: An internal error occurred/);
    const [ended] = await store.history({ app: 'mitxonline', env: 'qa', limit: 1 });
    expect(ended?.status).toBe('failed');
    expect(await store.activeRunId('mitxonline', 'qa')).toBeUndefined();

    // `run audit <run-id>` prints the trail: who asked, and how the run ended.
    const trailOut = new PassThrough();
    expect(await runCommand(['audit', ended?.id ?? ''], { ...deps, stdout: trailOut })).toBe(0);
    const trail = String(trailOut.read()).trimEnd().split('\n');
    expect(trail[0]).toMatch(/^\S+Z {2}cli:test {2}requested setup of mitxonline qa$/);
    expect(trail.at(-1)).toMatch(/ {2}- {2}run ended failed at run \(internal_error\)$/);
    expect(await runCommand(['audit', 'not-a-run'], deps)).toBe(2);
  });

  it('whose process was killed ends once its lease lapses', async () => {
    const { store, journal, runs, logger, scheduler } = terminal();
    const killed = await runs.request('setup', qa(), 'cli:test', undefined);
    const release = runs.keepAlive(killed.id);
    expect((await reconcileRuns({ store, journal, scheduler, logger, graceMs: 0 })).get(killed.id)).toBe(
      'alive',
    );
    await release();
    expect((await reconcileRuns({ store, journal, scheduler, logger, graceMs: 0 })).get(killed.id)).toBe(
      'ended',
    );
    expect((await store.get(killed.id))?.error?.code).toBe('executor_lost');
    expect(await store.activeRunId('mitxonline', 'qa')).toBeUndefined();
  });
});

describe('a request acts once', () => {
  it('queues one run for a signed body replayed three times and for Slack retrying it', async () => {
    const effects: string[] = [];
    h = await startBotHarness({ catalog: testCatalog(), plans: scriptedPlan(effects, { steps: TWO_STEPS }) });
    const harness = h;
    const body = harness.driver.slashBody('plan mitxonline qa');
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signSlackRequest(SIGNING_SECRET, timestamp, body);
    const form = 'application/x-www-form-urlencoded';
    for (let i = 0; i < 3; i += 1) await harness.driver.send(body, form, { timestamp, signature });
    const later = timestamp + 2;
    await harness.driver.send(body, form, {
      timestamp: later,
      signature: signSlackRequest(SIGNING_SECRET, later, body),
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await waitFor(async () => (await harness.bot.store.history({ limit: 10 })).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await harness.bot.store.history({ limit: 10 })).toHaveLength(1);
  });

  it('refuses a request stamped in the future', async () => {
    h = await startBotHarness({ catalog: testCatalog(), plans: scriptedPlan([], { steps: TWO_STEPS }) });
    const harness = h;
    const body = harness.driver.slashBody('plan mitxonline qa');
    for (const ahead of [6 * 60, 365 * 24 * 3600]) {
      const timestamp = Math.floor(Date.now() / 1000) + ahead;
      const response = await harness.driver.send(body, 'application/x-www-form-urlencoded', {
        timestamp,
        signature: signSlackRequest(SIGNING_SECRET, timestamp, body),
      });
      expect(response.status).toBe(401);
    }
    expect(await harness.bot.store.history({ limit: 10 })).toEqual([]);
  });

  it('retries once for three simultaneous Retry clicks', async () => {
    const effects: string[] = [];
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan(effects, { steps: TWO_STEPS, failOnce: new Set(['lms']) }),
    });
    const harness = h;
    const runId = await requestSetup(harness, 'mitxonline qa');
    const failed = await waitFor(async () => {
      const current = await run(harness, runId);
      return current.status === 'failed' && (await shownFinal(harness, current)) ? current : undefined;
    });
    const before = ephemeralTo(harness, REQUESTER.id).length;
    await Promise.all(
      [0, 1, 2].map(() =>
        harness.driver.click(ACTION_RETRY, {
          user: REQUESTER,
          value: runId,
          messageTs: finalTs(failed) as string,
        }),
      ),
    );
    const answers = await waitFor(() => {
      const texts = ephemeralTo(harness, REQUESTER.id)
        .slice(before)
        .map((m) => m.text ?? '');
      return texts.length >= 3 ? texts : undefined;
    });
    expect(answers.filter((a) => a.startsWith('Retrying'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('is already'))).toHaveLength(2);
    await waitFor(async () => (await run(harness, runId)).status === 'succeeded', { what: 'the retry' });
    expect((await run(harness, runId)).attempt).toBe(2);
  });
});

describe('who may cancel and retry', () => {
  it('refuses a stranger’s cancel on qa, and lets an operator cancel', async () => {
    h = await startBotHarness({
      catalog: testCatalog({}, { operators: ['U0OPERATOR'] }),
      plans: scriptedPlan([], { steps: TWO_STEPS }),
      usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
    });
    const harness = h;
    const orphan = await harness.bot.runs.request('setup', qa(), REQUESTER.id, 'C0OPS');
    const card = await waitFor(async () => (await run(harness, orphan.id)).updatedAt);
    expect(await click(harness, ACTION_CANCEL, orphan.id, String(card), 'U0STRANGER')).toContain(
      'Only the requester or an approver or operator for mitxonline qa can cancel',
    );
    expect(await click(harness, ACTION_CANCEL, orphan.id, String(card), 'U0OPERATOR')).toContain(
      'is cancelled',
    );
  });

  it('says why a retry cannot run while a newer run holds the pair', async () => {
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan([], { steps: TWO_STEPS, failOnce: new Set(['lms']) }),
    });
    const harness = h;
    const first = await requestSetup(harness, 'mitxonline qa');
    const failed = await waitFor(async () => {
      const current = await run(harness, first);
      return current.status === 'failed' && (await shownFinal(harness, current)) ? current : undefined;
    });
    const newer = await harness.bot.runs.request('setup', qa(), REQUESTER.id, 'C0OPS');
    expect(await click(harness, ACTION_RETRY, first, finalTs(failed) as string, REQUESTER.id)).toBe(
      `Run \`${first}\` cannot be retried: mitxonline qa now has run \`${newer.id}\` in progress. Follow that run, or cancel it first.`,
    );
  });
});
