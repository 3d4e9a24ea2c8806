import type { Readable, Writable } from 'node:stream';
import type { Catalog, Target } from '../config/catalog.js';
import { toBotError } from '../errors.js';
import type { AuditLog } from '../jobs/audit-log.js';
import { readAuditTrail } from '../jobs/audit-trail.js';
import { type PairStatusDeps, readAllPairStatuses, readPairStatus } from '../jobs/pair-status.js';
import type { RunExecutor } from '../jobs/run-executor.js';
import { RUN_ID_PATTERN } from '../jobs/run-id.js';
import type { RunJournal } from '../jobs/run-journal.js';
import type { RunKind } from '../jobs/run-record.js';
import type { RunService } from '../jobs/run-service.js';
import { RunConflictError } from '../jobs/run-store.js';
import { allPairsStatusText, pairStatusText } from './status-text.js';
import { terminalApprovalGate } from './terminal-approval-gate.js';

export interface RunCommandDeps {
  catalog: Catalog;
  runs: RunService;
  /** Runs the steps in this process, showing progress on the terminal. */
  executor: RunExecutor;
  journal: RunJournal;
  status: PairStatusDeps;
  audit: AuditLog;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Recorded as the requester and approver, e.g. `cli:alice`. */
  user: string;
  interactive: boolean;
}

const USAGE =
  'Usage: retirement-bot run setup|plan|rotate <app> <env> [--yes] | run status [<app> <env>] | run audit <run-id>';

/**
 * `retirement-bot run setup|plan|status`: the same steps as the Slack bot, in this process, with
 * progress on the terminal. Production approvals are asked on the terminal (or given by --yes).
 * Exit codes: 0 success, 1 the run did not succeed, 2 bad arguments.
 */
export async function runCommand(args: string[], deps: RunCommandDeps): Promise<number> {
  const yes = args.includes('--yes');
  const [kind, app, env, ...rest] = args.filter((arg) => arg !== '--yes');
  if (kind === 'status') return statusCommand(app, env, rest, deps);
  if (kind === 'audit') return auditCommand(app, [env, ...rest].filter(Boolean), deps);
  if ((kind !== 'setup' && kind !== 'plan' && kind !== 'rotate') || !app || !env || rest.length > 0) {
    deps.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const target = deps.catalog.resolve(app, env);
  if ('message' in target) {
    deps.stderr.write(`${target.message}\n`);
    return 2;
  }
  return executeInTerminal(kind, target, yes, deps);
}

/** `run audit <run-id>`: the run's trail, one line per entry: when, who, what. */
async function auditCommand(runId: string | undefined, rest: (string | undefined)[], deps: RunCommandDeps) {
  if (!runId || rest.length > 0 || !RUN_ID_PATTERN.test(runId.toLowerCase())) {
    deps.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const trail = await readAuditTrail(deps.audit, runId.toLowerCase());
  if (trail.length === 0) {
    deps.stderr.write(`No audit entries for run ${runId} (unknown run, or older than the trail keeps).\n`);
    return 1;
  }
  for (const line of trail) deps.stdout.write(`${line.at}  ${line.who ?? '-'}  ${line.what}\n`);
  return 0;
}

async function statusCommand(
  app: string | undefined,
  env: string | undefined,
  rest: string[],
  deps: RunCommandDeps,
): Promise<number> {
  if (Boolean(app) !== Boolean(env) || rest.length > 0) {
    deps.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!app || !env) {
    const statuses = await readAllPairStatuses(deps.catalog.all(), deps.status);
    deps.stdout.write(`${allPairsStatusText(statuses)}\n`);
    return 0;
  }
  const target = deps.catalog.resolve(app, env);
  if ('message' in target) {
    deps.stderr.write(`${target.message}\n`);
    return 2;
  }
  deps.stdout.write(`${pairStatusText(await readPairStatus(target, deps.status))}\n`);
  return 0;
}

async function executeInTerminal(
  kind: RunKind,
  target: Target,
  yes: boolean,
  deps: RunCommandDeps,
): Promise<number> {
  let runId: string;
  try {
    runId = (await deps.runs.request(kind, target, deps.user, undefined)).id;
  } catch (error) {
    if (!(error instanceof RunConflictError)) throw error;
    deps.stderr.write(
      `${target.app} ${target.env} already has run ${error.holderRunId} in progress; nothing was started.\n`,
    );
    return 1;
  }
  const gate = terminalApprovalGate({ ...deps, yes });
  const release = deps.runs.keepAlive(runId);
  try {
    let outcome = await deps.executor.execute(runId, { gate, canRetry: false });
    // A step waiting on a pull request parks the run; the terminal waits here and checks again.
    while (outcome.kind === 'parked' && outcome.polling) {
      const wait = Math.max(0, outcome.until - Date.now());
      await new Promise((resume) => setTimeout(resume, wait));
      outcome = await deps.executor.execute(runId, { gate, canRetry: false });
    }
    return outcome.kind === 'finished' && outcome.status === 'succeeded' ? 0 : 1;
  } catch (thrown) {
    // Whatever stopped this process's run ends it, so the pair is free for the next one.
    const error = toBotError(thrown);
    await deps.executor
      .abandon(runId, { code: error.code, message: error.userMessage })
      .catch(() => undefined);
    deps.stderr.write(`retirement-bot: run ${runId} failed: ${error.userMessage}\n`);
    return 1;
  } finally {
    await release();
  }
}
