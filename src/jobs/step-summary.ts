import { z } from 'zod';

/**
 * A step's one-line summary as typed parts: text (what the step says, possibly with `code`
 * spans) and links (a build, a pipeline). Keeping links apart lets Slack show them as links while
 * every other character is escaped, and lets a terminal print them as plain URLs.
 */
export const summaryLinkSchema = z.object({ url: z.string(), label: z.string() });
export const summaryPartSchema = z.union([z.string(), summaryLinkSchema]);

export type SummaryLink = z.infer<typeof summaryLinkSchema>;
export type SummaryPart = z.infer<typeof summaryPartSchema>;
/** What steps return: plain text, or parts when the summary carries links. */
export type Summary = string | readonly SummaryPart[];

export function link(url: string, label: string): SummaryLink {
  return { url, label };
}

export function summaryParts(summary: Summary): SummaryPart[] {
  return typeof summary === 'string' ? [summary] : [...summary];
}

/** The summary as plain text, links written `label (url)`: for terminals, logs and the audit trail. */
export function summaryText(summary: Summary): string {
  return summaryParts(summary)
    .map((part) => (typeof part === 'string' ? part : `${part.label} (${part.url})`))
    .join('');
}

export function summaryLinks(summary: Summary): SummaryLink[] {
  return summaryParts(summary).filter((part): part is SummaryLink => typeof part !== 'string');
}
