import { BotError } from '../../errors.js';

/** `2023-04-28 21:10:00,691 INFO 69935 [name] [user None] [ip None] file.py:82 - message` (MIT's LMS log format). */
const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ([A-Z]+) \d+ \[[^\]]*\].*? - (.*)$/;
const PYTHON_WARNING = /^\S+\.py:\d+: \w*Warning: /;
const WARNING_SOURCE = /^\s+warnings\.warn\(/;
const SECRET_IN_LINE = /(client_secret: )\S+/g;

/**
 * The lines of a command's combined output that say something: the warnings every edx-worker
 * prints (A.4: "can be ignored") and blank lines are dropped; log lines are reduced to their
 * message. Anything secret-shaped is masked before a line can be quoted anywhere.
 */
export function meaningfulLines(output: string): string[] {
  return (
    output
      .split(/\r?\n/)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
      .map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''))
      .filter((line) => line.trim() !== '' && !PYTHON_WARNING.test(line) && !WARNING_SOURCE.test(line))
      .flatMap((line) => {
        const log = LOG_LINE.exec(line);
        if (!log) return [line];
        return log[1] === 'WARNING' ? [] : [log[2] as string];
      })
  );
}

/** A line safe to show in Slack: no secret value, bounded length. */
export function quotable(line: string): string {
  const masked = line.replace(SECRET_IN_LINE, '$1[hidden]');
  return masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
}

export function unexpectedOutput(command: string, lines: string[], expected: string): BotError {
  const first = lines[0];
  return new BotError({
    code: 'edx_unexpected_output',
    userMessage: `${command} printed something unexpected (looked for ${expected})${first ? `: "${quotable(first)}"` : ': no output'}.`,
  });
}

/** Python set reprs: `set()` or `{'A', 'B'}` in any order. */
export function parsePythonSet(text: string): string[] {
  if (text.trim() === 'set()') return [];
  return [...text.matchAll(/'([^']*)'/g)].map((m) => m[1] as string).sort();
}
