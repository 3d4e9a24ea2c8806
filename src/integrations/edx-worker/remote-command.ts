import { shellQuote } from './shell-quote.js';

/**
 * Seconds `timeout` waits after TERM before KILL: long enough for Django to roll back a
 * transaction, short enough that a hung command frees the worker.
 */
const KILL_AFTER_SECONDS = 30;

/**
 * The runbook's invocation (domain.md A.4): become the app user with a login shell, source
 * edxapp_env (which sets DJANGO_SETTINGS_MODULE, so no --settings), run manage.py lms. Every
 * argument is quoted inside the script, and the script is quoted again for the outer shell;
 * `timeout` on the host bounds the command even if the connection drops.
 */
export function manageCommand(appUser: string, args: readonly string[], timeoutSeconds: number): string {
  const script = `source edxapp_env && python edx-platform/manage.py lms ${args.map(shellQuote).join(' ')}`;
  return asAppUser(appUser, script, timeoutSeconds);
}

/** The shell variable the secret is read into from standard input. */
const SECRET_VARIABLE = 'RB_SECRET';

/**
 * Like manageCommand, with one secret argument that arrives on standard input: the script reads it
 * into a shell variable and passes `--flag "$RB_SECRET"`. The command line the host logs holds
 * only the variable's name; the value is in the management command's own argv, visible inside
 * the host to root and the app user while it runs (as it would be for an operator typing it).
 */
export function manageCommandWithSecret(
  appUser: string,
  args: readonly string[],
  secretFlag: string,
  timeoutSeconds: number,
): string {
  const command = `python edx-platform/manage.py lms ${args.map(shellQuote).join(' ')} ${shellQuote(secretFlag)} "$${SECRET_VARIABLE}"`;
  const script = `IFS= read -r ${SECRET_VARIABLE} && source edxapp_env && ${command}`;
  return asAppUser(appUser, script, timeoutSeconds);
}

/** Like manageCommand, with values the command reads from its environment, exported first. */
export function manageCommandWithValues(
  appUser: string,
  args: readonly string[],
  values: Record<string, string>,
  timeoutSeconds: number,
): string {
  const exports = Object.entries(values)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join(' && ');
  const script = `source edxapp_env && ${exports ? `${exports} && ` : ''}python edx-platform/manage.py lms ${args.map(shellQuote).join(' ')}`;
  return asAppUser(appUser, script, timeoutSeconds);
}

function asAppUser(appUser: string, script: string, timeoutSeconds: number): string {
  return `timeout -k ${KILL_AFTER_SECONDS} ${Math.floor(timeoutSeconds)} sudo -n su - ${shellQuote(appUser)} -s /bin/bash -c ${shellQuote(script)}`;
}
