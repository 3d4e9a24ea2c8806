import { isFinal, type RunRecord } from '../../jobs/run-record.js';
import { ACTION_CANCEL, ACTION_RETRY } from '../actions/action-ids.js';
import { runButtonValue } from '../actions/button-value.js';
import { slackDate } from '../slack-date.js';
import type { KnownBlock, RenderedMessage } from './block-text.js';
import { runTitle, STATUS_LABEL, stepTitle } from './run-labels.js';
import {
  cancelledLines,
  changedAndInPlace,
  failureLines,
  linksLine,
  planCount,
  retryHelps,
  runElapsed,
} from './run-outcome.js';

export function renderCard(run: RunRecord): RenderedMessage {
  const lines = [`*${runTitle(run)}*`, statusLine(run)];
  lines.push(...failureLines(run, run.error ? stepTitle(run, run.error.step) : ''));
  if (run.status === 'cancelled') lines.push(...cancelledLines(run));
  else if (run.cancelRequestedBy && !isFinal(run.status))
    lines.push(`Cancel requested by <@${run.cancelRequestedBy}>.`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Run \`${run.id}\` · requested by <@${run.requestedBy}> · ${slackDate(run.createdAt)}`,
        },
      ],
    },
  ];
  const actions = cardActions(run);
  if (actions) blocks.push(actions);
  return { text: `${runTitle(run)}: ${statusText(run)}`, blocks };
}

/** A finished plan reads as a plan; other runs say their status, progress and time taken. */
function statusLine(run: RunRecord): string {
  const elapsed = runElapsed(run);
  const took = elapsed ? ` · took ${elapsed}` : '';
  if (run.kind === 'plan' && run.status === 'succeeded') return `:clipboard: ${planCount(run)}${took}`;
  const done = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  const current = run.steps.find((s) => s.status === 'running' || s.status === 'failed');
  const progress = run.steps.length > 0 ? ` · ${done}/${run.steps.length} steps` : '';
  const where = current && !isFinal(run.status) ? ` · ${current.title}` : '';
  return `${STATUS_LABEL[run.status]}${progress}${where}${took}`;
}

function statusText(run: RunRecord): string {
  return run.kind === 'plan' && run.status === 'succeeded' ? planCount(run) : STATUS_LABEL[run.status];
}

function cardActions(run: RunRecord): KnownBlock | undefined {
  if (retryHelps(run)) return retryActions(run);
  if (isFinal(run.status) || run.cancelRequestedBy) return undefined;
  return {
    type: 'actions',
    block_id: 'run_actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_CANCEL,
        text: { type: 'plain_text', text: 'Cancel run' },
        value: runButtonValue(run.id),
        confirm: {
          title: { type: 'plain_text', text: 'Cancel this run?' },
          text: {
            type: 'mrkdwn',
            text: `Run ${run.id} stops after its current step. Steps already done stay done.`,
          },
          confirm: { type: 'plain_text', text: 'Cancel run' },
          deny: { type: 'plain_text', text: 'Keep running' },
          style: 'danger',
        },
      },
    ],
  };
}

function retryActions(run: RunRecord): KnownBlock {
  return {
    type: 'actions',
    block_id: 'retry_actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_RETRY,
        style: 'primary',
        text: { type: 'plain_text', text: 'Retry from the failed step' },
        value: runButtonValue(run.id),
      },
    ],
  };
}

export function renderFinal(run: RunRecord): RenderedMessage {
  const elapsed = runElapsed(run);
  const head =
    run.kind === 'plan' && run.status === 'succeeded'
      ? `:clipboard: ${planCount(run)}: ${runTitle(run)}`
      : `${STATUS_LABEL[run.status]}: ${runTitle(run)}`;
  const lines = [`${head}${elapsed ? ` · took ${elapsed}` : ''}`];
  lines.push(...failureLines(run, run.error ? stepTitle(run, run.error.step) : ''));
  if (run.status === 'cancelled') lines.push(...cancelledLines(run));
  else lines.push(...changeLines(run));
  const links = linksLine(run);
  if (links) lines.push(links);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
  if (retryHelps(run)) blocks.push(retryActions(run));
  // The notification text stays short: the time taken is in the message itself.
  return { text: head, blocks };
}

/** What the run changed and what it found already in place (for a plan: would change). */
function changeLines(run: RunRecord): string[] {
  const { changed, inPlace } = changedAndInPlace(run);
  const changedLabel = run.kind === 'plan' ? 'Would change' : 'Changed';
  return [
    ...(changed.length > 0 ? [`*${changedLabel}:* ${changed.join('; ')}`] : []),
    ...(inPlace.length > 0 ? [`*Already in place:* ${inPlace.join('; ')}`] : []),
    ...(run.status === 'succeeded' && run.kind === 'setup' && changed.length === 0
      ? ['Everything was already in place; nothing was changed.']
      : []),
  ];
}
