import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../../emulators/slack/slack-emulator.js';
import type { RunRecord } from '../../../src/jobs/run-record.js';
import { fitBlocks } from '../../../src/slack/run-messages/block-text.js';
import { renderCard, renderFinal } from '../../../src/slack/run-messages/run-card.js';
import { renderStep } from '../../../src/slack/run-messages/step-message.js';
import { FIXTURE_LINKS, failedBuild, succeededSetup } from '../../support/run-fixtures.js';

const slack = new SlackEmulator();
let client: webApi.WebClient;

beforeAll(async () => {
  await slack.start();
  client = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.stop());

/** Posts every message of a run as the bot does (blocks fitted to Slack's limits). */
async function publish(run: RunRecord): Promise<void> {
  const messages = [renderCard(run), ...run.steps.map((step) => renderStep(run, step)), renderFinal(run)];
  for (const message of messages) {
    await client.chat.postMessage({ channel: 'C1', text: message.text, blocks: fitBlocks(message.blocks) });
  }
}

describe('links in a run’s messages', () => {
  it('reach the Web API as Slack links, never escaped into text', async () => {
    await publish(succeededSetup());
    await publish(failedBuild());
    const sent = slack
      .callsTo('chat.postMessage')
      .map((call) => JSON.stringify(call.params.blocks))
      .join('\n');
    for (const { url, label } of Object.values(FIXTURE_LINKS)) {
      expect(sent).toContain(`<${url}|${label}>`);
    }
    // An escaped link (`&lt;https://…|…&gt;`) would show in Slack as text, not as a link.
    expect(sent).not.toMatch(/&lt;https?:/);
    // Every `<…>` in what was sent is a link, a mention or a date: nothing else opens an angle bracket.
    const tokens = [...sent.matchAll(/<([^>]*)>/g)].map((m) => m[1] as string);
    expect(tokens.every((token) => /^(https?:\/\/[^|]+\|.+|@U\w+|!date\^.+)$/.test(token))).toBe(true);
  });
});
