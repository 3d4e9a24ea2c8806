import { commandTimeoutSeconds, type Target, workerEmail } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { SecretRedactor } from '../../logging/secret-redactor.js';
import { meaningfulLines, quotable } from './command-output.js';
import { type EdxWorkerInspection, INSPECT_MARKER, parseInspectionOutput } from './inspection-output.js';
import { parseManageUserOutput } from './manage-user-output.js';
import type { ManagementTransport, ManageOptions } from './management-transport.js';
import { parseRetirementStatesOutput } from './retirement-states-output.js';

export interface RetirementStatesResult {
  changed: boolean;
  added: string[];
  removed: string[];
  states: string[];
}

export type { EdxWorkerInspection } from './inspection-output.js';

interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Both streams as one text: for commands whose messages Django logs to stderr, and for quoting a failure. */
function combined(output: CommandOutput): string {
  return `${output.stdout}\n${output.stderr}`;
}

/** Read-only: looks up the worker and its application by the names in the environment; never reads the secret. */
const INSPECT_SNIPPET = `
import json, os
from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model
user = get_user_model().objects.filter(username=os.environ["RB_USERNAME"]).first()
app = get_application_model().objects.filter(user=user, name=os.environ["RB_APPLICATION"]).first() if user else None
print("${INSPECT_MARKER}" + json.dumps({
    "user": {"exists": user is not None, "isStaff": bool(user and user.is_staff), "isSuperuser": bool(user and user.is_superuser)},
    "application": {"exists": app is not None, "clientId": app.client_id if app else None},
}))
`;

/**
 * The runbook's LMS steps on one LMS (domain.md A and B), over SSH or Kubernetes, each idempotent and each
 * checked: the states must equal the catalog's, the worker must end up staff and superuser, and
 * there is never more than one application (an existing one's credentials are recovered).
 */
export class EdxWorkerClient {
  constructor(
    private readonly deps: {
      transport: ManagementTransport;
      target: Target;
      redactor: SecretRedactor;
      logger: Logger;
    },
  ) {}

  private get target(): Target {
    return this.deps.target;
  }

  async populateRetirementStates(): Promise<RetirementStatesResult> {
    const { stdout } = await this.manage('populate_retirement_states', []);
    const report = parseRetirementStatesOutput(stdout);
    const states = report.current.map((s) => s.name);
    const expected = this.target.retirementStates;
    if (states.join(',') !== expected.join(',')) {
      throw new BotError({
        code: 'edx_states_mismatch',
        userMessage: `After populate_retirement_states the LMS has ${states.join(', ') || 'no states'}, but the catalog expects ${expected.join(', ')}; the LMS setting RETIREMENT_STATES differs from the catalog.`,
      });
    }
    return {
      changed: report.added.length + report.removed.length > 0,
      added: report.added,
      removed: report.removed,
      states,
    };
  }

  async previewRetirementStates(): Promise<RetirementStatesResult> {
    const { stdout } = await this.manage('populate_retirement_states', ['--dry_run']);
    const report = parseRetirementStatesOutput(stdout);
    return {
      changed: report.added.length + report.removed.length > 0,
      added: report.added,
      removed: report.removed,
      states: report.current.map((s) => s.name),
    };
  }

  async ensureWorkerUser(): Promise<{ created: boolean; changedFlags: string[] }> {
    const username = this.target.workerUsername;
    const output = await this.manage('manage_user', [
      username,
      workerEmail(this.target),
      '--staff',
      '--superuser',
    ]);
    const report = parseManageUserOutput(combined(output), username);
    const inspection = await this.inspect();
    if (!inspection.user.isStaff || !inspection.user.isSuperuser) {
      throw new BotError({
        code: 'edx_user_flags',
        userMessage: `manage_user ran, but ${username} is not both staff and superuser afterwards.`,
      });
    }
    return {
      created: report.created,
      changedFlags: report.flagsSet.filter((f) => f.value).map((f) => f.flag),
    };
  }

  /**
   * Makes the worker's client-credentials application hold exactly these credentials, creating it
   * if absent (`--update` creates or updates: never a second application). The secret reaches the
   * command on stdin; nothing is read back from its output, which a quiet LMS does not print and
   * a DOT 2 LMS would print hashed. The result is checked by inspecting the application.
   */
  async convergeDotApplication(
    credentials: { id: string; secret: string },
    before?: EdxWorkerInspection,
  ): Promise<{ created: boolean }> {
    const { dotApplicationName: name, workerUsername: username } = this.target;
    const existed = (before ?? (await this.inspect())).application.exists;
    const args = ['create_dot_application', name, username, '--grant-type', 'client-credentials'];
    await this.run('create_dot_application', [...args, '--client-id', credentials.id, '--update'], {
      secret: { flag: '--client-secret', value: credentials.secret },
    });
    const after = await this.inspect();
    if (after.application.clientId !== credentials.id) {
      throw new BotError({
        code: 'edx_application_mismatch',
        userMessage: `create_dot_application ran, but application \`${name}\` of ${username} does not have client id \`${credentials.id}\` afterwards.`,
      });
    }
    return { created: !existed };
  }

  async inspect(): Promise<EdxWorkerInspection> {
    const output = await this.run('shell', ['shell', '-c', INSPECT_SNIPPET], {
      env: { RB_USERNAME: this.target.workerUsername, RB_APPLICATION: this.target.dotApplicationName },
    });
    return parseInspectionOutput(combined(output));
  }

  private manage(command: string, args: string[]): Promise<CommandOutput> {
    return this.run(command, [command, ...args]);
  }

  /**
   * Runs a management command and returns its stdout and stderr apart (a report printed to stdout must
   * not be mixed with stderr's logging), or a typed error quoting why it failed.
   */
  private async run(
    name: string,
    args: readonly string[],
    options: Omit<ManageOptions, 'timeoutSeconds'> = {},
  ): Promise<CommandOutput> {
    const timeoutSeconds = commandTimeoutSeconds(this.target);
    const result = await this.deps.transport.manage(args, { ...options, timeoutSeconds });
    const output = combined(result);
    this.deps.logger.debug(
      { command: name, code: result.code, output: this.deps.redactor.redact(quotable(output)) },
      'LMS command finished',
    );
    if (result.code === 124 || result.code === 137 || result.signal === 'SIGKILL') {
      throw new BotError({
        code: 'ssh_command_timeout',
        userMessage: `${name} on ${this.deps.transport.describe()} did not finish within ${timeoutSeconds} s and was stopped.`,
        retryable: true,
      });
    }
    if (result.code !== 0) throw this.commandFailed(name, output, result.code);
    return { stdout: result.stdout, stderr: result.stderr };
  }

  private commandFailed(name: string, output: string, code: number | null): BotError {
    const lines = meaningfulLines(output).map((line) => quotable(this.deps.redactor.redact(line)));
    const reason =
      lines.find((l) => l.startsWith('CommandError:')) ??
      lines.findLast((l) => l.includes('Error')) ??
      lines.at(-1);
    const specific = reason?.includes('Users are currently being processed')
      ? 'edx_users_mid_retirement'
      : reason?.includes('email addresses do not match')
        ? 'edx_user_email_mismatch'
        : reason?.startsWith('sudo:')
          ? 'edx_sudo_refused'
          : 'edx_command_failed';
    return new BotError({
      code: specific,
      userMessage: `${name} failed on ${this.deps.transport.describe()} (exit ${code ?? 'none'})${reason ? `: "${reason}"` : ''}.`,
    });
  }
}
