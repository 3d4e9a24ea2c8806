import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmsOAuthEmulator } from '../../../emulators/lms-oauth/lms-oauth-emulator.js';
import { VaultEmulator } from '../../../emulators/vault/vault-emulator.js';
import type { Target } from '../../../src/config/catalog.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import {
  type VaultAuth,
  VaultCredentialStore,
} from '../../../src/integrations/vault/vault-credential-store.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

const SECRET = 'zq9-client-secret-4b1e7d02c6a8f35e91';
let vault: VaultEmulator;
let lms: LmsOAuthEmulator;
let logs: string[];
let stores: VaultCredentialStore[];

beforeEach(async () => {
  vault = await VaultEmulator.start({ mounts: { 'secret-concourse': 2, 'kv-one': 1 } });
  lms = await LmsOAuthEmulator.start();
  lms.registerClient('client-abc', SECRET);
  logs = [];
  stores = [];
});
afterEach(async () => {
  for (const store of stores) await store.close();
  await vault.stop();
  await lms.stop();
});

function target(overrides: Partial<Target['vault']> = {}, address = vault.url): Target {
  const base = testCatalog({ vaultAddress: address, lmsUrl: lms.url }).get('mitxonline', 'qa') as Target;
  return { ...base, vault: { ...base.vault, ...overrides } };
}

function store(auth: VaultAuth = { token: vault.rootToken }, timeoutMs = 2_000): VaultCredentialStore {
  const redactor = new SecretRedactor();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const created = new VaultCredentialStore({
    auth,
    timeoutMs,
    redactor,
    logger: createLogger({ level: 'debug', redactor, destination }),
  });
  stores.push(created);
  return created;
}

const credentials = () => ({ id: 'client-abc', secret: SECRET, host: lms.url });

async function currentVersion(path: string): Promise<number> {
  const response = await fetch(`${vault.url}/v1/secret-concourse/metadata/${path}`, {
    headers: { 'X-Vault-Token': vault.rootToken },
  });
  return ((await response.json()) as { data: { current_version: number } }).data.current_version;
}

describe('VaultCredentialStore (KV v2)', () => {
  it('writes once with check-and-set, then recognises identical values without a new version', async () => {
    const s = store();
    await s.checkAccess(target());
    expect(await s.inspect(target(), { id: 'client-abc', host: lms.url })).toEqual({
      state: 'absent',
      path: 'secret-concourse/mitxonline/tubular_oauth_client',
    });
    expect(await s.store(target(), credentials())).toEqual({
      written: true,
      version: 1,
      path: 'secret-concourse/mitxonline/tubular_oauth_client',
    });
    const write = vault.traffic.find(
      (t) => t.method !== 'GET' && t.path.endsWith('/data/mitxonline/tubular_oauth_client'),
    );
    expect(JSON.parse(write?.requestBody ?? '{}')).toEqual({ data: credentials(), options: { cas: 0 } });
    expect(await s.store(target(), credentials())).toMatchObject({ written: false, version: 1 });
    expect(await currentVersion('mitxonline/tubular_oauth_client')).toBe(1);
    expect(await s.read(target())).toEqual(credentials());
    expect(await s.inspect(target(), { id: 'client-abc', host: lms.url })).toMatchObject({
      state: 'present',
      version: 1,
    });
    expect(await s.inspect(target(), { id: 'other', secret: 'x', host: lms.url })).toMatchObject({
      state: 'different',
      differingFields: ['id', 'secret'],
    });
  });

  it('writes a new version with cas=current when the values differ', async () => {
    const s = store();
    await s.store(target(), { ...credentials(), secret: 'an-older-secret-value' });
    expect(await s.store(target(), credentials())).toMatchObject({ written: true, version: 2 });
    const writes = vault.traffic.filter((t) => t.method === 'POST' && t.path.includes('/data/'));
    expect(JSON.parse(writes[1]?.requestBody ?? '{}').options).toEqual({ cas: 1 });
  });

  it('refuses to overwrite a value someone else wrote between its read and its write', async () => {
    const s = store();
    vault.raceNextWrite(() =>
      vault.writeAsOther('secret-concourse', 'mitxonline/tubular_oauth_client', { id: 'theirs' }),
    );
    const error = await rejection(s.store(target(), credentials()));
    expect(error).toMatchObject({ code: 'vault_concurrent_change', retryable: true });
    expect((await s.inspect(target(), { id: 'theirs', host: lms.url })).state).toBe('different');
  });

  it('says which policy is missing when the token may not write the path', async () => {
    const token = vault.createToken({
      rules: [{ path: 'secret-concourse/data/xpro/*', capabilities: ['create', 'read', 'update'] }],
    });
    const s = store({ token });
    const error = await rejection(s.checkAccess(target()));
    expect(error.code).toBe('vault_permission_denied');
    expect(error.userMessage).toContain(
      'needs create, update and read on secret-concourse/data/mitxonline/tubular_oauth_client',
    );
    expect((await rejection(s.store(target(), credentials()))).code).toBe('vault_permission_denied');
  });

  it('reports a sealed, unreachable or slow Vault as retryable', async () => {
    vault.seal();
    expect(await rejection(store().store(target(), credentials()))).toMatchObject({
      code: 'vault_sealed',
      retryable: true,
    });
    vault.unseal();
    expect(await rejection(store().checkAccess(target({}, 'http://127.0.0.1:9')))).toMatchObject({
      code: 'vault_unreachable',
      retryable: true,
    });
    vault.setLatencyMs(400);
    const slow = await rejection(store(undefined, 100).read(target()));
    expect(slow).toMatchObject({ code: 'vault_unreachable', retryable: true });
    expect(slow.userMessage).toContain('did not answer in time');
  });

  it('catches a catalog that names the wrong KV version', async () => {
    const error = await rejection(store().store(target({ mount: 'kv-one', kvVersion: 2 }), credentials()));
    expect(error.code).toBe('vault_mount_version');
    expect(error.userMessage).toContain('kv-one is KV v2, but Vault reports KV v1');
  });
});

describe('VaultCredentialStore (KV v1)', () => {
  it('writes the flat map, reads it back and skips identical writes', async () => {
    const s = store();
    const v1 = target({ mount: 'kv-one', kvVersion: 1 });
    expect(await s.store(v1, credentials())).toEqual({
      written: true,
      path: 'kv-one/mitxonline/tubular_oauth_client',
    });
    const write = vault.traffic.find(
      (t) => t.method === 'POST' && t.path === '/v1/kv-one/mitxonline/tubular_oauth_client',
    );
    expect(write?.status).toBe(204);
    expect(JSON.parse(write?.requestBody ?? '{}')).toEqual(credentials());
    expect(await s.store(v1, credentials())).toEqual({
      written: false,
      path: 'kv-one/mitxonline/tubular_oauth_client',
    });
    expect(await s.read(v1)).toEqual(credentials());
  });
});

describe('AppRole', () => {
  it('logs in, renews its token, and logs in again once the token has expired', async () => {
    const rules = [{ path: 'secret-concourse/*', capabilities: ['create', 'read', 'update'] as const }];
    const { roleId, secretId } = vault.addAppRole(
      'retirement-bot',
      [...rules.map((r) => ({ ...r, capabilities: [...r.capabilities] }))],
      3,
    );
    const s = store({ roleId, secretId });
    await s.checkAccess(target());
    expect(vault.traffic.filter((t) => t.path === '/v1/auth/approle/login')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(vault.traffic.some((t) => t.path === '/v1/auth/token/renew-self' && t.status === 200)).toBe(true);
    vault.expireTokens();
    await s.store(target(), credentials());
    expect(vault.traffic.filter((t) => t.path === '/v1/auth/approle/login')).toHaveLength(2);
  });

  it('names bad AppRole credentials', async () => {
    const error = await rejection(store({ roleId: 'nope', secretId: 'nope-nope' }).read(target()));
    expect(error.code).toBe('vault_rejected');
    expect(error.userMessage).toContain('invalid role or secret ID');
  });
});

describe('verifyClientCredentials', () => {
  it('gets a token with what Vault holds, asking as tubular does', async () => {
    expect(await verifyClientCredentials(credentials())).toMatchObject({ tokenType: 'JWT' });
    const form = new URLSearchParams(lms.requests[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-abc',
      client_secret: SECRET,
      token_type: 'jwt',
    });
  });

  it('tells a wrong secret, a host that is not an LMS, an unreachable LMS and a failing one apart', async () => {
    const wrong = await rejection(verifyClientCredentials({ ...credentials(), secret: 'wrong-secret' }));
    expect(wrong.code).toBe('lms_credentials_rejected');
    expect(wrong.userMessage).not.toContain('wrong-secret');
    expect((await rejection(verifyClientCredentials({ ...credentials(), host: vault.url }))).code).toBe(
      'lms_host_mismatch',
    );
    expect(
      await rejection(verifyClientCredentials({ ...credentials(), host: 'http://127.0.0.1:9' })),
    ).toMatchObject({
      code: 'lms_unreachable',
      retryable: true,
    });
    lms.failWithServerErrors(true);
    expect(await rejection(verifyClientCredentials(credentials()))).toMatchObject({
      code: 'lms_server_error',
      retryable: true,
    });
  });
});

describe('the secret', () => {
  it('appears nowhere but the Vault write and the token request', async () => {
    const s = store();
    const errors: unknown[] = [];
    await s.checkAccess(target());
    await s.store(target(), credentials());
    await s.inspect(target(), credentials());
    await s.read(target());
    vault.seal();
    await s.store(target(), { ...credentials(), id: 'changed' }).catch((e: unknown) => errors.push(e));
    vault.unseal();
    await verifyClientCredentials(credentials());
    await verifyClientCredentials({ ...credentials(), id: 'unknown' }).catch((e: unknown) => errors.push(e));
    const allowed = (t: { method: string; path: string }) => t.method === 'POST' && t.path.includes('/data/');
    const seen = [
      logs.join('\n'),
      JSON.stringify(errors.map((e) => ({ ...(e as object), message: (e as Error).message }))),
      vault.traffic
        .filter((t) => !allowed(t) && !t.path.endsWith('/data/mitxonline/tubular_oauth_client'))
        .map((t) => t.requestBody + t.responseBody)
        .join('\n'),
      vault.traffic
        .filter((t) => allowed(t))
        .map((t) => t.responseBody)
        .join('\n'),
    ].join('\n');
    expect(errors).toHaveLength(2);
    expect(seen).not.toContain(SECRET);
  });
});
