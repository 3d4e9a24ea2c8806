import type { types } from '@slack/bolt';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT, ACTION_RETRY } from '../../commands/action-ids.js';
import type { ApprovalRecord, RunRecord, RunStatus, StepRecord } from '../../jobs/run-record.js';
import { isFinal } from '../../jobs/run-record.js';
import { escapeMrkdwn } from './mrkdwn.js';

type KnownBlock = types.KnownBlock;

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit's section text limit is 3 000 characters; details beyond that are cut. */
const SECTION_LIMIT = 2_900;

const STATUS_LABEL: Record<RunStatus, string> = {
  queued: ':hourglass_flowing_sand: Queued',
  running: ':arrows_counterclockwise: Running',
  awaiting_approval: ':raised_hand: Waiting for approval',
  succeeded: ':white_check_mark: Succeeded',
  failed: ':x: Failed',
  cancelled: ':no_entry_sign: Cancelled',
  rejected: ':no_entry: Rejected',
  expired: ':alarm_clock: Expired (no decision in time)',
};

const STEP_ICON: Record<StepRecord['status'], string> = {
  pending: ':white_circle:',
  running: ':arrows_counterclockwise:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

const PHASE_LABEL: Record<ApprovalRecord['phase'], string> = {
  lms: 'LMS changes (retirement states, worker user, OAuth application)',
  vault: 'Vault write (tubular_oauth_client)',
  concourse: 'Concourse changes (set, unpause and trigger the pipeline)',
};

export function runTitle(run: RunRecord): string {
  return `Retirement ${run.kind} · ${run.app} ${run.env}`;
}

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
  if (run.status === 'failed' && run.kind === 'setup') return retryActions(run);
  if (isFinal(run.status) || run.cancelRequestedBy) return undefined;
  return {
    type: 'actions',
    block_id: 'run_actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION_CANCEL,
        text: { type: 'plain_text', text: 'Cancel run' },
        value: run.id,
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
        value: run.id,
      },
    ],
  };
}

export function renderStep(run: RunRecord, step: StepRecord): RenderedMessage {
  const index = run.steps.findIndex((s) => s.id === step.id) + 1;
  const summary = step.summary
    ? ` — ${escapeMrkdwn(step.summary)}`
    : step.status === 'running'
      ? ' — working…'
      : '';
  const text = `${STEP_ICON[step.status]} *${index}. ${step.title}*${summary}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text) } }];
  if (step.details) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(step.details) } });
  }
  return { text: `${index}. ${step.title}: ${step.status}`, blocks };
}

export function renderApproval(run: RunRecord, approval: ApprovalRecord, approvers: string): RenderedMessage {
  const heading = `*Approval needed for ${run.app} ${run.env}: ${PHASE_LABEL[approval.phase]}*`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    { type: 'section', text: { type: 'mrkdwn', text: codeBlock(approval.changes) } },
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

function approvalButtons(run: RunRecord, approval: ApprovalRecord): KnownBlock {
  const value = `${run.id}:${approval.phase}`;
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
  }
}

export function renderFinal(run: RunRecord): RenderedMessage {
  if (!isFinal(run.status)) {
    const text = `:repeat: Retried: attempt ${run.attempt} is in progress; this message shows its result when it ends.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const lines = [`${STATUS_LABEL[run.status]}: ${runTitle(run)}`];
  if (run.error)
    lines.push(`Failed at *${stepTitle(run, run.error.step)}*: ${escapeMrkdwn(run.error.message)}`);
  if (run.status === 'succeeded' && run.kind === 'setup') lines.push('Everything is in place.');
  if (run.status === 'cancelled' && run.cancelRequestedBy)
    lines.push(`Cancelled by <@${run.cancelRequestedBy}>.`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n')) } },
  ];
  if (run.status === 'failed' && run.kind === 'setup') blocks.push(retryActions(run));
  return { text: lines[0] as string, blocks };
}

function stepTitle(run: RunRecord, stepId: string): string {
  return run.steps.find((s) => s.id === stepId)?.title ?? stepId;
}

function codeBlock(text: string): string {
  const safe = escapeMrkdwn(text.replaceAll('```', "'''"));
  const room = SECTION_LIMIT - 8;
  const body = safe.length > room ? `${safe.slice(0, room - 20)}\n… (truncated)` : safe;
  return `\`\`\`${body}\`\`\``;
}

function truncate(text: string): string {
  return text.length > SECTION_LIMIT ? `${text.slice(0, SECTION_LIMIT - 1)}…` : text;
}

/** Slack renders this in each reader's time zone; the fallback is UTC. */
export function slackDate(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}
