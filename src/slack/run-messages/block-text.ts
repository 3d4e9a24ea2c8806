import type { types } from '@slack/bolt';
import { escapeMrkdwn } from '../mrkdwn.js';

export type KnownBlock = types.KnownBlock;

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit's section text limit is 3 000 characters; details beyond that are cut. */
export const SECTION_LIMIT = 2_900;

export function codeBlock(text: string): string {
  const safe = escapeMrkdwn(text.replaceAll('```', "'''"));
  const room = SECTION_LIMIT - 8;
  const body = safe.length > room ? `${safe.slice(0, room - 20)}\n… (truncated)` : safe;
  return `\`\`\`${body}\`\`\``;
}

export function truncate(text: string): string {
  return text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text;
}
