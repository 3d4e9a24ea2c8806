import type { BoardRow } from '../../jobs/watch/board.js';
import { HEALTH_LEVELS } from '../../jobs/watch/pair-health.js';
import { ACTION_BOARD } from '../actions/action-ids.js';
import { healthPhrase } from '../alerts/health-labels.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import type { KnownBlock } from '../run-messages/block-text.js';
import { slackDate } from '../slack-date.js';
import { boardChoiceValue } from './board-choice.js';

/** Slack's limit for a Home tab (reference/views/home-tab-views). */
export const HOME_MAX_BLOCKS = 100;
/** Header, summary and divider above the pairs; one context block below them for the overflow. */
const FRAME_BLOCKS = 4;
const CONTEXT_TEXT_LIMIT = 3_000;
const CONTEXT_ELEMENTS = 10;

export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
}

/**
 * The board: one section per pair (health, last check, last build, last run) with a menu to check,
 * plan or set it up, the least healthy first. Past Slack's 100 blocks the remaining pairs are
 * listed in one context block (text only) rather than dropped.
 */
export function renderBoard(rows: readonly BoardRow[], now: number): HomeView {
  const sorted = [...rows].sort((a, b) => rank(b) - rank(a));
  const fits = sorted.length <= HOME_MAX_BLOCKS - FRAME_BLOCKS + 1;
  const shown = fits ? sorted : sorted.slice(0, HOME_MAX_BLOCKS - FRAME_BLOCKS);
  const rest = sorted.slice(shown.length);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Retirement pipelines' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${summary(rows)} · updated ${slackDate(now)}` }] },
    { type: 'divider' },
    ...shown.map((row) => pairSection(row, now)),
  ];
  if (rest.length > 0) blocks.push(overflowContext(rest));
  return { type: 'home', blocks };
}

/** Broken first, then degraded, not yet checked, ok. */
function rank(row: BoardRow): number {
  return row.health ? HEALTH_LEVELS.indexOf(row.health.health) * 2 : 1;
}

function summary(rows: readonly BoardRow[]): string {
  const count = (health: string) => rows.filter((row) => row.health?.health === health).length;
  const unchecked = rows.filter((row) => !row.health).length;
  return [
    `${rows.length} pairs`,
    `${count('broken')} broken`,
    `${count('degraded')} degraded`,
    `${count('ok')} ok`,
    ...(unchecked > 0 ? [`${unchecked} not checked yet`] : []),
  ].join(' · ');
}

function pairSection(row: BoardRow, now: number): KnownBlock {
  const { target, health, lastRun } = row;
  const build = health?.lastBuild;
  const buildText = build
    ? `<${build.url}|#${escapeMrkdwn(build.name)}> ${build.status}${build.at ? ` ${slackDate(build.at)}` : ''}`
    : 'unknown';
  const runText = lastRun
    ? `\`${lastRun.id}\` ${lastRun.kind} ${lastRun.status} ${slackDate(lastRun.updatedAt)}`
    : 'none';
  const pair = { app: target.app, env: target.env };
  return {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*${target.app} ${target.env}* · ${healthPhrase(health, now)}\nLast build: ${buildText} · Last run: ${runText}`,
    },
    accessory: {
      type: 'overflow',
      action_id: ACTION_BOARD,
      options: [
        { text: { type: 'plain_text', text: 'Check now' }, value: boardChoiceValue('check', pair) },
        { text: { type: 'plain_text', text: 'Plan' }, value: boardChoiceValue('plan', pair) },
        { text: { type: 'plain_text', text: 'Set up' }, value: boardChoiceValue('setup', pair) },
      ],
    },
  };
}

/** The pairs past the block limit, as short lines packed into one context block. */
function overflowContext(rows: readonly BoardRow[]): KnownBlock {
  const lines = rows.map(
    (row) => `${row.target.app} ${row.target.env}: ${row.health?.health ?? 'not checked'}`,
  );
  const elements: string[] = [];
  let current = `${rows.length} more (use /retirement check|plan|setup): `;
  for (const line of lines) {
    const next = current.endsWith(': ') ? `${current}${line}` : `${current}, ${line}`;
    if (next.length <= CONTEXT_TEXT_LIMIT) {
      current = next;
      continue;
    }
    elements.push(current);
    current = line;
  }
  elements.push(current);
  return {
    type: 'context',
    elements: elements.slice(0, CONTEXT_ELEMENTS).map((text) => ({ type: 'mrkdwn' as const, text })),
  };
}
