import type { RunError, StepRecord } from '../../jobs/run-record.js';
import type { SummaryLink, SummaryPart } from '../../jobs/step-summary.js';
import { escapeMrkdwn } from '../mrkdwn.js';

/**
 * A link in Slack's own syntax, `<url|label>`: only `&`, `<` and `>` inside the url and the label
 * are escaped (Slack's formatting reference), and a `|` in the url is percent-encoded, since
 * Slack splits the link at the first one.
 */
export function mrkdwnLink(link: SummaryLink): string {
  return `<${escapeMrkdwn(link.url).replaceAll('|', '%7C')}|${escapeMrkdwn(link.label)}>`;
}

/** Typed parts as mrkdwn: text escaped (its `code` spans kept), links as links. */
export function partsMrkdwn(parts: readonly SummaryPart[]): string {
  return parts.map((part) => (typeof part === 'string' ? escapeMrkdwn(part) : mrkdwnLink(part))).join('');
}

/** A step's summary: its parts when it has links, else its plain text, escaped. */
export function stepSummaryMrkdwn(step: StepRecord): string {
  return partsMrkdwn(step.summaryParts ?? (step.summary ? [step.summary] : []));
}

/** A failure's reason with its links (the failed build) after it. */
export function errorMrkdwn(error: RunError): string {
  const links = (error.links ?? []).map(mrkdwnLink);
  return [escapeMrkdwn(error.message), ...links].join(' ');
}
