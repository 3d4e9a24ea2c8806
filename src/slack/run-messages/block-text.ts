import type { types } from '@slack/bolt';
import { escapeMrkdwn } from '../mrkdwn.js';

export type KnownBlock = types.KnownBlock;

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit's section text limit is 3 000 characters; details beyond that are cut. */
export const SECTION_LIMIT = 2_900;

/**
 * Text shown verbatim in a code block. Longer than a section holds, it is cut on a line boundary
 * and says how many lines were left out, so no line (no diff line, no token) is cut in half.
 */
export function codeBlock(text: string): string {
  const lines = escapeMrkdwn(text.replaceAll('```', "'''")).split('\n');
  const room = SECTION_LIMIT - 40;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > room) break;
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length === 0) kept.push(cutText(lines[0] ?? '', room));
  const left = lines.length - kept.length;
  const more = left > 0 ? `\n… ${left} more line${left === 1 ? '' : 's'} not shown` : '';
  return `\`\`\`${kept.join('\n')}${more}\`\`\``;
}

/** Slack's per-field limits (Block Kit reference), enforced with `invalid_blocks` on excess. */
const LIMIT = {
  section: 3_000,
  field: 2_000,
  context: 3_000,
  header: 150,
  button: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmChoice: 30,
} as const;

interface TextObject {
  type: string;
  text: string;
}

/** Every text in the blocks cut to its Block Kit limit, visibly, so a message never breaks. */
export function fitBlocks(blocks: KnownBlock[]): KnownBlock[] {
  return blocks.map(
    (block) => fitBlock(block as unknown as Record<string, unknown>) as unknown as KnownBlock,
  );
}

function fitBlock(block: Record<string, unknown>): Record<string, unknown> {
  switch (block.type) {
    case 'section':
      return {
        ...block,
        ...(block.text ? { text: limitText(block.text, LIMIT.section) } : {}),
        ...(Array.isArray(block.fields)
          ? { fields: block.fields.map((f) => limitText(f, LIMIT.field)) }
          : {}),
      };
    case 'header':
      return { ...block, text: limitText(block.text, LIMIT.header) };
    case 'context':
      return { ...block, elements: (block.elements as unknown[]).map((e) => fitIfText(e, LIMIT.context)) };
    case 'actions':
      return { ...block, elements: (block.elements as Record<string, unknown>[]).map(fitButton) };
    default:
      return block;
  }
}

function fitButton(button: Record<string, unknown>): Record<string, unknown> {
  const confirm = button.confirm as Record<string, unknown> | undefined;
  return {
    ...button,
    ...(button.text ? { text: limitText(button.text, LIMIT.button) } : {}),
    ...(confirm
      ? {
          confirm: {
            ...confirm,
            title: limitText(confirm.title, LIMIT.confirmTitle),
            text: limitText(confirm.text, LIMIT.confirmText),
            confirm: limitText(confirm.confirm, LIMIT.confirmChoice),
            deny: limitText(confirm.deny, LIMIT.confirmChoice),
          },
        }
      : {}),
  };
}

function fitIfText(element: unknown, max: number): unknown {
  const candidate = element as Partial<TextObject>;
  return typeof candidate.text === 'string' ? limitText(element, max) : element;
}

function limitText(value: unknown, max: number): TextObject {
  const text = value as TextObject;
  return { ...text, text: cutText(text.text, max, text.type === 'mrkdwn') };
}

/**
 * Cuts `text` to at most `max` characters ending in "…". In mrkdwn the cut never splits a
 * `<link|label>`, a mention or an `&amp;` entity, and an open code block is closed again.
 */
export function cutText(text: string, max: number, mrkdwn = true): string {
  if (text.length <= max) return text;
  let end = max - 1 - (mrkdwn ? 3 : 0);
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  let cut = text.slice(0, end);
  if (mrkdwn) {
    if (cut.lastIndexOf('<') > cut.lastIndexOf('>')) cut = cut.slice(0, cut.lastIndexOf('<'));
    const entity = cut.lastIndexOf('&');
    if (entity > cut.lastIndexOf(';') && cut.length - entity < 8) cut = cut.slice(0, entity);
    if ((cut.match(/```/g) ?? []).length % 2 === 1) return `${cut}…\`\`\``;
  }
  return `${cut}…`;
}
