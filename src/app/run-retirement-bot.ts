import { renderCommand } from '../cli/render-command.js';
import { ConfigError } from '../config/config-error.js';
import { isSandbox } from '../config/env.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { SecretRedactor } from '../logging/secret-redactor.js';
import { createBot } from './create-bot.js';
import { createIntegrations } from './create-integrations.js';
import { loadConfiguration, registerConfiguredSecrets } from './load-configuration.js';
import { runInTerminal } from './run-in-terminal.js';
import { startSandbox } from './start-sandbox.js';

const USAGE = `Usage: retirement-bot <role>
  start                      Slack receiver and workers (the local sandbox when no Slack credentials are set)
  web                        Slack receiver only
  worker                     workers only
  run setup|plan|rotate <app> <env> [--yes]   run the steps from this terminal
  run status [<app> <env>]   pipeline and run status
  run render <app> <env> [--format json|yaml]   print the tubular pipeline definition`;

/** The program: picks the role from the command line, builds what it needs, runs until a signal. */
export async function runRetirementBot(argv: string[]): Promise<number> {
  const [role = 'start', ...args] = argv;
  const redactor = new SecretRedactor();
  const { env, catalog } = loadConfiguration();
  registerConfiguredSecrets(env, redactor);

  if (role === 'run' && args[0] === 'render') {
    return renderCommand(args.slice(1), { stdout: process.stdout, stderr: process.stderr, catalog });
  }
  const logger = createLogger({ level: role === 'run' ? 'warn' : env.LOG_LEVEL, redactor });
  for (const warning of catalog.warnings) logger.warn({ catalog: warning }, 'catalog setting ignored');
  if (role === 'run') return runInTerminal(args, { env, catalog, logger, redactor });
  if (role !== 'start' && role !== 'web' && role !== 'worker') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (isSandbox(env)) {
    // The image sets NODE_ENV=production: a container missing its Slack secret must stop, not
    // quietly become a sandbox that nobody reaches.
    if (env.NODE_ENV === 'production')
      throw new ConfigError([
        'SLACK_BOT_TOKEN: is required with NODE_ENV=production (with SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode); the local sandbox runs only outside production',
      ]);
    if (role !== 'start')
      throw new ConfigError(['SLACK_BOT_TOKEN: is required for the web and worker roles']);
    const sandbox = await startSandbox({ env, catalog, logger, redactor });
    process.stdout.write(`retirement-bot sandbox: open ${sandbox.url} to play the Slack channel\n`);
    await untilSignal(logger, () => sandbox.stop());
    return 0;
  }
  const integrations = createIntegrations({ env, logger, redactor, catalog });
  const bot = createBot({
    env,
    catalog,
    logger,
    redactor,
    role,
    plans: integrations.plans,
    readPipeline: integrations.readPipeline,
    checkPair: integrations.checkPair,
  });
  const { port } = await bot.start();
  logger.info({ role, port, socketMode: Boolean(env.SLACK_APP_TOKEN) }, 'retirement-bot started');
  await untilSignal(logger, async () => {
    await bot.stop();
    await integrations.close();
  });
  return 0;
}

function untilSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
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
