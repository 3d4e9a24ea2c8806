import type { ExecResult, ExecTransport } from './exec-transport.js';
import { manageCommand, manageCommandWithSecret, manageCommandWithValues } from './remote-command.js';

export interface ManageOptions {
  timeoutSeconds: number;
  /** Values the command reads from its environment (names are shell identifiers, values one line). */
  env?: Record<string, string>;
  /** One argument, `flag value`, that must appear in no command line or URL: it travels on stdin. */
  secret?: { flag: string; value: string };
}

/**
 * How `manage.py lms` reaches the LMS, whatever carries it: the same commands, parsers and
 * timeouts run over SSH to an edx-worker and over an exec into an LMS pod.
 */
export interface ManagementTransport {
  /** Where commands run, for messages: `edx-worker 10.0.0.5:22`, `pod … in namespace …`. */
  describe(): string;
  manage(args: readonly string[], options: ManageOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** The runbook's invocation on an edx-worker, over one SSH connection. */
export function sshManagement(
  transport: ExecTransport,
  worker: { host: string; port: number; appUser: string },
): ManagementTransport {
  return {
    describe: () => `edx-worker ${worker.host}:${worker.port}`,
    manage(args, { timeoutSeconds, env, secret }) {
      if (secret) {
        const line = manageCommandWithSecret(worker.appUser, args, secret.flag, timeoutSeconds);
        return transport.exec(line, { timeoutSeconds, stdin: `${secret.value}\n` });
      }
      const line = env
        ? manageCommandWithValues(worker.appUser, args, env, timeoutSeconds)
        : manageCommand(worker.appUser, args, timeoutSeconds);
      return transport.exec(line, { timeoutSeconds });
    },
    close: () => transport.close(),
  };
}
