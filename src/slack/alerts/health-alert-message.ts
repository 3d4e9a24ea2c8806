import type { Target } from '../../config/catalog.js';
import type { HealthRecord } from '../../jobs/watch/pair-health.js';
import { ACTION_REPAIR, ACTION_SILENCE } from '../actions/action-ids.js';
import type { KnownBlock, RenderedMessage } from '../run-messages/block-text.js';
import { cutText, SECTION_LIMIT } from '../run-messages/block-text.js';
import { slackDate } from '../slack-date.js';
import { pairButtonValue, SILENCE_CHOICES, silenceButtonValue } from './alert-button-value.js';
import { allCheckLines, failingLines, HEALTH_ICON } from './health-labels.js';

/** The alert for a change to degraded or broken, with Repair and Silence. */
export function renderHealthAlert(target: Target, record: HealthRecord): RenderedMessage {
  const pair = `${target.app} ${target.env}`;
  const heading = `${HEALTH_ICON[record.health]} *${pair} is ${record.health}* since ${slackDate(record.since)}`;
  const repair = target.approval.required ? ' (its production phases wait for approval)' : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: cutText([heading, ...failingLines(record)].join('\n'), SECTION_LIMIT) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `*Repair* queues \`/retirement setup ${pair}\`${repair}. *Silence* holds this pair's alerts back for a while.`,
        },
      ],
    },
    {
      type: 'actions',
      block_id: 'health_alert',
      elements: [
        {
          type: 'button',
          action_id: ACTION_REPAIR,
          style: 'primary',
          text: { type: 'plain_text', text: 'Repair' },
          value: pairButtonValue(target),
        },
        ...SILENCE_CHOICES.map((choice) => ({
          type: 'button' as const,
          action_id: `${ACTION_SILENCE}_${choice}`,
          text: { type: 'plain_text' as const, text: `Silence ${choice}` },
          value: silenceButtonValue(target, choice),
        })),
      ],
    },
  ];
  return { text: `${pair} is ${record.health}`, blocks };
}

/** The one message that says the pair is healthy again. */
export function renderRecovery(target: Target, record: HealthRecord): RenderedMessage {
  const text = `${HEALTH_ICON.ok} *${target.app} ${target.env} is healthy again*: every drift check passed at ${slackDate(record.checkedAt)}.`;
  return {
    text: `${target.app} ${target.env} is healthy again`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

/** The answer to `/retirement check`, in the channel it was asked in. */
export function renderCheckResult(
  target: Target,
  record: HealthRecord,
  requestedBy: string,
): RenderedMessage {
  const heading = `${HEALTH_ICON[record.health]} *Drift check of ${target.app} ${target.env}*: ${record.health} (asked by <@${requestedBy}>)`;
  return {
    text: `Drift check of ${target.app} ${target.env}: ${record.health}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: cutText([heading, ...allCheckLines(record)].join('\n'), SECTION_LIMIT),
        },
      },
    ],
  };
}
