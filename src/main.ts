#!/usr/bin/env node
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import { renderCommand } from './cli/render-command.js';
import { runCommand } from './cli/run-command.js';
import { type Catalog, loadCatalogFile } from './config/catalog.js';
import { ConfigError } from './config/config-error.js';
import { type Env, isSandbox, loadEnv } from './config/env.js';
import { createBot } from './create-bot.js';
import { Metrics } from './http/metrics.js';
import { createIntegrations } from './integrations/create-integrations.js';
import { AuditLog } from './jobs/audit-log.js';
import { RunStore } from './jobs/run-store.js';
import { createLogger, type Logger } from './logging/logger.js';
import { SecretRedactor } from './logging/secret-redactor.js';
import { startSandbox } from './sandbox/start-sandbox.js';

const USAGE = `Usage: retirement-bot <role>
  start                      Slack receiver and workers (the local sandbox when no Slack credentials are set)
  web                        Slack receiver only
  worker                     workers only
  run setup|plan <app> <env> [--yes]   run the steps from this terminal
  run status [<app> <env>]   pipeline and run status
  run render <app> <env> [--format json|yaml]   print the tubular pipeline definition`;

async function main(argv: string[]): Promise<number> {
  const [role = 'start', ...args] = argv;
  const redactor = new SecretRedactor();
  const { env, catalog } = loadConfiguration();
  registerConfiguredSecrets(env, redactor);

  if (role === 'run' && args[0] === 'render') {
    return renderCommand(args.slice(1), { stdout: process.stdout, stderr: process.stderr, catalog });
  }
  const logger = createLogger({ level: role === 'run' ? 'warn' : env.LOG_LEVEL, redactor });
  if (role === 'run') return runFromTerminal(args, env, catalog, logger, redactor);
  if (role !== 'start' && role !== 'web' && role !== 'worker') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (isSandbox(env)) {
    if (role !== 'start')
      throw new ConfigError(['SLACK_BOT_TOKEN: is required for the web and worker roles']);
    const sandbox = await startSandbox({ env, catalog, logger, redactor });
    process.stdout.write(`retirement-bot sandbox: open ${sandbox.url} to play the Slack channel\n`);
    await shutdownOnSignal(logger, () => sandbox.stop());
    return 0;
  }
  const integrations = createIntegrations({ env, logger, redactor });
  const bot = createBot({
    env,
    catalog,
    logger,
    redactor,
    role,
    plans: integrations.plans,
    readPipeline: integrations.readPipeline,
  });
  const { port } = await bot.start();
  logger.info({ role, port, socketMode: Boolean(env.SLACK_APP_TOKEN) }, 'retirement-bot started');
  await shutdownOnSignal(logger, async () => {
    await bot.stop();
    await integrations.close();
  });
  return 0;
}

async function runFromTerminal(
  args: string[],
  env: Env,
  catalog: Catalog,
  logger: Logger,
  redactor: SecretRedactor,
): Promise<number> {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  const integrations = createIntegrations({ env, logger, redactor });
  try {
    return await runCommand(args, {
      catalog,
      store: new RunStore(redis, env.REDIS_PREFIX),
      audit: new AuditLog(redis, `${env.REDIS_PREFIX}:audit`),
      plans: integrations.plans,
      readPipeline: integrations.readPipeline,
      metrics: new Metrics({ defaultMetrics: false }),
      logger,
      redactor,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      user: `cli:${userInfo().username}`,
      interactive: Boolean(process.stdin.isTTY),
    });
  } finally {
    await integrations.close();
    redis.disconnect();
  }
}

/** Secrets from the environment are scrubbed from every log line, whatever logs them. */
function registerConfiguredSecrets(env: Env, redactor: SecretRedactor): void {
  redactor.register(
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.VAULT_TOKEN,
    env.VAULT_SECRET_ID,
    env.CONCOURSE_PASSWORD,
  );
}

function shutdownOnSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down: finishing running steps');
      stop()
        .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
        .finally(() => {
          logger.flush();
          resolve();
        });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** The environment and the catalog, with every problem in both reported at once. */
function loadConfiguration(): { env: Env; catalog: Catalog } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const env = attempt(() => loadEnv());
  const path = env?.RETIREMENT_BOT_CONFIG ?? process.env.RETIREMENT_BOT_CONFIG ?? 'config/environments.yml';
  const catalog = attempt(() => loadCatalogFile(path));
  if (!env || !catalog) throw new ConfigError(problems);
  return { env, catalog };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`retirement-bot cannot start.\n${error.userMessage}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `retirement-bot failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
