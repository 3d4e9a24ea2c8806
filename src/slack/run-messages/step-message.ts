import type { RunRecord, StepRecord } from '../../jobs/run-record.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { codeBlock, type KnownBlock, type RenderedMessage } from './block-text.js';
import { STEP_ICON } from './run-labels.js';

export function renderStep(run: RunRecord, step: StepRecord): RenderedMessage {
  const index = run.steps.findIndex((s) => s.id === step.id) + 1;
  const summary = step.summary
    ? ` — ${escapeMrkdwn(step.summary)}`
    : step.status === 'running'
      ? ' — working…'
      : '';
  const text = `${STEP_ICON[step.status]} *${index}. ${step.title}*${summary}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (step.details) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: codeBlock(step.details) } });
  }
  return { text: `${index}. ${step.title}: ${step.status}`, blocks };
}
