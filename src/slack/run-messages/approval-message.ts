import type { ApprovalRecord, RunRecord } from '../../jobs/run-record.js';
import { ACTION_APPROVE, ACTION_REJECT } from '../actions/action-ids.js';
import { approvalButtonValue } from '../actions/button-value.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackDate } from '../slack-date.js';
import { codeBlock, type KnownBlock, type RenderedMessage } from './block-text.js';
import { PHASE_LABEL } from './run-labels.js';

export function renderApproval(run: RunRecord, approval: ApprovalRecord, approvers: string): RenderedMessage {
  const heading = `*Approval needed for ${run.app} ${run.env}: ${PHASE_LABEL[approval.phase]}*`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    ...changeBlocks(approval.changes),
  ];
  if (approval.status === 'pending') {
    blocks.push(
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Requested by <@${run.requestedBy}> · approvers: ${approvers} · expires ${slackDate(approval.expiresAt)}`,
          },
        ],
      },
      approvalButtons(run, approval),
    );
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: decisionLine(approval) }] });
  }
  return { text: `Approval for ${run.app} ${run.env} (${approval.phase}): ${approval.status}`, blocks };
}

/**
 * A phase's preview is one line per step (`• title: summary`), each followed by the detail of what
 * it changes indented (diff lines, Vault fields, states): the lines read as text, the details
 * verbatim in a code block, so a diff keeps its columns and nothing in it is taken for formatting.
 */
function changeBlocks(changes: string): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let detail: string[] = [];
  const flush = () => {
    if (detail.length > 0) blocks.push(section(codeBlock(detail.join('\n'))));
    detail = [];
  };
  for (const line of changes.split('\n')) {
    if (line.startsWith(DETAIL_INDENT)) {
      detail.push(line.slice(DETAIL_INDENT.length));
      continue;
    }
    flush();
    blocks.push(section(escapeMrkdwn(line)));
  }
  flush();
  // Slack allows 50 blocks a message; a preview of unusual shape is shown whole, verbatim.
  return blocks.length <= MAX_CHANGE_BLOCKS ? blocks : [section(codeBlock(changes))];
}

const MAX_CHANGE_BLOCKS = 20;

const DETAIL_INDENT = '    ';

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function approvalButtons(run: RunRecord, approval: ApprovalRecord): KnownBlock {
  const value = approvalButtonValue(run.id, approval.phase);
  return {
    type: 'actions',
    block_id: `approval_${approval.phase}`,
    elements: [
      {
        type: 'button',
        action_id: ACTION_APPROVE,
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value,
        confirm: {
          title: { type: 'plain_text', text: 'Approve these changes?' },
          text: {
            type: 'mrkdwn',
            text: `${PHASE_LABEL[approval.phase]} on *${run.app} ${run.env}* will be applied now.`,
          },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Back' },
          style: 'primary',
        },
      },
      {
        type: 'button',
        action_id: ACTION_REJECT,
        style: 'danger',
        text: { type: 'plain_text', text: 'Reject' },
        value,
        confirm: {
          title: { type: 'plain_text', text: 'Reject this run?' },
          text: {
            type: 'mrkdwn',
            text: `The run for *${run.app} ${run.env}* ends here; nothing more is changed.`,
          },
          confirm: { type: 'plain_text', text: 'Reject' },
          deny: { type: 'plain_text', text: 'Back' },
          style: 'danger',
        },
      },
    ],
  };
}

function decisionLine(approval: ApprovalRecord): string {
  const when = approval.decidedAt ? ` at ${slackDate(approval.decidedAt)}` : '';
  switch (approval.status) {
    case 'approved':
      return `:white_check_mark: Approved by <@${approval.decidedBy}>${when}`;
    case 'rejected':
      return `:no_entry: Rejected by <@${approval.decidedBy}>${when}`;
    case 'expired':
      return `:alarm_clock: Expired at ${slackDate(approval.expiresAt)} without a decision`;
    case 'cancelled':
      return ':no_entry_sign: Withdrawn: the run was cancelled';
    case 'pending':
      return 'Waiting for a decision';
    case 'superseded':
      return ':arrows_counterclockwise: Superseded: what this phase would change moved on; see the newer approval below';
    case 'not_needed':
      return 'No approval needed: nothing to change';
  }
}
