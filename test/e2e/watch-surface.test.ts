import { afterEach, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/config/catalog.js';
import type { DriftReport, PairChecker } from '../../src/jobs/watch/drift-check.js';
import { ACTION_BOARD, ACTION_SILENCE } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { testCatalogYaml } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The watch's Slack surface over signed requests, with a scripted check: `/retirement check`,
 * health in `status`, the App Home board (published on opening, redrawn when health changes, its
 * menu), and the health gauges on /metrics.
 */
const VIEWER = { id: 'U0VIEWER' };
let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ok: DriftReport = { checks: [{ id: 'pipeline', outcome: 'ok', message: 'unpaused' }] };
const paused: DriftReport = {
  checks: [
    { id: 'pipeline', outcome: 'broken', message: '`mitxonline/misc-cloud-tubular` is paused' },
    { id: 'pipeline-config', outcome: 'skipped', message: 'not checked: no pipeline' },
  ],
};

async function start(check: PairChecker): Promise<BotHarness> {
  h = await startBotHarness({
    // xpro has an alert channel; mitxonline has none, so its health is recorded and shown only.
    catalog: parseCatalog(
      testCatalogYaml().replace(
        '    concourse: { team: xpro }\n',
        '    concourse: { team: xpro }\n    alerts: { channel: C0XPRO }\n',
      ),
    ),
    checkPair: check,
    usergroups: { S0APPROVERS: [] },
    readPipeline: async (target) => ({
      exists: true,
      paused: false,
      url: `https://ci.example.edu/teams/${target.concourse.team}/pipelines/${target.concourse.pipeline}`,
      builds: [],
    }),
  });
  return h;
}

const homeText = (harness: BotHarness, user: string) =>
  JSON.stringify(harness.slack.homeViews.get(user)?.blocks ?? []);

describe('the drift watch in Slack', () => {
  it('checks on request, shows health in status, on the board (redrawn on change) and in the metrics', async () => {
    let mitxonline = ok;
    const harness = await start(async (target) =>
      target.app === 'mitxonline' && target.env === 'qa' ? mitxonline : ok,
    );

    const opened = await harness.driver.appHomeOpened({ user: VIEWER });
    expect(opened.status).toBe(200);
    await waitFor(() => harness.slack.homeViews.has(VIEWER.id), { what: 'the board' });
    expect(homeText(harness, VIEWER.id)).toContain('*mitxonline qa*');
    expect(homeText(harness, VIEWER.id)).toContain('*xpro production*');

    mitxonline = paused;
    const ack = await harness.driver.slash('check mitxonline qa', { channel: 'C0OPS' });
    expect(ack.json?.text).toBe(
      'Checking mitxonline qa now (read-only); the result will be posted in this channel.',
    );
    const result = await waitFor(
      () =>
        harness.slack
          .channelMessages('C0OPS')
          .find((m) => m.text?.startsWith('Drift check of mitxonline qa')),
      { what: 'the check result' },
    );
    expect(result.text).toBe('Drift check of mitxonline qa: broken');
    expect(JSON.stringify(result.blocks)).toContain('is paused');
    // No alert channel for mitxonline: nothing is posted anywhere else.
    expect(harness.slack.messages.filter((m) => !m.ephemeral && m.channel !== 'C0OPS')).toEqual([]);

    await waitFor(() => homeText(harness, VIEWER.id).includes(':red_circle: broken'), {
      what: 'the board redrawn',
    });

    const status = await harness.driver.slash('status mitxonline qa');
    expect(status.status).toBe(200);
    const answer = await waitFor(
      () => harness.slack.messages.find((m) => m.ephemeral && m.text?.includes('Health:'))?.text,
      { what: 'the status answer' },
    );
    expect(answer).toContain('Health: :red_circle: broken since');

    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toContain('retirement_bot_pair_health{app="mitxonline",env="qa"} 2');
    expect(metrics).toContain('retirement_bot_drift_check{app="mitxonline",env="qa",check="pipeline"} 2');
    expect(metrics).not.toContain('check="pipeline-config"');
  }, 60_000);

  it('lets only an approver or operator silence an alert', async () => {
    const harness = await start(async (target) =>
      target.app === 'xpro' && target.env === 'qa' ? paused : ok,
    );
    const alert = await waitFor(
      () => harness.slack.channelMessages('C0XPRO').find((m) => m.text === 'xpro qa is broken'),
      {
        what: 'the alert of the first scheduled check',
      },
    );
    const silence = async (user: string) => {
      const before = harness.slack.messages.filter((m) => m.ephemeral && m.user === user).length;
      await harness.driver.click(`${ACTION_SILENCE}_1d`, {
        user: { id: user },
        channel: 'C0XPRO',
        value: 'xpro/qa:1d',
        messageTs: alert.ts,
      });
      return waitFor(
        () => harness.slack.messages.filter((m) => m.ephemeral && m.user === user)[before]?.text,
        {
          what: 'the answer',
        },
      );
    };
    expect(await silence('U0STRANGER')).toBe(
      'Only an approver or operator of xpro qa can silence its alerts.',
    );
    expect(await silence('U0APPROVER')).toContain('Alerts for xpro qa are silenced until');
  }, 60_000);

  it('answers the board menu in the DM: check there, setup refused for a pair without an alert channel', async () => {
    const harness = await start(async () => ok);
    await harness.driver.chooseInHome(ACTION_BOARD, { user: VIEWER, value: 'check:xpro/qa' });
    const dm = () => harness.slack.channelMessages(VIEWER.id).map((m) => m.text ?? '');
    await waitFor(() => dm().some((text) => text.includes('Checking xpro qa now')), { what: 'the DM' });
    expect(dm().join('\n')).toContain('the result will be posted in <#C0XPRO>');
    await waitFor(
      () => harness.slack.channelMessages('C0XPRO').some((m) => m.text === 'Drift check of xpro qa: ok'),
      {
        what: 'the result in the alert channel',
      },
    );

    await harness.driver.chooseInHome(ACTION_BOARD, { user: VIEWER, value: 'setup:mitxonline/qa' });
    await waitFor(() => dm().some((text) => text.includes('has no alert channel')), { what: 'the refusal' });
    expect(await harness.bot.store.history({ limit: 5 })).toEqual([]);

    await harness.driver.chooseInHome(ACTION_BOARD, { user: VIEWER, value: 'setup:nosuch/qa' });
    await waitFor(() => dm().some((text) => text.includes('nosuch qa is no longer configured')), {
      what: 'the refusal',
    });
  }, 60_000);
});
