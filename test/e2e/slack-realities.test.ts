import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_APPROVE } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { scriptedPlan } from '../support/scripted-plan.js';
import { click, ephemeralTo, REQUESTER, requestSetup, shownFinal } from '../support/slack-requests.js';
import { APPROVER_GROUP, SECOND_APPROVER, testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What the real Slack does that a kind emulator would hide: slow and rate-limited answers, channels
 * the bot is not in, missing scopes, failures part-way through a publish, Block Kit's limits.
 */
let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(effects: string[], failures?: Record<string, string>) {
  h = await startBotHarness({
    catalog: testCatalog(),
    plans: scriptedPlan(effects, { failures }),
    usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
  });
  return h;
}

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

const finished = (harness: BotHarness, id: string) =>
  waitFor(
    async () => {
      const current = await run(harness, id);
      return current.finishedAt && (await shownFinal(harness, current)) ? current : undefined;
    },
    { what: 'the run to end with its closing message', timeoutMs: 25_000 },
  );

describe('the bot under the real Slack', () => {
  it('acknowledges /retirement cancel before looking up approver groups, and answers afterwards', async () => {
    const harness = await start([]);
    const runId = await requestSetup(harness, 'mitxonline production');
    await waitFor(async () => (await run(harness, runId)).status === 'awaiting_approval', { what: 'a wait' });
    harness.slack.answerSlowly('usergroups.users.list', 4_000);
    const started = Date.now();
    const ack = await harness.driver.slash(`cancel ${runId}`, { user: { id: 'U0STRANGER' } });
    expect(ack.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    const answer = await waitFor(() => ephemeralTo(harness, 'U0STRANGER').at(-1)?.text, {
      what: 'the answer',
    });
    expect(answer).toBe(
      `Only the requester or an approver or operator for mitxonline production can cancel run \`${runId}\`.`,
    );
    expect((await run(harness, runId)).cancelRequestedBy).toBeUndefined();
  });

  it('tells the requester to invite the bot when it cannot post in the channel, and leaves nothing waiting', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    harness.slack.botCannotPostIn('G0PRIVATE', 'channel_not_found');
    const ack = await harness.driver.slash('setup mitxonline production', { channel: 'G0PRIVATE' });
    const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    const answer = await waitFor(() => ephemeralTo(harness, REQUESTER.id).at(-1)?.text, {
      what: 'the answer',
    });
    expect(answer).toContain(`Run \`${runId}\` did not start: I cannot see this channel`);
    expect(answer).toContain('/invite @retirement-bot');
    const ended = await run(harness, runId);
    expect(ended.status).toBe('failed');
    expect(ended.error?.code).toBe('run_audience_unreachable');
    expect(ended.approvals).toEqual([]);
    expect(await harness.bot.store.activeRunId('mitxonline', 'production')).toBeUndefined();
    const next = await requestSetup(harness, 'mitxonline qa');
    await finished(harness, next);
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
  });

  it.each([
    ['missing_scope', { needed: 'usergroups:read', provided: 'commands,chat:write' }, 'usergroups:read'],
    ['plan_upgrade_required', {}, 'paid plan'],
  ])(
    'fails closed with a clear message when Slack answers %s to a group lookup',
    async (error, extra, says) => {
      const harness = await start([]);
      const runId = await requestSetup(harness, 'mitxonline production');
      const approval = await waitFor(async () =>
        (await run(harness, runId)).approvals.find((a) => a.status === 'pending' && a.messageTs),
      );
      harness.slack.answerErrors('usergroups.users.list', [error], extra);
      const answer = await click(
        harness,
        ACTION_APPROVE,
        `${runId}:lms`,
        approval.messageTs as string,
        SECOND_APPROVER,
      );
      expect(answer).toContain(says);
      expect(answer).toContain(`<!subteam^${APPROVER_GROUP}>`);
      expect(answer).toContain('Nothing was done.');
      expect((await run(harness, runId)).approvals[0]?.status).toBe('pending');
      const audit = await harness.bot.audit.entries(runId);
      expect(audit.filter((e) => e.type === 'approval_decided')).toEqual([]);
    },
  );

  it('keeps the messages it posted before a publish failed part-way: one card, no duplicate phase', async () => {
    const harness = await start([]);
    // The launch's card and the first publish fail; the next publish posts the card, then fails on
    // the step's thread message: that card must be kept, not posted again.
    harness.slack.answerErrors('chat.postMessage', ['fatal_error', 'fatal_error', null, 'fatal_error']);
    const runId = await requestSetup(harness, 'mitxonline qa');
    const done = await finished(harness, runId);
    expect(harness.slack.channelMessages('C0OPS')).toHaveLength(1);
    const thread = harness.slack.thread('C0OPS', done.cardTs as string).map((m) => m.text);
    expect(new Set(thread).size).toBe(thread.length);
    expect(thread).toHaveLength(4);
  });

  it('cuts long texts to Block Kit limits so a long error still reaches the card', async () => {
    const harness = await start([], {
      vault: `Concourse rejected the pipeline: ${'invalid field; '.repeat(400)}`,
    });
    const runId = await requestSetup(harness, 'mitxonline qa');
    const done = await finished(harness, runId);
    expect(done.status).toBe('failed');
    const card = harness.slack.channelMessages('C0OPS')[0];
    expect(card?.text).toContain(':x: Failed');
    expect(JSON.stringify(card?.blocks)).toContain('…');
    expect(harness.slack.callsTo('chat.update').length).toBeGreaterThan(0);
  });

  it('does not hold a run on a Slack outage or a long Retry-After', async () => {
    const effects: string[] = [];
    const harness = await start(effects);
    const runId = await requestSetup(harness, 'mitxonline qa');
    harness.slack.failNext('chat.update', 503, 1_000);
    harness.slack.failNext('chat.postMessage', 429, 1_000, 120);
    await waitFor(async () => (await run(harness, runId)).status === 'succeeded', {
      what: 'the run to finish while Slack is down',
      timeoutMs: 25_000,
    });
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    const posts = harness.slack.callsTo('chat.postMessage').filter((c) => c.at > 0);
    // After the first 429 no post is sent before its Retry-After.
    expect(posts.filter((c) => c.params.thread_ts !== undefined).length).toBeLessThanOrEqual(1);
  });
});
