import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultEmulator } from '../../../emulators/vault/vault-emulator.js';
import type { Target } from '../../../src/config/catalog.js';
import {
  type VaultAuth,
  VaultCredentialStore,
} from '../../../src/integrations/vault/vault-credential-store.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

/*
 * A KV v2 secret whose latest version was soft-deleted, destroyed or outlived
 * delete_version_after reads as 404, yet check-and-set still counts that version.
 */
const PATH = 'mitxonline/tubular_oauth_client';
const DATA_PATH = `/v1/secret-concourse/data/${PATH}`;
const credentials = {
  id: 'client-abc',
  secret: 'zq9-client-secret-7c1d55e0a4b2',
  host: 'https://lms.example',
};
const older = { ...credentials, secret: 'an-older-secret-value-0b9e' };

let vault: VaultEmulator;
let stores: VaultCredentialStore[];

beforeEach(async () => {
  vault = await VaultEmulator.start();
  stores = [];
});
afterEach(async () => {
  for (const store of stores) await store.close();
  await vault.stop();
});

function target(): Target {
  return testCatalog({ vaultAddress: vault.url }).get('mitxonline', 'qa') as Target;
}

function store(auth: VaultAuth = { token: vault.rootToken }): VaultCredentialStore {
  const redactor = new SecretRedactor();
  const created = new VaultCredentialStore({
    auth,
    timeoutMs: 2_000,
    redactor,
    logger: createLogger({ level: 'silent', redactor }),
  });
  stores.push(created);
  return created;
}

/** Another Vault client (an operator, a cleanup job) acting with the root token. */
async function operator(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${vault.url}/v1/secret-concourse/${path}`, {
    method,
    headers: { 'X-Vault-Token': vault.rootToken },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

function dataWrites() {
  return vault.traffic.filter((t) => t.method === 'POST' && t.path === DATA_PATH);
}

/** The store sees nothing, then writes the next version in one check-and-set write and reads it back. */
async function expectRewrite(nextVersion: number): Promise<void> {
  const s = store();
  expect(await s.inspect(target(), { id: credentials.id, host: credentials.host })).toEqual({
    state: 'absent',
    path: `secret-concourse/${PATH}`,
  });
  expect(await s.read(target())).toBeUndefined();
  const before = dataWrites().length;
  expect(await s.store(target(), credentials)).toEqual({
    written: true,
    version: nextVersion,
    path: `secret-concourse/${PATH}`,
  });
  const writes = dataWrites().slice(before);
  expect(writes.map((w) => [w.status, JSON.parse(w.requestBody).options])).toEqual([
    [200, { cas: nextVersion - 1 }],
  ]);
  expect(await s.read(target())).toEqual(credentials);
  const metadata = (await operator('GET', `metadata/${PATH}`)).json as { data: { current_version: number } };
  expect(metadata.data.current_version).toBe(nextVersion);
}

describe('a deleted latest version', () => {
  it('is absent, and setup writes the next version after a soft delete', async () => {
    await store().store(target(), older);
    expect((await operator('DELETE', `data/${PATH}`)).status).toBe(204);
    await expectRewrite(2);
  });

  it('is absent, and setup writes the next version after a destroy, though an older version lives', async () => {
    await store().store(target(), older);
    await store().store(target(), { ...older, id: 'client-old' });
    expect((await operator('POST', `destroy/${PATH}`, { versions: [2] })).status).toBe(204);
    expect((await operator('GET', `data/${PATH}?version=1`)).status).toBe(200);
    await expectRewrite(3);
  });

  it.each([
    ['the secret', `metadata/${PATH}`],
    ['the mount', 'config'],
  ])(
    'is absent, and setup writes the next version once delete_version_after on %s has passed',
    async (_, where) => {
      expect((await operator('POST', where, { delete_version_after: '1h' })).status).toBe(204);
      await store().store(target(), older);
      expect(await store().read(target())).toEqual(older);
      vault.advanceClock(3_601);
      await expectRewrite(2);
    },
  );

  it('no longer ends in a check-and-set refusal that is retried forever', async () => {
    await store().store(target(), credentials);
    await operator('DELETE', `data/${PATH}`);
    const s = store();
    await expect(s.store(target(), credentials)).resolves.toMatchObject({ written: true, version: 2 });
    expect(vault.traffic.filter((t) => t.responseBody.includes('check-and-set'))).toEqual([]);
    await expect(s.store(target(), credentials)).resolves.toMatchObject({ written: false, version: 2 });
  });

  it('still refuses to overwrite a value someone else wrote between the read and the write', async () => {
    await store().store(target(), older);
    await operator('DELETE', `data/${PATH}`);
    vault.raceNextWrite(() => vault.writeAsOther('secret-concourse', PATH, { id: 'theirs' }));
    const error = await rejection(store().store(target(), credentials));
    expect(error).toMatchObject({ code: 'vault_concurrent_change', retryable: true });
    expect(await store().inspect(target(), { id: 'theirs', host: credentials.host })).toMatchObject({
      state: 'different',
      version: 2,
    });
  });
});

describe('a secret that was never written', () => {
  it('is written with cas 0 by a token that may not read metadata/', async () => {
    const token = vault.createToken({
      rules: [{ path: 'secret-concourse/data/mitxonline/*', capabilities: ['create', 'read', 'update'] }],
    });
    expect(await store({ token }).store(target(), credentials)).toMatchObject({ written: true, version: 1 });
    expect(JSON.parse(dataWrites()[0]?.requestBody ?? '{}').options).toEqual({ cas: 0 });
    expect(vault.traffic.some((t) => t.path.includes('/metadata/') && t.status === 403)).toBe(true);
  });
});
