import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import { runCommand } from '../cli/run-command.js';
import { TerminalRunReporter } from '../cli/terminal-run-reporter.js';
import type { Catalog } from '../config/catalog.js';
import type { Env } from '../config/env.js';
import { BotError } from '../errors.js';
import { ApproverDirectory } from '../jobs/approver-directory.js';
import { AuditLog } from '../jobs/audit-log.js';
import { RunExecutor } from '../jobs/run-executor.js';
import { RunJournal } from '../jobs/run-journal.js';
import { createRunQueue, queueScheduler } from '../jobs/run-queue.js';
import { RunService } from '../jobs/run-service.js';
import { RunStore } from '../jobs/run-store.js';
import type { Logger } from '../logging/logger.js';
import { Metrics } from '../logging/metrics.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { createIntegrations } from './create-integrations.js';

/** `retirement-bot run setup|plan|status`: the run engine in this process, shown on the terminal. */
export async function runInTerminal(
  args: string[],
  config: { env: Env; catalog: Catalog; logger: Logger; redactor: SecretRedactor },
): Promise<number> {
  const { env, catalog, logger, redactor } = config;
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  const queue = createRunQueue(redis, env.REDIS_PREFIX);
  const integrations = createIntegrations({ env, logger, redactor, catalog });
  try {
    const store = new RunStore(redis, env.REDIS_PREFIX);
    const audit = new AuditLog(redis, `${env.REDIS_PREFIX}:audit`);
    const journal = new RunJournal({
      store,
      audit,
      metrics: new Metrics({ defaultMetrics: false }),
      reporter: new TerminalRunReporter(process.stdout, redactor),
      logger,
    });
    return await runCommand(args, {
      catalog,
      runs: new RunService({
        journal,
        store,
        scheduler: queueScheduler(queue),
        catalog,
        approvers: new ApproverDirectory(async () => {
          throw new BotError({
            code: 'usergroups_unavailable',
            userMessage: 'Slack user groups cannot be looked up from a terminal.',
          });
        }),
      }),
      executor: new RunExecutor({ journal, catalog, plans: integrations.plans, logger }),
      journal,
      status: { readPipeline: integrations.readPipeline, store },
      audit,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      user: `cli:${userInfo().username}`,
      interactive: Boolean(process.stdin.isTTY),
    });
  } finally {
    await integrations.close();
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}
