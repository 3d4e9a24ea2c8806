import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_RETRY } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { type ScriptedPlanOptions, scriptedPlan } from '../support/scripted-plan.js';
import { click, finalTs, REQUESTER, requestSetup, shownFinal } from '../support/slack-requests.js';
import { testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/**
 * How a run appears in Slack: a card and, in its thread, one message per phase, the approvals and
 * the result, written apart from the run in few writes, never twice, and keeping a retried
 * attempt's failure in view.
 */
let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(effects: string[], options: ScriptedPlanOptions = {}) {
  h = await startBotHarness({ catalog: testCatalog(), plans: scriptedPlan(effects, options) });
  return h;
}

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

const shown = (harness: BotHarness, id: string, status: RunRecord['status']) =>
  waitFor(
    async () => {
      const current = await run(harness, id);
      return current.status === status && (await shownFinal(harness, current)) ? current : undefined;
    },
    { what: `the run ${status} and shown`, timeoutMs: 25_000 },
  );

const texts = (harness: BotHarness, current: RunRecord) =>
  harness.slack.thread('C0OPS', current.cardTs as string).map((m) => m.text ?? '');

const writes = (harness: BotHarness) =>
  harness.slack.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');

describe('run messages in Slack', () => {
  it('shows a qa setup in at most 10 writes: the card, one message per phase with each step, the result', async () => {
    const harness = await start([]);
    const runId = await requestSetup(harness, 'mitxonline qa');
    const done = await shown(harness, runId, 'succeeded');
    const cards = harness.slack.channelMessages('C0OPS');
    expect(cards).toHaveLength(1);
    expect(cards[0]?.text).toBe('Retirement setup · mitxonline qa: :white_check_mark: Succeeded');
    expect(texts(harness, done)).toEqual([
      'LMS: 1. Step preflight: done; 2. Step lms: done',
      'Credentials: 3. Step vault: done',
      'Concourse: 4. Step concourse: done',
      ':white_check_mark: Succeeded: Retirement setup · mitxonline qa',
    ]);
    expect(writes(harness).length).toBeLessThanOrEqual(10);
    expect(
      await harness.metrics.registry.getSingleMetricAsString('retirement_bot_slack_calls_total'),
    ).toContain('method="chat.postMessage",outcome="ok"');
  });

  it('keeps a retried failure in the thread, marked with who retried it, and shows the retry below', async () => {
    const effects: string[] = [];
    const harness = await start(effects, { failOnce: new Set(['vault']) });
    const runId = await requestSetup(harness, 'mitxonline qa');
    const failed = await shown(harness, runId, 'failed');
    expect(texts(harness, failed)).toEqual([
      'LMS: 1. Step preflight: done; 2. Step lms: done',
      'Credentials: 3. Step vault: failed',
      ':x: Failed: Retirement setup · mitxonline qa',
    ]);
    const failure = finalTs(failed) as string;
    expect(await click(harness, ACTION_RETRY, runId, failure, REQUESTER.id)).toBe(
      `Retrying run \`${runId}\` from the step that failed.`,
    );
    const done = await shown(harness, runId, 'succeeded');
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    expect(texts(harness, done)).toEqual([
      'LMS: 1. Step preflight: done; 2. Step lms: done',
      'Credentials: 3. Step vault: failed',
      ':x: Failed: Retirement setup · mitxonline qa (retried)',
      'Credentials: 3. Step vault: done',
      'Concourse: 4. Step concourse: done',
      ':white_check_mark: Succeeded: Retirement setup · mitxonline qa',
    ]);
    const retried = harness.slack.messages.find((m) => m.ts === failure);
    const blocks = JSON.stringify(retried?.blocks);
    expect(blocks).toContain('vault broke on purpose.');
    expect(blocks).toContain(`Retried by <@${REQUESTER.id}> at <!date^`);
    expect(blocks).not.toContain(ACTION_RETRY);
  });

  it('never posts a message twice when Slack took a post but its answer was lost', async () => {
    const harness = await start([]);
    // The card's answer is lost in the request, and so is the first thread message's.
    harness.slack.loseAnswers('chat.postMessage', 1);
    const runId = await requestSetup(harness, 'mitxonline qa');
    await waitFor(() => harness.slack.channelMessages('C0OPS').length === 1, { what: 'the card' });
    harness.slack.loseAnswers('chat.postMessage', 1);
    const done = await shown(harness, runId, 'succeeded');
    expect(harness.slack.channelMessages('C0OPS')).toHaveLength(1);
    expect(done.cardTs).toBe(harness.slack.channelMessages('C0OPS')[0]?.ts);
    expect(texts(harness, done)).toHaveLength(4);
    expect(harness.slack.callsTo('conversations.history').length).toBeGreaterThan(0);
    expect(harness.slack.callsTo('conversations.replies').length).toBeGreaterThan(0);
  });

  it('writes the final card and thread after a restart, from the run record, when Slack was down at the end', async () => {
    const effects: string[] = [];
    const first = await start(effects);
    const runId = await requestSetup(first, 'mitxonline qa');
    // Slack fails every write once the card is up; the run does not wait for it and ends.
    first.slack.answerErrors('chat.postMessage', Array(200).fill('fatal_error'));
    first.slack.answerErrors('chat.update', Array(200).fill('fatal_error'));
    await waitFor(async () => (await run(first, runId)).status === 'succeeded', { what: 'the run to end' });
    expect(effects).toEqual(['preflight', 'lms', 'vault', 'concourse']);
    await first.bot.stop(2_000);
    first.slack.answerErrors('chat.postMessage', [null]);
    first.slack.answerErrors('chat.update', [null]);
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan([]),
      sameAs: { prefix: first.prefix, slack: first.slack },
    });
    const done = await shown(h, runId, 'succeeded');
    expect(first.slack.channelMessages('C0OPS')[0]?.text).toContain('Succeeded');
    expect(texts(h, done)).toHaveLength(4);
  });
});
