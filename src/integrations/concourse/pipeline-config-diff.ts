import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { canonicalConfig } from './canonical-config.js';

export interface ConfigDiff {
  changed: boolean;
  text: string;
}

/**
 * A unified diff of the two configs in canonical form (canonical-config.ts), as YAML with sorted
 * keys, so only real changes show: not the ATC's rewriting of what it was sent.
 */
export function diffConfig(current: unknown, desired: unknown): ConfigDiff {
  const before = current === undefined ? '' : stringify(canonicalConfig(current), { sortMapEntries: true });
  const after = stringify(canonicalConfig(desired), { sortMapEntries: true });
  if (before === after) return { changed: false, text: '' };
  const patch = createTwoFilesPatch('current', 'generated', before, after, '', '', { context: 2 });
  return {
    changed: true,
    text: patch
      .split('\n')
      .filter((line) => !line.startsWith('==='))
      .join('\n')
      .trimEnd(),
  };
}

/**
 * Only the lines a diff adds or removes, with the `@@` line of their hunk for orientation: what
 * an approver of an update needs, without the unchanged context around it.
 */
export function changedLines(diffText: string): string {
  return diffText
    .split('\n')
    .filter((line) => /^[+-](?![+-]{2} )/.test(line) || line.startsWith('@@'))
    .join('\n');
}

/** A created pipeline in one line: its size rather than its whole text. */
export function describeCreation(
  desired: { resources?: unknown[]; jobs?: unknown[] },
  diffText: string,
): string {
  const lines = diffText.split('\n').filter((line) => /^\+(?!\+\+ )/.test(line)).length;
  return `${desired.jobs?.length ?? 0} jobs, ${desired.resources?.length ?? 0} resources (${lines} lines of YAML).`;
}
