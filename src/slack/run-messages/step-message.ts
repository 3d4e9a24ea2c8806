import type { RunRecord, StepRecord } from '../../jobs/run-record.js';
import { codeBlock, type KnownBlock, type RenderedMessage } from './block-text.js';
import { PLAN_STEP_ICON, STEP_ICON } from './run-labels.js';
import { stepElapsed } from './run-outcome.js';
import { stepSummaryMrkdwn } from './summary-mrkdwn.js';

export function renderStep(run: RunRecord, step: StepRecord): RenderedMessage {
  const index = run.steps.findIndex((s) => s.id === step.id) + 1;
  const said = stepSummaryMrkdwn(step);
  const summary = said ? ` — ${said}` : step.status === 'running' ? ' — working…' : '';
  const elapsed = stepElapsed(step);
  const took = elapsed ? ` _(${elapsed})_` : '';
  const text = `${stepIcon(run, step)} *${index}. ${step.title}*${summary}${took}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (step.details) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(step.details) } });
  }
  return { text: `${index}. ${step.title}: ${step.status}`, blocks };
}

/** A plan's finished step says whether it would change something or is in place. */
export function stepIcon(run: RunRecord, step: StepRecord): string {
  if (run.kind === 'plan' && step.status === 'done' && step.changed !== undefined) {
    return step.changed ? PLAN_STEP_ICON.wouldChange : PLAN_STEP_ICON.inPlace;
  }
  return STEP_ICON[step.status];
}
