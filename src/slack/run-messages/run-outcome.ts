import type { RunRecord, StepRecord } from '../../jobs/run-record.js';
import type { SummaryLink } from '../../jobs/step-summary.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { elapsedBetween } from './elapsed.js';
import { errorMrkdwn, mrkdwnLink } from './summary-mrkdwn.js';

/** Lines that say how a run ended, shared by its status card and its closing message. */

const finished = (s: StepRecord) => s.status === 'done' || s.status === 'skipped';

/** `Plan: 7 to change, 2 in place`: what a plan found, counted from its steps. */
export function planCount(run: RunRecord): string {
  const done = run.steps.filter(finished);
  const change = done.filter((s) => s.changed === true).length;
  return `Plan: ${change} to change, ${done.length - change} in place`;
}

/** How long the run took, from its request to its end. */
export function runElapsed(run: RunRecord): string | undefined {
  return elapsedBetween(run.createdAt, run.finishedAt);
}

export function stepElapsed(step: StepRecord): string | undefined {
  return step.status === 'running' ? undefined : elapsedBetween(step.startedAt, step.finishedAt);
}

/** The titles of the finished steps that changed something, and of those already in place. */
export function changedAndInPlace(run: RunRecord): { changed: string[]; inPlace: string[] } {
  const done = run.steps.filter(finished);
  return {
    changed: done.filter((s) => s.changed === true).map((s) => s.title),
    inPlace: done.filter((s) => s.changed === false).map((s) => s.title),
  };
}

/** Every link the run's steps gave (pipeline, build, Vault, LMS), once each, in step order. */
export function runLinks(run: RunRecord): SummaryLink[] {
  const links = new Map<string, SummaryLink>();
  for (const step of run.steps) {
    for (const part of step.summaryParts ?? []) {
      if (typeof part !== 'string' && !links.has(part.url)) links.set(part.url, part);
    }
  }
  return [...links.values()];
}

export function linksLine(run: RunRecord): string | undefined {
  const links = runLinks(run);
  return links.length > 0 ? `Links: ${links.map(mrkdwnLink).join(' · ')}` : undefined;
}

/** The failure, and whether a Retry can fix it: when it cannot, what to do instead. */
export function failureLines(run: RunRecord, stepTitle: string): string[] {
  if (!run.error) return [];
  const lines = [`Failed at *${stepTitle}*: ${errorMrkdwn(run.error)}`];
  if (run.error.remedy) lines.push(`A Retry cannot fix this. ${escapeMrkdwn(run.error.remedy)}`);
  return lines;
}

/** Retry is offered for failures of runs that change things, unless the failure says it cannot help. */
export function retryHelps(run: RunRecord): boolean {
  return run.status === 'failed' && run.kind !== 'plan' && !run.error?.remedy;
}

/** A cancelled run: what stays done, what was not done, and how to finish the job. */
export function cancelledLines(run: RunRecord): string[] {
  const lines = run.cancelRequestedBy ? [`Cancelled by <@${run.cancelRequestedBy}>.`] : [];
  if (run.kind === 'plan') return lines;
  const done = run.steps.filter((s) => s.status === 'done').map((s) => s.title);
  const notDone = run.steps.filter((s) => !finished(s)).map((s) => s.title);
  lines.push(
    done.length > 0 ? `Left done: ${done.join('; ')}.` : 'Nothing was changed.',
    ...(notDone.length > 0 ? [`Not done: ${notDone.join('; ')}.`] : []),
    `A new \`/retirement ${run.kind} ${run.app} ${run.env}\` finishes the job; steps already done are kept.`,
  );
  return lines;
}
