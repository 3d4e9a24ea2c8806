import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';

export interface ConfigDiff {
  changed: boolean;
  text: string;
}

/** A unified diff of the two configs as YAML with sorted keys, so only real changes show. */
export function diffConfig(current: unknown, desired: unknown): ConfigDiff {
  const before = current === undefined ? '' : stringify(current, { sortMapEntries: true });
  const after = stringify(desired, { sortMapEntries: true });
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
