import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import { resolveTarget } from '../commands/parse-command.js';
import type { Catalog, Target } from '../config/catalog.js';
import type { Metrics } from '../http/metrics.js';
import type { AuditLog } from '../jobs/audit-log.js';
import type { PipelineStatusReader } from '../jobs/pipeline-status.js';
import { type ApprovalGate, RunExecutor, type RunPlanFactory } from '../jobs/run-executor.js';
import { newRunId } from '../jobs/run-id.js';
import { newRunRecord, type RunKind } from '../jobs/run-record.js';
import { RunConflictError, type RunStore } from '../jobs/run-store.js';
import { allPairsStatus, pairStatus } from '../jobs/status-report.js';
import type { Logger } from '../logging/logger.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { TerminalRunReporter } from './terminal-run-reporter.js';

export interface RunCommandDeps {
  catalog: Catalog;
  store: RunStore;
  audit: AuditLog;
  plans: RunPlanFactory;
  readPipeline: PipelineStatusReader;
  metrics: Metrics;
  logger: Logger;
  redactor: SecretRedactor;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Recorded as the requester and approver, e.g. `cli:alice`. */
  user: string;
  interactive: boolean;
}

const USAGE = 'Usage: retirement-bot run setup|plan <app> <env> [--yes] | run status [<app> <env>]';

/**
 * `retirement-bot run setup|plan|status`: the same steps as the Slack bot, in this process, with
 * progress on the terminal. Production approvals are asked on the terminal (or given by --yes).
 * Exit codes: 0 success, 1 the run did not succeed, 2 bad arguments.
 */
export async function runCommand(args: string[], deps: RunCommandDeps): Promise<number> {
  const yes = args.includes('--yes');
  const [kind, app, env, ...rest] = args.filter((arg) => arg !== '--yes');
  if (kind === 'status') return statusCommand(app, env, rest, deps);
  if ((kind !== 'setup' && kind !== 'plan') || !app || !env || rest.length > 0) {
    deps.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const target = resolveTarget(app, env, deps.catalog);
  if ('message' in target) {
    deps.stderr.write(`${target.message.replaceAll('`', '')}\n`);
    return 2;
  }
  return executeInTerminal(kind, target, yes, deps);
}

async function statusCommand(
  app: string | undefined,
  env: string | undefined,
  rest: string[],
  deps: RunCommandDeps,
) {
  if (Boolean(app) !== Boolean(env) || rest.length > 0) {
    deps.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const status = { readPipeline: deps.readPipeline, store: deps.store };
  if (app && env) {
    const target = resolveTarget(app, env, deps.catalog);
    if ('message' in target) {
      deps.stderr.write(`${target.message.replaceAll('`', '')}\n`);
      return 2;
    }
    deps.stdout.write(`${plainText(await pairStatus(target, status))}\n`);
  } else {
    deps.stdout.write(`${plainText(await allPairsStatus(deps.catalog.all(), status))}\n`);
  }
  return 0;
}

async function executeInTerminal(
  kind: RunKind,
  target: Target,
  yes: boolean,
  deps: RunCommandDeps,
): Promise<number> {
  const run = newRunRecord({
    id: newRunId(),
    kind,
    app: target.app,
    env: target.env,
    requestedBy: deps.user,
    now: Date.now(),
  });
  try {
    await deps.store.create(run);
  } catch (error) {
    if (!(error instanceof RunConflictError)) throw error;
    deps.stderr.write(
      `${target.app} ${target.env} already has run ${error.holderRunId} in progress; nothing was started.\n`,
    );
    return 1;
  }
  await deps.audit.append({
    type: 'run_requested',
    runId: run.id,
    kind,
    app: run.app,
    env: run.env,
    user: deps.user,
  });
  const executor = new RunExecutor({
    store: deps.store,
    audit: deps.audit,
    reporter: new TerminalRunReporter(deps.stdout, deps.redactor),
    catalog: deps.catalog,
    plans: deps.plans,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  const outcome = await executor.execute(run.id, { gate: terminalGate(deps, yes), canRetry: false });
  return outcome.kind === 'finished' && outcome.status === 'succeeded' ? 0 : 1;
}

/** Asks on the terminal; without a terminal, only --yes approves. */
function terminalGate(deps: RunCommandDeps, yes: boolean): ApprovalGate {
  return {
    async awaitDecision(run, approval) {
      let approved = yes;
      if (!yes && deps.interactive) {
        const prompt = createInterface({ input: deps.stdin, output: deps.stdout });
        deps.stdout.write(
          `\n${run.app} ${run.env}: approval needed for the ${approval.phase} phase:\n${approval.changes}\n`,
        );
        approved = /^y(es)?$/i.test((await prompt.question('Apply these changes? [y/N] ')).trim());
        prompt.close();
      } else if (!yes) {
        deps.stderr.write(
          `Approval needed for the ${approval.phase} phase; re-run with --yes to approve non-interactively.\n`,
        );
      }
      const decidedAt = Date.now();
      await deps.store.mutate(run.id, (r) => ({
        ...r,
        approvals: r.approvals.map((a) =>
          a.phase === approval.phase && a.status === 'pending'
            ? { ...a, status: approved ? 'approved' : 'rejected', decidedBy: deps.user, decidedAt }
            : a,
        ),
      }));
      await deps.audit.append({
        type: 'approval_decided',
        runId: run.id,
        phase: approval.phase,
        decision: approved ? 'approved' : 'rejected',
        user: deps.user,
      });
      return 'decided';
    },
  };
}

/** Slack mrkdwn to terminal text: links become "label (url)", mentions and dates lose their markup. */
function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<@([^>]+)>/g, '$1')
    .replaceAll('*', '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
