import { BotError } from '../../errors.js';

const NAME = /^[A-Z_][A-Z0-9_]*$/;
const SECRET_VARIABLE = 'RB_SECRET';

/**
 * Exec carries no environment, and its URL (argv included) may land in the API server's audit
 * log, so the values a command needs, a secret above all, travel on stdin: a small `sh -c` reads
 * one line per variable, exports them, and execs the command with stdin from /dev/null so that it
 * cannot wait for more (over v4, stdin never reaches end-of-file). A `secret`, read last and not
 * exported, becomes the command's last argument, so argv can end with its flag.
 */
export function withStdinVariables(
  values: Record<string, string>,
  argv: readonly string[],
  secret?: string,
): { argv: string[]; stdin: string } {
  const names = Object.keys(values);
  if (names.length === 0 && secret === undefined) return { argv: [...argv], stdin: '' };
  const lines = secret === undefined ? values : { ...values, [SECRET_VARIABLE]: secret };
  for (const [name, value] of Object.entries(lines)) {
    if (!NAME.test(name) || /[\n\0]/.test(value)) {
      throw new BotError({
        code: 'kubernetes_stdin_value',
        userMessage: `The value for ${NAME.test(name) ? name : 'a variable'} cannot be passed on stdin.`,
        detail: 'names must be shell identifiers and values single lines',
      });
    }
  }
  const reads = Object.keys(lines).map((name) => `IFS= read -r ${name}`);
  const exports = names.length > 0 ? [`export ${names.join(' ')}`] : [];
  const last = secret === undefined ? '' : ` "$${SECRET_VARIABLE}"`;
  const script = [...reads, ...exports, `exec "$@"${last} </dev/null`].join(' && ');
  return {
    argv: ['sh', '-c', script, 'sh', ...argv],
    stdin: Object.values(lines)
      .map((value) => `${value}\n`)
      .join(''),
  };
}
