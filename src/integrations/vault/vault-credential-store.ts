import { createHash, timingSafeEqual } from 'node:crypto';
import nodeVault from 'node-vault';
import type { Target } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { SecretRedactor } from '../../logging/secret-redactor.js';
import {
  type CredentialField,
  type CredentialInspection,
  type CredentialStore,
  type OAuthClientCredentials,
  secretPath,
} from './credential-store.js';
import { casVersion, readKv } from './kv-read.js';
import { vaultError } from './vault-errors.js';

export type VaultAuth = { token: string } | { roleId: string; secretId: string; mount?: string };

export interface VaultCredentialStoreOptions {
  defaultAddress?: string;
  auth: VaultAuth;
  namespace?: string;
  timeoutMs?: number;
  redactor: SecretRedactor;
  logger: Logger;
}

const FIELDS: CredentialField[] = ['id', 'secret', 'host'];

/** One Vault server: its client, and (for AppRole) the token's renewal. */
class VaultSession {
  readonly client: nodeVault.client;
  private loggedIn: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private readonly mountVersions = new Map<string, number>();

  constructor(
    readonly address: string,
    private readonly options: VaultCredentialStoreOptions,
  ) {
    this.client = nodeVault({
      apiVersion: 'v1',
      endpoint: address,
      namespace: options.namespace,
      requestOptions: { timeout: options.timeoutMs ?? 10_000 },
      ...('token' in options.auth ? { token: options.auth.token } : {}),
    });
  }

  ready(): Promise<void> {
    if ('token' in this.options.auth) return Promise.resolve();
    this.loggedIn ??= this.login().catch((error: unknown) => {
      this.loggedIn = undefined;
      throw error;
    });
    return this.loggedIn;
  }

  private async login(): Promise<void> {
    const auth = this.options.auth as { roleId: string; secretId: string; mount?: string };
    const result = await this.client
      .approleLogin({ role_id: auth.roleId, secret_id: auth.secretId, mount_point: auth.mount ?? 'approle' })
      .catch((error: unknown) => {
        throw vaultError(error, 'the AppRole login', this.address);
      });
    this.options.redactor.register(result.auth.client_token);
    this.scheduleRenewal(Number(result.auth.lease_duration), Boolean(result.auth.renewable));
  }

  /** Renews at two thirds of the lease; when renewal fails, the next call logs in again. */
  private scheduleRenewal(leaseSeconds: number, renewable: boolean): void {
    clearTimeout(this.renewal);
    if (!renewable || leaseSeconds <= 0) return;
    this.renewal = setTimeout(
      () => {
        this.client
          .tokenRenewSelf()
          .then((renewed) =>
            this.scheduleRenewal(Number(renewed.auth.lease_duration), Boolean(renewed.auth.renewable)),
          )
          .catch((error: unknown) => {
            this.options.logger.warn(
              { code: vaultError(error, 'renewing the token', this.address).code },
              'vault token renewal failed; logging in again on next use',
            );
            this.loggedIn = undefined;
          });
      },
      Math.max(1_000, (leaseSeconds * 1000 * 2) / 3),
    );
    this.renewal.unref();
  }

  /** Whether a request failed because the token is no longer valid, so one re-login is worth it. */
  async withAuth<T>(action: () => Promise<T>): Promise<T> {
    await this.ready();
    try {
      return await action();
    } catch (error) {
      const status = (error as { response?: { statusCode?: number } }).response?.statusCode;
      if (status !== 403 || 'token' in this.options.auth) throw error;
      this.loggedIn = undefined;
      await this.ready();
      return action();
    }
  }

  read(path: string): Promise<unknown> {
    return this.withAuth(() => this.client.read(path));
  }

  async mountVersion(mount: string): Promise<number> {
    const known = this.mountVersions.get(mount);
    if (known !== undefined) return known;
    const response = await this.withAuth(() => this.client.read(`sys/internal/ui/mounts/${mount}`));
    const version = Number(response?.data?.options?.version ?? 1);
    this.mountVersions.set(mount, version);
    return version;
  }

  close(): void {
    clearTimeout(this.renewal);
  }
}

/**
 * Keeps tubular_oauth_client in Vault: KV v2 with check-and-set against the version it read (so
 * a concurrent writer is never overwritten), or KV v1; every write is read back and compared.
 * A deleted, destroyed or expired latest version is absent, but its number still sets the CAS.
 */
export class VaultCredentialStore implements CredentialStore {
  private readonly sessions = new Map<string, VaultSession>();

  constructor(private readonly options: VaultCredentialStoreOptions) {
    if ('token' in options.auth) options.redactor.register(options.auth.token);
    else options.redactor.register(options.auth.secretId);
  }

  async checkAccess(target: Target): Promise<void> {
    const { session, path, dataPath } = await this.locate(target);
    const lookup = await session
      .withAuth(() => session.client.tokenLookupSelf())
      .catch((error: unknown) => {
        throw vaultError(error, 'looking up its own token', session.address);
      });
    const capabilities = await session
      .withAuth(() => session.client.write('sys/capabilities-self', { paths: [dataPath] }))
      .catch((error: unknown) => {
        throw vaultError(error, `checking its capabilities on ${dataPath}`, session.address);
      });
    const granted: string[] =
      capabilities?.data?.[dataPath] ?? capabilities?.[dataPath] ?? capabilities?.capabilities ?? [];
    const canWrite =
      granted.includes('root') ||
      (granted.includes('create') && granted.includes('update') && granted.includes('read'));
    if (!canWrite) {
      throw new BotError({
        code: 'vault_permission_denied',
        userMessage: `The bot's Vault token (policies: ${(lookup?.data?.policies ?? []).join(', ') || 'none'}) needs create, update and read on ${dataPath}; it has ${granted.join(', ') || 'nothing'}.`,
      });
    }
    this.options.logger.debug({ path }, 'vault access checked');
  }

  async store(target: Target, credentials: OAuthClientCredentials) {
    this.options.redactor.register(credentials.secret);
    const { session, path, dataPath, version } = await this.locate(target);
    const current = await readKv(session, dataPath, version);
    if (current.state === 'present' && differingFields(current.data, credentials).length === 0) {
      return {
        written: false,
        ...(current.version ? { version: current.version } : {}),
        path: `${target.vault.mount}/${path}`,
      };
    }
    const cas =
      version === 2
        ? await casVersion(session, `${target.vault.mount}/metadata/${path}`, current)
        : undefined;
    const body = cas === undefined ? credentials : { data: credentials, options: { cas } };
    await session
      .withAuth(() => session.client.write(dataPath, body))
      .catch((error: unknown) => {
        throw vaultError(error, `writing ${dataPath}`, session.address);
      });
    const written = await readKv(session, dataPath, version);
    const mismatched = written.state === 'present' ? differingFields(written.data, credentials) : FIELDS;
    if (mismatched.length > 0) {
      throw new BotError({
        code: 'vault_readback_mismatch',
        userMessage: `Read back from ${dataPath}, ${mismatched.join(', ')} did not match what was written.`,
        retryable: true,
      });
    }
    return {
      written: true,
      ...(written.state === 'present' && written.version ? { version: written.version } : {}),
      path: `${target.vault.mount}/${path}`,
    };
  }

  async inspect(
    target: Target,
    expected: { id?: string; secret?: string; host: string },
  ): Promise<CredentialInspection> {
    const { session, path, dataPath, version } = await this.locate(target);
    const current = await readKv(session, dataPath, version);
    const where = `${target.vault.mount}/${path}`;
    if (current.state === 'absent') return { state: 'absent', path: where };
    const differing = differingFields(current.data, expected);
    const versionPart = current.version ? { version: current.version } : {};
    return differing.length === 0
      ? { state: 'present', path: where, ...versionPart }
      : { state: 'different', path: where, ...versionPart, differingFields: differing };
  }

  async read(target: Target): Promise<OAuthClientCredentials | undefined> {
    const { session, dataPath, version } = await this.locate(target);
    const current = await readKv(session, dataPath, version);
    if (current.state === 'absent') return undefined;
    const { id, secret, host } = current.data;
    if (typeof id !== 'string' || typeof secret !== 'string' || typeof host !== 'string') {
      throw new BotError({
        code: 'vault_secret_malformed',
        userMessage: `${dataPath} does not hold string id, secret and host fields.`,
      });
    }
    this.options.redactor.register(secret);
    return { id, secret, host };
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  private async locate(target: Target) {
    const address = target.vault.address ?? this.options.defaultAddress;
    if (!address) {
      throw new BotError({
        code: 'vault_not_configured',
        userMessage: `No Vault address for ${target.app} ${target.env}: set VAULT_ADDR or vault.address in the catalog.`,
        remedy: `Set VAULT_ADDR, or vault.address for ${target.app} ${target.env} in the catalog, restart the bot, then run a new setup.`,
      });
    }
    let session = this.sessions.get(address);
    if (!session) {
      session = new VaultSession(address, this.options);
      this.sessions.set(address, session);
    }
    const path = secretPath(target);
    const { mount, kvVersion } = target.vault;
    const actual = await session.mountVersion(mount).catch((error: unknown) => {
      throw vaultError(error, `reading the ${mount} mount's settings`, address);
    });
    if (actual !== kvVersion) {
      throw new BotError({
        code: 'vault_mount_version',
        userMessage: `The catalog says ${mount} is KV v${kvVersion}, but Vault reports KV v${actual}; fix vault.kvVersion for ${target.app} ${target.env}.`,
        remedy: `Set vault.kvVersion to ${actual} for ${target.app} ${target.env} in the catalog, restart the bot, then run a new setup.`,
      });
    }
    const dataPath = kvVersion === 2 ? `${mount}/data/${path}` : `${mount}/${path}`;
    return { session, path, dataPath, version: kvVersion };
  }
}

function differingFields(
  stored: Record<string, unknown>,
  expected: Partial<OAuthClientCredentials>,
): CredentialField[] {
  return FIELDS.filter((field) => {
    const wanted = expected[field];
    if (wanted === undefined) return false;
    const held = stored[field];
    return field === 'secret' ? typeof held !== 'string' || !sameSecret(held, wanted) : held !== wanted;
  });
}

/** Compares digests in constant time, so a comparison never reveals how much of a secret matched. */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function createVaultCredentialStore(options: VaultCredentialStoreOptions): CredentialStore {
  return new VaultCredentialStore(options);
}
