import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { ApprovalGate } from '../jobs/ports.js';
import type { RunJournal } from '../jobs/run-journal.js';
import { recordDecision } from '../jobs/run-transitions.js';

export interface TerminalGateOptions {
  journal: RunJournal;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Recorded as the approver, e.g. `cli:alice`. */
  user: string;
  interactive: boolean;
  /** `--yes`: the operator approved every phase up front. */
  yes: boolean;
}

/** Asks on the terminal; without a terminal, only --yes approves. */
export function terminalApprovalGate(options: TerminalGateOptions): ApprovalGate {
  return {
    async awaitDecision(run, approval) {
      const approved = await ask(options, `${run.app} ${run.env}`, approval.phase, approval.changes);
      await options.journal.record(
        run.id,
        recordDecision(approval.phase, approved ? 'approved' : 'rejected', options.user, Date.now()),
        { show: false },
      );
      return 'decided';
    },
  };
}

async function ask(
  options: TerminalGateOptions,
  pair: string,
  phase: string,
  changes: string,
): Promise<boolean> {
  if (options.yes) return true;
  if (!options.interactive) {
    options.stderr.write(
      `Approval needed for the ${phase} phase; re-run with --yes to approve non-interactively.\n`,
    );
    return false;
  }
  const prompt = createInterface({ input: options.stdin, output: options.stdout });
  options.stdout.write(`\n${pair}: approval needed for the ${phase} phase:\n${changes}\n`);
  try {
    return /^y(es)?$/i.test((await prompt.question('Apply these changes? [y/N] ')).trim());
  } finally {
    prompt.close();
  }
}
