import { BotError } from '../../errors.js';

/** `2023-04-28 21:10:00,691 INFO 69935 [name] [user None] [ip None] file.py:82 - message` (MIT's LMS log format). */
const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ([A-Z]+) \d+ \[[^\]]*\].*? - (.*)$/;
/** `path.py:12: SomeWarning: message`, as warnings.formatwarning writes it. */
const PYTHON_WARNING = /^\S+\.py:\d+: \w*Warning: /;
const SECRET_IN_LINE = /(client_secret: )\S+/g;

/**
 * The lines of a command's combined output that say something: the warnings every edx-worker
 * prints (A.4: "can be ignored") and blank lines are dropped; log lines are reduced to their
 * message. Anything secret-shaped is masked before a line can be quoted anywhere.
 */
export function meaningfulLines(output: string): string[] {
  return withoutWarnings(output).flatMap((line) => {
    const log = LOG_LINE.exec(line);
    if (!log) return [line];
    return log[1] === 'WARNING' ? [] : [log[2] as string];
  });
}

/**
 * The lines a command printed itself, for commands that print their report to stdout: Django's
 * logging and Python's warnings are never part of it, even when a worker sends them to stdout.
 */
export function printedLines(stdout: string): string[] {
  return withoutWarnings(stdout).filter((line) => !LOG_LINE.test(line));
}

/**
 * Non-blank lines without ANSI colours or Python warnings. formatwarning follows a warning with
 * the indented source line it points at, whatever that line says, so that goes too, also after a
 * warning Django's logging captured (py.warnings).
 */
function withoutWarnings(output: string): string[] {
  const lines: string[] = [];
  let afterWarning = false;
  for (const raw of output.split(/\r?\n/)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    const sourceLine = afterWarning && /^\s/.test(line);
    const warning = PYTHON_WARNING.test(line);
    afterWarning = warning || PYTHON_WARNING.test(LOG_LINE.exec(line)?.[2] ?? '');
    if (line.trim() !== '' && !warning && !sourceLine) lines.push(line);
  }
  return lines;
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
