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
