import type { Catalog } from '../config/catalog.js';
import { ConfigError } from '../config/config-error.js';
import type { Env } from '../config/env.js';
import type { Logger } from '../logging/logger.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { createBot } from './create-bot.js';
import { connectLms, createIntegrations } from './create-integrations.js';

type SandboxWorld = Awaited<ReturnType<typeof import('../sandbox/sandbox-world.js')['startSandboxWorld']>>;

export interface Sandbox {
  url: string;
  /** For tests only: the emulators behind an environment (see SandboxWorld.emulatorsOf). */
  emulatorsOf: SandboxWorld['emulatorsOf'];
  stop(): Promise<void>;
}

/**
 * The whole bot on one machine with nothing real behind it. The sandbox module, and with it every
 * emulator, is loaded only here, so a production process never loads them.
 */
export async function startSandbox(options: {
  env: Env;
  catalog: Catalog;
  logger: Logger;
  redactor: SecretRedactor;
}): Promise<Sandbox> {
  const { logger, redactor } = options;
  const { startSandboxWorld } = await loadSandbox();
  const world = await startSandboxWorld({ env: options.env, catalog: options.catalog });
  const stops: (() => Promise<void>)[] = [() => world.stop()];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    redactor.register(...world.secrets);
    const integrations = createIntegrations({
      env: world.env,
      logger,
      redactor,
      connectEdxWorker: async (target) => {
        const endpoint = await world.lmsEndpoint(target);
        return connectLms(endpoint.target, endpoint.sshKeys, { redactor, logger });
      },
    });
    stops.push(() => integrations.close());
    const bot = createBot({
      env: world.env,
      catalog: world.catalog,
      logger,
      redactor,
      role: 'start',
      plans: integrations.plans,
      readPipeline: integrations.readPipeline,
      checkPair: integrations.checkPair,
    });
    const { port } = await bot.start();
    stops.push(() => bot.stop());
    return {
      url: await world.openPage(port ?? 0),
      emulatorsOf: (envName) => world.emulatorsOf(envName),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The image ships without the sandbox (see the Dockerfile): say so rather than "module not found". */
async function loadSandbox(): Promise<typeof import('../sandbox/sandbox-world.js')> {
  try {
    return await import('../sandbox/sandbox-world.js');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError([
      'SLACK_BOT_TOKEN: is not set, and this build has no local sandbox (the image ships without it); configure Slack',
    ]);
  }
}
