import { BotError } from '../../errors.js';

const NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Exec carries no environment, and its URL (argv included) may land in the API server's audit
 * log, so the values a command needs, a secret above all, travel on stdin: a small `sh -c` reads
 * one line per variable, exports them, and execs the command with stdin from /dev/null so that it
 * cannot wait for more (over v4, stdin never reaches end-of-file).
 */
export function withStdinVariables(
  values: Record<string, string>,
  argv: readonly string[],
): { argv: string[]; stdin: string } {
  const names = Object.keys(values);
  if (names.length === 0) return { argv: [...argv], stdin: '' };
  for (const [name, value] of Object.entries(values)) {
    if (!NAME.test(name) || /[\n\0]/.test(value)) {
      throw new BotError({
        code: 'kubernetes_stdin_value',
        userMessage: `The value for ${NAME.test(name) ? name : 'a variable'} cannot be passed on stdin.`,
        detail: 'names must be shell identifiers and values single lines',
      });
    }
  }
  const reads = names.map((name) => `IFS= read -r ${name}`).join(' && ');
  const script = `${reads} && export ${names.join(' ')} && exec "$@" </dev/null`;
  return {
    argv: ['sh', '-c', script, 'sh', ...argv],
    stdin: names.map((name) => `${values[name]}\n`).join(''),
  };
}
