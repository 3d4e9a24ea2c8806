import { readFile } from 'node:fs/promises';
import type { Catalog, Target } from '../config/catalog.js';
import type { Env } from '../config/env.js';
import { BotError } from '../errors.js';
import { type ConcourseClient, createConcourseClient } from '../integrations/concourse/concourse-client.js';
import { EdxWorkerClient } from '../integrations/edx-worker/edx-worker-client.js';
import { type ManagementTransport, sshManagement } from '../integrations/edx-worker/management-transport.js';
import { connectSsh } from '../integrations/edx-worker/ssh-transport.js';
import type { GitHubSettings } from '../integrations/github/github-repository.js';
import { createSecretsOfRecord } from '../integrations/github/secrets-of-record.js';
import { kubernetesManagement } from '../integrations/kubernetes/kubernetes-management.js';
import { connectKubernetes } from '../integrations/kubernetes/kubernetes-transport.js';
import { generateClientId, generateClientSecret } from '../integrations/lms-oauth/generated-credentials.js';
import { verifyClientCredentials } from '../integrations/lms-oauth/verify-client-credentials.js';
import { FetchVaultTransit } from '../integrations/sops/vault-transit.js';
import type { OAuthClientCredentials } from '../integrations/vault/credential-store.js';
import { createVaultCredentialStore } from '../integrations/vault/vault-credential-store.js';
import type { PipelineStatusReader, RunPlanFactory } from '../jobs/ports.js';
import { type SetupDependencies, setupPlanFactory } from '../jobs/setup/setup-plan-factory.js';
import { createDriftChecker, type PairChecker } from '../jobs/watch/drift-check.js';
import type { Logger } from '../logging/logger.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

export interface IntegrationOptions {
  env: Env;
  logger: Logger;
  redactor: SecretRedactor;
  requestTimeoutMs?: number;
  /**
   * The sandbox reaches simulated edx-workers its own way; everyone else uses the target's
   * transport: SSH with keys from the environment, or Kubernetes with the standard kubeconfig.
   */
  connectEdxWorker?: SetupDependencies['connectEdxWorker'];
  /** Its Vault addresses (and VAULT_ADDR) are the only ones a sops file may send the bot's token to. */
  catalog?: Catalog;
}

export interface Integrations {
  plans: RunPlanFactory;
  readPipeline: PipelineStatusReader;
  checkPair: PairChecker;
  close(): Promise<void>;
}

/** A first build clones a repository and pulls an image; half an hour is generous. */
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** Builds the real clients once, from the environment; every run and status read shares them. */
export function createIntegrations(options: IntegrationOptions): Integrations {
  const { env, logger, redactor } = options;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const concourseClients = new Map<string, ConcourseClient>();
  const concourse = (target: Target): ConcourseClient => {
    const { url, team } = target.concourse;
    const key = `${url} ${team}`;
    let client = concourseClients.get(key);
    if (!client) {
      const { username, password } = concourseAccount(env);
      client = createConcourseClient({ url, team, username, password, timeoutMs, redactor, logger });
      concourseClients.set(key, client);
    }
    return client;
  };
  const credentials = createVaultCredentialStore({
    defaultAddress: env.VAULT_ADDR,
    auth: vaultAuth(env),
    namespace: env.VAULT_NAMESPACE,
    timeoutMs,
    redactor,
    logger,
  });
  const connectEdxWorker: SetupDependencies['connectEdxWorker'] =
    options.connectEdxWorker ??
    ((target) => connectLms(target, () => sshMaterial(env), { redactor, logger }));
  const verifyCredentials = (stored: OAuthClientCredentials) =>
    verifyClientCredentials(stored, { timeoutMs });
  const transitAddresses = [
    ...(env.VAULT_ADDR ? [env.VAULT_ADDR] : []),
    ...(options.catalog?.all().flatMap((t) => (t.vault.address ? [t.vault.address] : [])) ?? []),
  ];
  const secretsOfRecord = createSecretsOfRecord({
    github: githubSettings(env, timeoutMs),
    // The sops data key is unwrapped with the bot's token (VAULT_TOKEN); see README, "Secrets of record".
    transit: new FetchVaultTransit({
      token: env.VAULT_TOKEN ?? '',
      allowedAddresses: [...new Set(transitAddresses)],
      ...(env.VAULT_NAMESPACE ? { namespace: env.VAULT_NAMESPACE } : {}),
      timeoutMs,
    }),
  });
  const plans = setupPlanFactory({
    connectEdxWorker,
    credentials,
    concourse,
    verifyCredentials,
    generate: { clientId: generateClientId, clientSecret: generateClientSecret },
    protectSecret: (secret) => redactor.register(secret),
    buildTiming: { pollMs: env.CONCOURSE_BUILD_POLL_MS, timeoutMs: BUILD_TIMEOUT_MS },
    secretsOfRecord,
    recordTiming: { pollMs: env.SECRETS_PR_POLL_MS, waitMs: env.SECRETS_PR_WAIT_HOURS * 3_600_000 },
  });
  return {
    plans,
    // The drift check reads through the same clients as `plan`, and changes nothing.
    checkPair: createDriftChecker({
      credentials,
      verifyCredentials,
      connectEdxWorker,
      concourse,
      protectSecret: (secret) => redactor.register(secret),
    }),
    readPipeline: (target) => concourse(target).readStatus(target.concourse.pipeline, [target.concourse.job]),
    close: () => credentials.close(),
  };
}

/**
 * The target's transport (one SSH connection, or a Kubernetes client with its pod chosen), and the
 * client that runs the LMS commands over it. The SSH keys are read only for an SSH target.
 */
export async function connectLms(
  target: Target,
  keys: () => Promise<SshKeys>,
  deps: { redactor: SecretRedactor; logger: Logger },
): ReturnType<SetupDependencies['connectEdxWorker']> {
  const transport = await connectTransport(target, keys, deps.logger);
  return {
    client: new EdxWorkerClient({ transport, target, redactor: deps.redactor, logger: deps.logger }),
    close: () => transport.close(),
  };
}

type SshKeys = { privateKey: string; knownHosts: string };

async function connectTransport(
  target: Target,
  keys: () => Promise<SshKeys>,
  logger: Logger,
): Promise<ManagementTransport> {
  if (target.transport === 'kubernetes') {
    const { context, namespace, selector, container } = target.kubernetes;
    const exec = await connectKubernetes({
      ...(context ? { context } : {}),
      namespace,
      selector,
      container,
      logger,
    });
    return kubernetesManagement(exec, target.kubernetes);
  }
  const { host, port, user } = target.edxWorker;
  const ssh = await connectSsh({ host, port, username: user, ...(await keys()), logger });
  return sshManagement(ssh, target.edxWorker);
}

function githubSettings(env: Env, timeoutMs: number): GitHubSettings | undefined {
  const apiUrl = env.GITHUB_API_URL;
  if (env.GITHUB_APP_ID && env.GITHUB_APP_INSTALLATION_ID && env.GITHUB_APP_PRIVATE_KEY_PATH) {
    const auth = {
      kind: 'app' as const,
      appId: env.GITHUB_APP_ID,
      installationId: env.GITHUB_APP_INSTALLATION_ID,
      privateKeyPath: env.GITHUB_APP_PRIVATE_KEY_PATH,
    };
    return { apiUrl, auth, timeoutMs };
  }
  return env.GITHUB_TOKEN
    ? { apiUrl, auth: { kind: 'token', token: env.GITHUB_TOKEN }, timeoutMs }
    : undefined;
}

function concourseAccount(env: Env): { username: string; password: string } {
  if (env.CONCOURSE_USERNAME && env.CONCOURSE_PASSWORD) {
    return { username: env.CONCOURSE_USERNAME, password: env.CONCOURSE_PASSWORD };
  }
  throw new BotError({
    code: 'concourse_not_configured',
    userMessage: 'Concourse credentials are not configured (CONCOURSE_USERNAME and CONCOURSE_PASSWORD).',
    remedy:
      "Set CONCOURSE_USERNAME and CONCOURSE_PASSWORD in the bot's environment, restart it, then run a new setup.",
  });
}

function vaultAuth(env: Env): { token: string } | { roleId: string; secretId: string; mount?: string } {
  if (env.VAULT_ROLE_ID && env.VAULT_SECRET_ID) {
    return { roleId: env.VAULT_ROLE_ID, secretId: env.VAULT_SECRET_ID, mount: env.VAULT_APPROLE_MOUNT };
  }
  // An empty token fails at preflight with Vault's own 403, which names the problem.
  return { token: env.VAULT_TOKEN ?? '' };
}

async function sshMaterial(env: Env): Promise<SshKeys> {
  const read = async (variable: 'SSH_PRIVATE_KEY_PATH' | 'SSH_KNOWN_HOSTS_PATH') => {
    const path = env[variable];
    if (!path) {
      throw new BotError({
        code: 'ssh_not_configured',
        userMessage: `${variable} is not set; the bot cannot reach edx-workers.`,
        remedy: `Set ${variable} in the bot's environment, restart it, then run a new setup.`,
      });
    }
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new BotError({
        code: 'ssh_not_configured',
        userMessage: `${variable} (${path}) cannot be read.`,
        detail: (error as NodeJS.ErrnoException).code,
        remedy: `Make ${path} readable by the bot (or point ${variable} at the right file), restart it, then run a new setup.`,
      });
    }
  };
  return { privateKey: await read('SSH_PRIVATE_KEY_PATH'), knownHosts: await read('SSH_KNOWN_HOSTS_PATH') };
}
