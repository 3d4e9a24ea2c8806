import { afterEach, describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../emulators/slack/slack-emulator.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import {
  ACTION_APPROVE,
  ACTION_CANCEL,
  ACTION_REJECT,
  ACTION_RETRY,
} from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { scriptedPlan } from '../support/scripted-plan.js';
import { click, finalTs, requestSetup, shownFinal } from '../support/slack-requests.js';
import { APPROVER, APPROVER_GROUP, SECOND_APPROVER, testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The Slack side of runs (card, thread, approval and retry buttons) driven over signed requests,
 * with scripted steps so each scenario is quick; the full runs against the real integrations are
 * in setup-run.test.ts.
 */
let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(effects: string[], failOnce?: Set<string>, ttlMinutes = 60) {
  h = await startBotHarness({
    catalog: testCatalog({}, { ttlMinutes }),
    plans: scriptedPlan(effects, { failOnce }),
    usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
  });
  return h;
}

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

function pendingApproval(harness: BotHarness, runId: string, phase: string) {
  return waitFor(
    async () => {
      const current = await run(harness, runId);
      const approval = current.approvals.find(
        (a) => a.phase === phase && a.status === 'pending' && a.messageTs,
      );
      return approval ? { current, approval } : undefined;
    },
    { what: `a pending ${phase} approval` },
  );
}

function buttons(message: SlackMessage | undefined): string[] {
  return (message?.blocks ?? []).flatMap((block) => {
    const b = block as { type: string; elements?: { action_id?: string }[] };
    return b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id ?? '') : [];
  });
}

/** Clicks as `user` and returns the "only visible to you" answer the click produced. */
describe('runs in Slack', () => {
  it('posts one status card and threads one message per phase', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const runId = await requestSetup(harness, 'mitxonline qa');
    const done = await waitFor(async () => {
      const current = await run(harness, runId);
      return current.status === 'succeeded' && (await shownFinal(harness, current)) ? current : undefined;
    });
    const cards = harness.slack.channelMessages('C0OPS');
    expect(cards).toHaveLength(1);
    expect(cards[0]?.ts).toBe(done.cardTs);
    expect(cards[0]?.text).toContain('Retirement setup · mitxonline qa: :white_check_mark: Succeeded');
    const thread = harness.slack.thread('C0OPS', done.cardTs as string);
    expect(thread.map((m) => m.text)).toEqual([
      'LMS: 1. Step preflight: done; 2. Step lms: done',
      'Credentials: 3. Step vault: done',
      'Concourse: 4. Step concourse: done',
      ':white_check_mark: Succeeded: Retirement setup · mitxonline qa',
    ]);
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(5);
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
  });

  it('asks for approval per phase and goes on when an approver approves', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const runId = await requestSetup(harness, 'mitxonline production');
    for (const [phase, approver] of [
      ['lms', APPROVER],
      ['credentials', SECOND_APPROVER],
      ['concourse', APPROVER],
    ] as const) {
      const { approval } = await pendingApproval(harness, runId, phase);
      const message = harness.slack.messages.find((m) => m.ts === approval.messageTs);
      expect(message?.text).toBe(`Approval for mitxonline production (${phase}): pending`);
      expect(JSON.stringify(message?.blocks)).toContain(`${phase}: 1 change`);
      expect(buttons(message)).toEqual([ACTION_APPROVE, ACTION_REJECT]);
      expect(
        await click(harness, ACTION_APPROVE, `${runId}:${phase}`, approval.messageTs as string, approver),
      ).toBe(`You approved the ${phase} phase of run \`${runId}\`.`);
      // The decision replaces the buttons as soon as the publisher gets to it, apart from the click.
      const decided = await waitFor(
        () => {
          const shown = harness.slack.messages.find((m) => m.ts === approval.messageTs);
          return buttons(shown).length === 0 ? shown : undefined;
        },
        { what: 'the decided approval message' },
      );
      expect(JSON.stringify(decided?.blocks)).toContain(`Approved by <@${approver}>`);
    }
    await waitFor(async () => (await run(harness, runId)).status === 'succeeded', { what: 'success' });
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    const decisions = (await harness.bot.audit.entries(runId)).filter((e) => e.type === 'approval_decided');
    expect(decisions.map((e) => [e.phase, e.decision, e.user])).toEqual([
      ['lms', 'approved', APPROVER],
      ['credentials', 'approved', SECOND_APPROVER],
      ['concourse', 'approved', APPROVER],
    ]);

    // The trail and the history say who approved what, and when.
    const trail = String((await harness.driver.slash(`audit ${runId}`)).json?.text);
    expect(trail).toContain(`*Audit trail of run \`${runId}\`*`);
    expect(trail).toMatch(/• <!date\^\d+\^[^>]+> <@U0REQUESTER>: requested setup of mitxonline production/);
    expect(trail).toContain(`<@${SECOND_APPROVER}>: approved the credentials phase`);
    expect(trail).toContain('run ended succeeded');
    const history = String((await harness.driver.slash('history mitxonline production')).json?.text);
    expect(history).toContain(`approved by <@${APPROVER}>, <@${SECOND_APPROVER}>`);
    expect(history).toMatch(/ · took \d+(ms|s) · <https:\/\/slack\.com\/archives\/C0OPS\/p\d+\|thread>/);
  });

  it('ends the run on reject and ignores a second click', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const runId = await requestSetup(harness, 'mitxonline production');
    const { approval } = await pendingApproval(harness, runId, 'lms');
    await click(harness, ACTION_REJECT, `${runId}:lms`, approval.messageTs as string, APPROVER);
    await waitFor(async () => (await run(harness, runId)).status === 'rejected', { what: 'rejection' });
    expect(
      await click(harness, ACTION_APPROVE, `${runId}:lms`, approval.messageTs as string, SECOND_APPROVER),
    ).toBe(`Already rejected by <@${APPROVER}>.`);
    expect(effects).toEqual(['preflight']);
    expect((await run(harness, runId)).status).toBe('rejected');
  });

  it('refuses unauthorised clickers and self-approval, changing nothing', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const ack = await harness.driver.slash('setup mitxonline production', { user: { id: APPROVER } });
    const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    const { approval } = await pendingApproval(harness, runId, 'lms');
    expect(
      await click(harness, ACTION_APPROVE, `${runId}:lms`, approval.messageTs as string, 'U0STRANGER'),
    ).toBe('You are not an approver for mitxonline production; nothing was changed.');
    expect(
      await click(harness, ACTION_APPROVE, `${runId}:lms`, approval.messageTs as string, APPROVER),
    ).toContain('self-approval is not allowed for mitxonline production');
    const current = await run(harness, runId);
    expect(current.status).toBe('awaiting_approval');
    expect(current.approvals[0]?.status).toBe('pending');
    expect(effects).toEqual(['preflight']);
  });

  it('treats double clicks as one decision', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const runId = await requestSetup(harness, 'mitxonline production');
    const { approval } = await pendingApproval(harness, runId, 'lms');
    const both = await Promise.all([
      harness.driver.click(ACTION_APPROVE, {
        user: { id: APPROVER },
        value: `${runId}:lms`,
        messageTs: approval.messageTs as string,
      }),
      harness.driver.click(ACTION_APPROVE, {
        user: { id: APPROVER },
        value: `${runId}:lms`,
        messageTs: approval.messageTs as string,
      }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    await pendingApproval(harness, runId, 'credentials');
    const decisions = (await harness.bot.audit.entries(runId)).filter((e) => e.type === 'approval_decided');
    expect(decisions).toHaveLength(1);
    expect(effects).toEqual(['preflight', 'lms']);
  });

  it('expires an approval nobody decides on', async () => {
    const harness = await start([], undefined, 1);
    const runId = await requestSetup(harness, 'mitxonline production');
    await pendingApproval(harness, runId, 'lms');
    // Expiry is a point in time stored on the approval; move it to now rather than waiting a minute.
    await harness.bot.store.mutate(runId, (r) => ({
      ...r,
      approvals: r.approvals.map((a) => ({ ...a, expiresAt: Date.now() })),
    }));
    await harness.bot.runs.decide({ runId, phase: 'lms', decision: 'approved', userId: APPROVER });
    const current = await run(harness, runId);
    expect(current.approvals[0]?.status).toBe('pending');
    const { runJobId } = await import('../../src/jobs/run-queue.js');
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const connection = new Redis({ maxRetriesPerRequest: null });
    const queue = new Queue('runs', { connection, prefix: `${harness.prefix}:bull` });
    await (await queue.getJob(runJobId(current)))?.promote();
    await waitFor(async () => (await run(harness, runId)).status === 'expired', { what: 'expiry' });
    await queue.close();
    connection.disconnect();
    await waitFor(
      () =>
        JSON.stringify(
          harness.slack.messages.find((m) => m.ts === current.approvals[0]?.messageTs)?.blocks,
        ).includes('without a decision'),
      { what: 'the expired approval message' },
    );
  });

  it('offers Retry on failure and resumes at the failed step', async () => {
    const effects: string[] = [];
    const harness = await start(effects, new Set(['vault']));
    const runId = await requestSetup(harness, 'mitxonline qa');
    const failed = await waitFor(async () => {
      const current = await run(harness, runId);
      return current.status === 'failed' && (await shownFinal(harness, current)) ? current : undefined;
    });
    expect(failed.error).toEqual({ step: 'vault', code: 'scripted', message: 'vault broke on purpose.' });
    const closing = harness.slack.messages.find((m) => m.ts === finalTs(failed));
    expect(buttons(closing)).toEqual([ACTION_RETRY]);
    expect(
      harness.slack.callsTo('chat.postMessage').find((c) => c.params.reply_broadcast === 'true'),
    ).toBeDefined();

    expect(await click(harness, ACTION_RETRY, runId, finalTs(failed) as string, 'U0REQUESTER')).toBe(
      `Retrying run \`${runId}\` from the step that failed.`,
    );
    await waitFor(
      async () => {
        const current = await run(harness, runId);
        return current.status === 'succeeded' && (await shownFinal(harness, current));
      },
      { what: 'the retried run to succeed and be shown' },
    );
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    expect(buttons(harness.slack.messages.find((m) => m.ts === finalTs(failed)))).toEqual([]);
  });

  it('cancels a run waiting for approval from its card', async () => {
    const harness = await start([]);
    const runId = await requestSetup(harness, 'mitxonline production');
    const { current } = await pendingApproval(harness, runId, 'lms');
    expect(buttons(harness.slack.messages.find((m) => m.ts === current.cardTs))).toEqual([ACTION_CANCEL]);
    expect(await click(harness, ACTION_CANCEL, runId, current.cardTs as string, 'U0STRANGER')).toContain(
      'Only the requester or an approver',
    );
    await click(harness, ACTION_CANCEL, runId, current.cardTs as string, 'U0REQUESTER');
    await waitFor(async () => (await run(harness, runId)).status === 'cancelled', { what: 'cancellation' });
    expect((await run(harness, runId)).approvals[0]?.status).toBe('cancelled');
    expect(await harness.bot.store.activeRunId('mitxonline', 'production')).toBeUndefined();
  });

  it('refuses a second setup of the same pair while one is in progress', async () => {
    const harness = await start([]);
    const runId = await requestSetup(harness, 'mitxonline production');
    const second = await harness.driver.slash('setup mitxonline production', { user: { id: 'U0OTHER' } });
    expect(second.json?.text).toBe(
      `mitxonline production already has run \`${runId}\` in progress, so nothing was queued. Follow it in its thread, or stop it with \`/retirement cancel ${runId}\`.`,
    );
    expect((await harness.bot.store.history({ limit: 10 })).map((r) => r.id)).toEqual([runId]);
  });
});
