import { randomBytes } from 'node:crypto';
import { ConcourseEmulator } from '../../emulators/concourse/concourse-emulator.js';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import { SlackDriver } from '../../emulators/slack/slack-driver.js';
import { SlackEmulator } from '../../emulators/slack/slack-emulator.js';
import { VaultEmulator } from '../../emulators/vault/vault-emulator.js';
import { Catalog, commandTimeoutSeconds, type Target } from '../config/catalog.js';
import { type Env, loadEnv } from '../config/env.js';
import { BotError } from '../errors.js';
import { startLmsTokenProxy } from './lms-token-proxy.js';
import { SANDBOX_PAGE } from './sandbox-page.js';
import { startSandboxServer } from './sandbox-server.js';
import { forgetSandboxState, sandboxPrefix } from './sandbox-state.js';
import { type LmsEndpoint, SimulatedEdxWorkers } from './simulated-edx-workers.js';
import { SimulatedLmsPods } from './simulated-lms-pods.js';

const CONCOURSE_USER = 'retirement-bot';
/** The page's approver personas belong to every approver group the catalog names. */
const SANDBOX_APPROVERS = ['U0APPROVER', 'U0APPROVER2'];

/**
 * Everything the sandbox bot talks to, with nothing real behind it: Slack, Vault and Concourse
 * emulators (one Vault and one Concourse per environment, as at MIT), simulated LMS pods and
 * edx-workers, and the page that plays the Slack channel. The composition root builds the bot against it.
 */
export interface SandboxWorld {
  /** The catalog's apps and environments, with every remote address pointing at an emulator. */
  catalog: Catalog;
  /** The bot's environment: the emulated Slack, the emulators' credentials. */
  env: Env;
  /** Credentials the world made up, to be scrubbed from logs like real ones. */
  secrets: string[];
  /** How to reach a pair's simulated LMS (pod or edx-worker), started on first use. */
  lmsEndpoint(target: Target): Promise<LmsEndpoint>;
  /**
   * The Vault and Concourse behind an environment, for tests that edit or break them as a person
   * or an outage would; the bot itself never reaches them through here.
   */
  emulatorsOf(envName: string): SandboxEmulators;
  /** Serves the page once the bot listens on `botPort`; returns the page's address. */
  openPage(botPort: number): Promise<string>;
  stop(): Promise<void>;
}

export interface SandboxEmulators {
  vault: VaultEmulator;
  concourse: ConcourseEmulator;
}

export async function startSandboxWorld(options: { env: Env; catalog: Catalog }): Promise<SandboxWorld> {
  const { env } = options;
  const stops: (() => Promise<void>)[] = [];
  try {
    const usergroups = Object.fromEntries(
      options.catalog
        .all()
        .flatMap((t) => t.approval.approvers.usergroups.map((g) => [g, SANDBOX_APPROVERS])),
    );
    const slack = new SlackEmulator({ usergroups });
    await slack.start();
    stops.push(() => slack.stop());

    const vaultToken = `hvs.${randomBytes(18).toString('base64url')}`;
    const concoursePassword = randomBytes(18).toString('base64url');
    const vaults = new Map<string, VaultEmulator>();
    const concourses = new Map<string, ConcourseEmulator>();
    const teams = [...new Set(options.catalog.all().map((t) => t.concourse.team))];
    for (const envName of options.catalog.environments()) {
      const vault = await VaultEmulator.start({ rootToken: vaultToken });
      stops.push(() => vault.stop());
      vaults.set(envName, vault);
      const concourse = await ConcourseEmulator.start({
        users: [
          {
            username: CONCOURSE_USER,
            password: concoursePassword,
            teams: Object.fromEntries(teams.map((team) => [team, ['member']])),
          },
        ],
      });
      stops.push(() => concourse.stop());
      concourses.set(envName, concourse);
    }
    for (const target of options.catalog.all()) {
      vaults.get(target.env)?.mount(target.vault.mount, target.vault.kvVersion);
    }

    const workers = new SimulatedEdxWorkers(canHostEdxWorker());
    stops.push(() => workers.stop());
    const pods = await SimulatedLmsPods.create();
    stops.push(() => pods.stop());
    const lms = await startLmsTokenProxy((app, env) => pods.lmsUrl(app, env) ?? workers.lmsUrl(app, env));
    stops.push(() => lms.stop());

    const catalog = new Catalog(
      options.catalog.all().map((target) => ({
        ...sandboxTransport(target),
        lmsUrl: `${lms.url}/lms/${target.app}/${target.env}`,
        vault: { ...target.vault, address: vaults.get(target.env)?.url },
        concourse: { ...target.concourse, url: concourses.get(target.env)?.url ?? target.concourse.url },
        // The sandbox has no GitHub of its own, so its pairs write Vault directly.
        credentials: { record: 'vault' as const },
      })),
    );
    const signingSecret = randomBytes(24).toString('hex');
    const prefix = sandboxPrefix(env.REDIS_PREFIX);
    stops.push(() => forgetSandboxState(env.REDIS_URL, prefix));
    const botEnv = loadEnv({
      REDIS_URL: env.REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: env.LOG_LEVEL,
      PORT: '0',
      HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      VAULT_TOKEN: vaultToken,
      CONCOURSE_USERNAME: CONCOURSE_USER,
      CONCOURSE_PASSWORD: concoursePassword,
      CONCOURSE_BUILD_POLL_MS: '500',
    });
    return {
      catalog,
      env: botEnv,
      secrets: [vaultToken, concoursePassword, signingSecret],
      async lmsEndpoint(target) {
        if (target.transport === 'ssh') return workers.endpoint(target);
        await pods.ready(target);
        return {
          target,
          sshKeys: () =>
            Promise.reject(
              new BotError({ code: 'sandbox_no_ssh', userMessage: `${target.app} runs over Kubernetes.` }),
            ),
        };
      },
      emulatorsOf(envName) {
        const vault = vaults.get(envName);
        const concourse = concourses.get(envName);
        if (!vault || !concourse) throw new Error(`The sandbox has no environment ${envName}.`);
        return { vault, concourse };
      },
      async openPage(botPort) {
        const driver = new SlackDriver({
          botUrl: `http://127.0.0.1:${botPort}`,
          signingSecret,
          emulator: slack,
        });
        const page = await startSandboxServer({
          page: SANDBOX_PAGE,
          slack,
          driver,
          port: env.PORT,
          host: env.SANDBOX_HOST,
        });
        stops.push(() => new Promise((resolve) => page.server.close(() => resolve())));
        return page.url;
      },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

/**
 * The sandbox shows both transports: this app's pairs run over Kubernetes as the catalog says (an
 * emulated cluster per context), the others over SSH to simulated edx-workers, as an EC2-style
 * deployment would, whose address is filled in when the worker starts.
 */
const KUBERNETES_APP = 'mitxonline';

function sandboxTransport(target: Target): Target {
  if (target.transport === 'ssh' || target.app === KUBERNETES_APP) return target;
  const { kubernetes: _, ...common } = target;
  return {
    ...common,
    transport: 'ssh',
    edxWorker: {
      host: '127.0.0.1',
      port: 22,
      user: 'ubuntu',
      appUser: 'edxapp',
      commandTimeoutSeconds: commandTimeoutSeconds(target),
    },
  };
}

/** Stops in reverse order of starting: the page first, the emulators last. */
async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
