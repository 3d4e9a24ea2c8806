import type {
  ApprovalPhase,
  ApprovalRecord,
  RetriedAttempt,
  RunRecord,
  StepRecord,
} from '../../jobs/run-record.js';
import { isFinal } from '../../jobs/run-record.js';
import { slackDate } from '../slack-date.js';
import { renderApproval } from './approval-message.js';
import type { KnownBlock, RenderedMessage } from './block-text.js';
import { renderCard, renderFinal } from './run-card.js';
import { renderStep } from './step-message.js';

/** One message a run has in Slack, named by a key that stays the same while its content moves. */
export interface RunMessage {
  key: string;
  message: RenderedMessage;
  /**
   * True when the message says something people act on or wait for (an approval, a phase that
   * ended, the result): it is written as soon as Slack's limits allow. Otherwise it is progress,
   * written at most once per progress interval, and always once settled.
   */
  settled: boolean;
  /** Also shown in the channel (a failure), not only in the thread. */
  broadcast?: boolean;
  /** For approval messages: the approval whose record keeps the message's ts (clicks bind to it). */
  approval?: ApprovalRecord;
}

export const CARD_KEY = 'card';

const GROUP_TITLE: Record<ApprovalPhase | 'run', string> = {
  lms: 'LMS',
  credentials: 'Credentials',
  concourse: 'Concourse',
  run: 'Steps',
};

/** The status card: the run's one message in the channel. */
export function cardMessage(run: RunRecord): RunMessage {
  const settled =
    isFinal(run.status) ||
    run.status === 'awaiting_approval' ||
    Boolean(run.cancelRequestedBy) ||
    run.steps.some(isWaiting);
  return { key: CARD_KEY, message: renderCard(run), settled };
}

/**
 * The card's thread, top to bottom: for each attempt, per phase (LMS, credentials, Concourse) its
 * approvals and one message listing the steps it ran in that attempt; then the attempt's result.
 * An attempt that was retried keeps its messages, its failed step as it failed, and its result
 * marked "retried by"; the retry's messages follow below.
 */
export function runThread(run: RunRecord, approvers: string): RunMessage[] {
  const groups = stepGroups(run);
  const messages: RunMessage[] = [];
  for (let attempt = 1; attempt <= run.attempt; attempt += 1) {
    const ended = attempt < run.attempt || isFinal(run.status);
    for (const group of [...new Set(groups.values())]) {
      for (const approval of run.approvals) {
        if (approval.attempt !== attempt || approval.phase !== group || approval.status === 'not_needed')
          continue;
        messages.push({
          key: `approval:${approval.phase}:${approval.attempt}:${approval.requestedAt}`,
          message: renderApproval(run, approval, approvers),
          settled: true,
          approval,
        });
      }
      const steps = stepsOfAttempt(run, attempt).filter((s) => groups.get(s.id) === group);
      if (steps.length === 0) continue;
      const phaseEnded = run.steps
        .filter((s) => groups.get(s.id) === group)
        .every((s) => s.status === 'done' || s.status === 'skipped' || s.status === 'failed');
      messages.push({
        key: `phase:${attempt}:${group}`,
        message: phaseMessage(run, group, attempt, steps),
        // While the run waits for a person nothing moves: show where it stands now.
        settled: ended || phaseEnded || run.status === 'awaiting_approval' || steps.some(isWaiting),
      });
    }
    const retried = run.retried?.find((r) => r.attempt === attempt);
    if (retried) {
      messages.push({ key: `final:${attempt}`, message: retriedResult(run, retried), settled: true });
    } else if (attempt === run.attempt && isFinal(run.status)) {
      messages.push({
        key: `final:${attempt}`,
        message: renderFinal(run),
        settled: true,
        broadcast: run.status === 'failed',
      });
    }
  }
  return messages;
}

/** A step parked until something outside the bot happens (a merge): nothing moves meanwhile. */
function isWaiting(step: StepRecord): boolean {
  return step.status === 'running' && step.waitingUntil !== undefined;
}

/** The steps an attempt ran, as that attempt left them. */
function stepsOfAttempt(run: RunRecord, attempt: number): StepRecord[] {
  const retried = run.retried ?? [];
  const start = retried.find((r) => r.attempt === attempt - 1)?.retriedAt ?? Number.NEGATIVE_INFINITY;
  const end = retried.find((r) => r.attempt === attempt)?.retriedAt ?? Number.POSITIVE_INFINITY;
  const failed = retried.find((r) => r.attempt === attempt)?.failedStep;
  return run.steps.flatMap((step) => {
    if (failed?.id === step.id) return [failed];
    if (step.status === 'pending' || step.startedAt === undefined) return [];
    return step.startedAt >= start && step.startedAt < end ? [step] : [];
  });
}

/** A step outside any phase (preflight, the token check) is listed with its neighbours. */
function stepGroups(run: RunRecord): Map<string, ApprovalPhase | 'run'> {
  const groups = new Map<string, ApprovalPhase | 'run'>();
  let previous: ApprovalPhase | undefined;
  run.steps.forEach((step, index) => {
    const next = run.steps.slice(index).find((s) => s.phase)?.phase;
    const group = step.phase ?? previous ?? next ?? 'run';
    groups.set(step.id, group);
    if (group !== 'run') previous = group;
  });
  return groups;
}

function phaseMessage(
  run: RunRecord,
  group: ApprovalPhase | 'run',
  attempt: number,
  steps: StepRecord[],
): RenderedMessage {
  const heading = `*${GROUP_TITLE[group]}*${attempt > 1 ? ` · attempt ${attempt}` : ''}`;
  const rendered = steps.map((step) => renderStep(run, step));
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    ...rendered.flatMap((r) => r.blocks),
  ];
  return { text: `${GROUP_TITLE[group]}: ${rendered.map((r) => r.text).join('; ')}`, blocks };
}

/** A failed attempt's result as it was shown, its Retry button replaced by who retried it, and when. */
function retriedResult(run: RunRecord, retried: RetriedAttempt): RenderedMessage {
  const { error: _error, ...rest } = run;
  const failed: RunRecord = {
    ...rest,
    status: 'failed',
    attempt: retried.attempt,
    ...(retried.error ? { error: retried.error } : {}),
  };
  const shown = renderFinal(failed);
  const note = `:repeat: Retried by <@${retried.retriedBy}> at ${slackDate(retried.retriedAt)}; attempt ${retried.attempt + 1} follows below.`;
  return {
    text: `${shown.text} (retried)`,
    blocks: [
      ...shown.blocks.filter((b) => b.type !== 'actions'),
      { type: 'context', elements: [{ type: 'mrkdwn', text: note }] },
    ],
  };
}
