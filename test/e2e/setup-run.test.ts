import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import type { SlackMessage } from '../../emulators/slack/slack-emulator.js';
import { runJobId } from '../../src/jobs/run-queue.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { dumpKeys } from '../support/redis.js';
import { type RemoteWorld, startRemoteWorld } from '../support/remote-world.js';
import { click, ephemeralTo, REQUESTER, requestSetup, shownFinal } from '../support/slack-requests.js';
import { APPROVER, APPROVER_GROUP, SECOND_APPROVER } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Full setup runs driven only through signed Slack requests, against real Redis, the sshd-hosted
 * edx-worker simulator (Django + DOT) and the Vault, Concourse and Slack emulators.
 */
const CHANNEL = 'C0OPS';

let world: RemoteWorld;
let h: BotHarness | undefined;

beforeAll(async () => {
  if (canHostEdxWorker()) world = await startRemoteWorld();
}, 120_000);
afterAll(async () => {
  await world?.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function bot(): Promise<BotHarness> {
  h = await startBotHarness({
    catalog: world.catalog,
    env: world.env,
    realIntegrations: true,
    usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
  });
  return h;
}

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

async function finished(harness: BotHarness, runId: string, status: RunRecord['status']) {
  const outcome = await waitFor(
    async () => {
      const current = await run(harness, runId);
      const ended = ['succeeded', 'failed', 'rejected', 'cancelled', 'expired'].includes(current.status);
      return ended && ((await shownFinal(harness, current)) || !current.channel) ? current : undefined;
    },
    { what: `run ${status}`, timeoutMs: 90_000 },
  ).catch(async (error: unknown) => {
    const current = await run(harness, runId);
    throw new Error(
      `${error}: ${current.status} ${JSON.stringify(current.steps.map((s) => [s.id, s.status, s.summary]))}`,
    );
  });
  if (outcome.status !== status) {
    throw new Error(
      `run ended ${outcome.status}, not ${status}: ${JSON.stringify(outcome.error ?? outcome.steps)}`,
    );
  }
  return outcome;
}

function pendingApproval(harness: BotHarness, runId: string, phase: string) {
  return waitFor(
    async () => {
      const current = await run(harness, runId);
      return current.approvals.find((a) => a.phase === phase && a.status === 'pending' && a.messageTs);
    },
    { what: `a pending ${phase} approval`, timeoutMs: 60_000 },
  );
}

async function vaultSecret(path: string): Promise<{ data: Record<string, string>; version: number }> {
  const response = await fetch(`${world.vault.url}/v1/secret-concourse/data/${path}`, {
    headers: { 'X-Vault-Token': world.vault.rootToken },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    data: { data: Record<string, string>; metadata: { version: number } };
  };
  return { data: body.data.data, version: body.data.metadata.version };
}

/** Wakes a parked run now, as a decision or its expiry would. */
async function promoteJob(harness: BotHarness, current: RunRecord): Promise<void> {
  const connection = new Redis({ maxRetriesPerRequest: null });
  const queue = new Queue('runs', { connection, prefix: `${harness.prefix}:bull` });
  try {
    await (await queue.getJob(runJobId(current)))?.promote();
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

function threadTexts(harness: BotHarness, current: RunRecord): string[] {
  return harness.slack.thread(CHANNEL, current.cardTs as string).map((m: SlackMessage) => m.text ?? '');
}

describe.skipIf(!canHostEdxWorker())('setup runs against the real integrations', () => {
  it('plans xpro qa read-only: every step says what it would change, and nothing changes', async () => {
    const harness = await bot();
    const ack = await harness.driver.slash('plan xpro qa', { user: REQUESTER });
    const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    const done = await finished(harness, runId, 'succeeded');
    const summary = (id: string) => done.steps.find((s) => s.id === id)?.summary ?? '';
    expect(summary('lms-states')).toMatch(/^Would add states: /);
    expect(summary('worker-user')).toBe('Would create `retirement_worker` as staff and superuser.');
    expect(summary('credentials')).toContain('Would replace the credentials (Vault holds none)');
    expect(summary('dot-application')).toBe(
      'Would create client-credentials application `retirement` for `retirement_worker` with the new credentials.',
    );
    expect(summary('concourse-set')).toBe('Would create `xpro/misc-cloud-tubular` (paused).');
    expect(await world.edx.user('retirement_worker')).toBeUndefined();
    expect(world.concourse.pipelines.has('xpro/misc-cloud-tubular')).toBe(false);
  }, 120_000);

  it('sets up mitxonline qa end to end, refuses a concurrent request, and re-runs as a no-op', async () => {
    const harness = await bot();
    const [first, second] = await Promise.all([
      harness.driver.slash('setup mitxonline qa', { user: REQUESTER }),
      harness.driver.slash('setup mitxonline qa', { user: { id: 'U0OTHER' } }),
    ]);
    const texts = [first, second].map((r) => String(r.json?.text));
    const runId = texts.join(' ').match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    expect(texts.filter((t) => t.includes('already has run')).length).toBe(1);

    const done = await finished(harness, runId, 'succeeded');
    expect(done.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'done'],
      ['lms-states', 'done'],
      ['worker-user', 'done'],
      ['credentials', 'done'],
      ['dot-application', 'done'],
      ['verify-credentials', 'done'],
      ['concourse-set', 'done'],
      ['unpause', 'done'],
      ['first-build', 'done'],
    ]);

    const applications = await world.edx.applications();
    expect(applications).toHaveLength(1);
    expect(applications[0]).toMatchObject({ name: 'retirement', user: 'retirement_service_worker' });
    expect(await world.edx.user('retirement_service_worker')).toMatchObject({
      isStaff: true,
      isSuperuser: true,
    });
    expect(await world.edx.retirementStates()).toEqual(
      world.catalog.get('mitxonline', 'qa')?.retirementStates,
    );

    const stored = await vaultSecret('mitxonline/tubular_oauth_client');
    expect(stored.version).toBe(1);
    expect(stored.data).toEqual({
      id: applications[0]?.clientId,
      secret: expect.any(String),
      host: world.edx.lmsUrl,
    });
    const secret = stored.data.secret as string;
    expect(secret.length).toBeGreaterThan(20);

    const pipeline = world.concourse.pipelines.get('mitxonline/misc-cloud-tubular');
    expect(pipeline?.paused).toBe(false);
    expect(world.concourse.builds.filter((b) => b.team_name === 'mitxonline')).toHaveLength(1);

    // One card; in its thread one message per phase listing each step's outcome, then the result;
    // all of it in at most 10 Web API writes (posts and edits), the card showing the final state.
    const cards = harness.slack.channelMessages(CHANNEL);
    expect(cards).toHaveLength(1);
    expect(cards[0]?.text).toContain('Succeeded');
    const thread = threadTexts(harness, done);
    expect(thread).toHaveLength(4);
    expect(thread[0]).toMatch(
      /^LMS: 1\. Preflight.*: done; 2\. LMS retirement states: done; 3\. Retirement worker user: done$/,
    );
    expect(thread[1]).toMatch(
      /^Credentials: 4\. .*: done; 5\. .*: done; 6\. Verify the credentials against the LMS: done$/,
    );
    expect(thread[2]).toMatch(
      /^Concourse: 7\. .*: done; 8\. .*: done; 9\. Concourse: trigger and follow the first build: done$/,
    );
    expect(thread[3]).toContain('Succeeded');
    const writes = harness.slack.calls.filter(
      (c) => c.method === 'chat.postMessage' || c.method === 'chat.update',
    );
    expect(writes.length).toBeLessThanOrEqual(10);

    const again = await requestSetup(harness, 'mitxonline qa');
    const rerun = await finished(harness, again, 'succeeded');
    expect(rerun.steps.find((s) => s.id === 'lms-states')?.summary).toContain('already in place');
    expect(rerun.steps.find((s) => s.id === 'worker-user')?.summary).toContain('already in place');
    expect(rerun.steps.find((s) => s.id === 'dot-application')?.summary).toContain('Already in place');
    expect(rerun.steps.find((s) => s.id === 'credentials')?.summary).toContain('they are kept');
    expect(rerun.steps.find((s) => s.id === 'concourse-set')?.summary).toContain('already matches');
    expect(rerun.steps.find((s) => s.id === 'first-build')?.summary).toContain('nothing to trigger');
    expect(await world.edx.applications()).toHaveLength(1);
    expect((await vaultSecret('mitxonline/tubular_oauth_client')).version).toBe(1);
    expect(world.concourse.builds.filter((b) => b.team_name === 'mitxonline')).toHaveLength(1);

    const statusAnswer = await harness.driver.slash('status mitxonline qa', { user: REQUESTER });
    expect(statusAnswer.status).toBe(200);
    const answered = await waitFor(
      () => ephemeralTo(harness, REQUESTER.id).find((m) => m.text?.includes('misc-cloud-tubular')),
      {
        what: 'the status answer',
      },
    );
    expect(answered.text).toContain('misc-cloud-tubular> is active');
    expect(answered.text).toContain('build deploy-tubular-world #1>: succeeded');
    expect(answered.text).toContain(`\`${again}\` setup succeeded`);

    expect(harness.slack.allTraffic()).not.toContain(secret);
    expect(harness.logs.text()).not.toContain(secret);
    expect(await dumpKeys(harness.prefix)).not.toContain(secret);
    expect(JSON.stringify(await harness.bot.audit.entries(runId))).not.toContain(secret);
  }, 180_000);

  it('asks for approval per production phase with the real changes, and rejects change nothing', async () => {
    const harness = await bot();
    const rejected = await requestSetup(harness, 'xpro production');
    const lms = await pendingApproval(harness, rejected, 'lms');
    expect(lms.changes).toContain('Would create `retirement_worker` as staff and superuser');
    expect(
      await click(harness, ACTION_APPROVE, `${rejected}:lms`, lms.messageTs as string, 'U0STRANGER'),
    ).toBe('You are not an approver for xpro production; nothing was changed.');
    await click(harness, ACTION_REJECT, `${rejected}:lms`, lms.messageTs as string, APPROVER);
    await finished(harness, rejected, 'rejected');
    expect(await world.edx.user('retirement_worker')).toBeUndefined();

    const self = await requestSetup(harness, 'xpro production', { id: APPROVER });
    const selfLms = await pendingApproval(harness, self, 'lms');
    expect(
      await click(harness, ACTION_APPROVE, `${self}:lms`, selfLms.messageTs as string, APPROVER),
    ).toContain('self-approval is not allowed');
    const card = (await run(harness, self)).cardTs as string;
    await click(harness, ACTION_CANCEL, self, card, APPROVER);
    await finished(harness, self, 'cancelled');
    expect(await world.edx.user('retirement_worker')).toBeUndefined();

    const expiring = await requestSetup(harness, 'xpro production');
    await pendingApproval(harness, expiring, 'lms');
    await harness.bot.store.mutate(expiring, (r) => ({
      ...r,
      approvals: r.approvals.map((a) => ({ ...a, expiresAt: Date.now() })),
    }));
    await promoteJob(harness, await run(harness, expiring));
    await finished(harness, expiring, 'expired');
    expect(await world.edx.user('retirement_worker')).toBeUndefined();

    const approved = await requestSetup(harness, 'xpro production');
    for (const [phase, approver] of [
      ['lms', APPROVER],
      ['credentials', SECOND_APPROVER],
      ['concourse', APPROVER],
    ] as const) {
      const approval = await pendingApproval(harness, approved, phase);
      if (phase === 'credentials')
        expect(approval.changes).toContain('Would replace the credentials (Vault holds none)');
      if (phase === 'concourse') expect(approval.changes).toContain('Would create `xpro/misc-cloud-tubular`');
      await click(harness, ACTION_APPROVE, `${approved}:${phase}`, approval.messageTs as string, approver);
    }
    await finished(harness, approved, 'succeeded');
    expect((await world.edx.applications()).filter((a) => a.user === 'retirement_worker')).toHaveLength(1);
    expect((await vaultSecret('xpro/tubular_oauth_client')).version).toBe(1);
  }, 180_000);

  it('retries a step when Vault is sealed and goes on once it is unsealed', async () => {
    const harness = await bot();
    world.vault.seal();
    const runId = await requestSetup(harness, 'mitxonline qa');
    const retrying = await waitFor(
      async () => (await run(harness, runId)).steps.find((s) => s.summary?.includes('Retrying')),
      { what: 'a retrying step', timeoutMs: 60_000 },
    );
    expect(retrying.summary).toContain('sealed');
    world.vault.unseal();
    await finished(harness, runId, 'succeeded');
  }, 180_000);
});
