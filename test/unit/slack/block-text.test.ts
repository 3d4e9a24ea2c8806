import { describe, expect, it } from 'vitest';
import { blocksSchema } from '../../../emulators/slack/block-kit-limits.js';
import { cutText, fitBlocks, type KnownBlock } from '../../../src/slack/run-messages/block-text.js';

describe('texts cut to Block Kit limits', () => {
  it('leaves short texts alone and ends a cut one with …', () => {
    expect(cutText('short', 10)).toBe('short');
    const cut = cutText('x'.repeat(50), 10);
    expect(cut).toHaveLength(7);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a link, a mention or an entity, and closes an open code block', () => {
    expect(cutText(`see <https://ci.example/builds/1|#1> now ${'y'.repeat(40)}`, 20)).toBe('see …');
    expect(cutText(`a &amp; b ${'y'.repeat(40)}`, 9)).toBe('a …');
    const code = cutText(`\`\`\`${'z'.repeat(100)}\`\`\``, 40);
    expect(code.endsWith('…```')).toBe(true);
    expect(code.length).toBeLessThanOrEqual(40);
  });

  it('makes every message kind valid for Slack, whatever its length', () => {
    const long = 'w'.repeat(5_000);
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: long } },
      { type: 'section', text: { type: 'mrkdwn', text: long }, fields: [{ type: 'mrkdwn', text: long }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: long }] },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'a',
            text: { type: 'plain_text', text: long },
            confirm: {
              title: { type: 'plain_text', text: long },
              text: { type: 'mrkdwn', text: long },
              confirm: { type: 'plain_text', text: long },
              deny: { type: 'plain_text', text: long },
            },
          },
        ],
      },
    ] as KnownBlock[];
    expect(blocksSchema.safeParse(blocks).success).toBe(false);
    expect(blocksSchema.safeParse(fitBlocks(blocks)).success).toBe(true);
  });
});
