import { changesThings, isFinal, type RunRecord } from '../../jobs/run-record.js';
import { ACTION_CANCEL, ACTION_RETRY } from '../actions/action-ids.js';
import { runButtonValue } from '../actions/button-value.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackDate } from '../slack-date.js';
import type { KnownBlock, RenderedMessage } from './block-text.js';
import { runTitle, STATUS_LABEL, stepTitle } from './run-labels.js';

export function renderCard(run: RunRecord): RenderedMessage {
  const done = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  const current = run.steps.find((s) => s.status === 'running' || s.status === 'failed');
  const progress = run.steps.length > 0 ? ` · ${done}/${run.steps.length} steps` : '';
  const where = current && !isFinal(run.status) ? ` · ${current.title}` : '';
  const lines = [`*${runTitle(run)}*`, `${STATUS_LABEL[run.status]}${progress}${where}`];
  if (run.error)
    lines.push(`Failed at *${stepTitle(run, run.error.step)}*: ${escapeMrkdwn(run.error.message)}`);
  if (run.cancelRequestedBy && !isFinal(run.status))
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
  return { text: `${runTitle(run)}: ${STATUS_LABEL[run.status]}`, blocks };
}

function cardActions(run: RunRecord): KnownBlock | undefined {
  if (run.status === 'failed' && changesThings(run.kind)) return retryActions(run);
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
  const lines = [`${STATUS_LABEL[run.status]}: ${runTitle(run)}`];
  if (run.error)
    lines.push(`Failed at *${stepTitle(run, run.error.step)}*: ${escapeMrkdwn(run.error.message)}`);
  if (run.status === 'succeeded' && run.kind === 'setup') lines.push('Everything is in place.');
  if (run.status === 'cancelled' && run.cancelRequestedBy)
    lines.push(`Cancelled by <@${run.cancelRequestedBy}>.`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
  if (run.status === 'failed' && changesThings(run.kind)) blocks.push(retryActions(run));
  return { text: lines[0] as string, blocks };
}
