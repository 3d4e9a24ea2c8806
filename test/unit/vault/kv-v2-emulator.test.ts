import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultEmulator } from '../../../emulators/vault/vault-emulator.js';

/*
 * The emulator's KV v2 against the shapes vault-plugin-secrets-kv answers with: path_data.go
 * (pathDataRead, validateCheckAndSetOption, pathDataDelete), path_delete.go, path_destroy.go,
 * path_metadata.go and delete_version_after.go.
 */
let vault: VaultEmulator;

beforeEach(async () => {
  vault = await VaultEmulator.start();
});
afterEach(() => vault.stop());

async function call(method: string, path: string, body?: unknown, token = vault.rootToken) {
  const response = await fetch(`${vault.url}/v1/secret-concourse/${path}`, {
    method,
    headers: { 'X-Vault-Token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answers are what is under test, shape by shape
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as any };
}

const write = (cas: number, data: Record<string, unknown> = { id: `v${cas + 1}` }) =>
  call('POST', 'data/app/secret', { data, options: { cas } });

describe('KV v2 versions in the emulator', () => {
  it('reads a soft-deleted latest version as 404 whose body still names the version', async () => {
    await write(0);
    await write(1);
    expect((await call('DELETE', 'data/app/secret')).status).toBe(204);
    const read = await call('GET', 'data/app/secret');
    expect(read.status).toBe(404);
    expect(read.json).toMatchObject({
      request_id: expect.any(String),
      data: {
        data: null,
        metadata: {
          version: 2,
          created_time: expect.any(String),
          deletion_time: expect.stringMatching(/^\d{4}-/),
          destroyed: false,
          custom_metadata: null,
        },
      },
    });
    expect(read.json.errors).toBeUndefined();
    expect((await call('GET', 'data/app/secret?version=1')).json.data.data).toEqual({ id: 'v1' });
  });

  it('counts deleted versions in current_version, and check-and-set compares with it', async () => {
    await write(0);
    await call('DELETE', 'data/app/secret');
    const metadata = (await call('GET', 'metadata/app/secret')).json.data;
    expect(metadata).toMatchObject({
      current_version: 1,
      oldest_version: 0,
      max_versions: 0,
      cas_required: false,
      delete_version_after: '0s',
      versions: { '1': { destroyed: false, deletion_time: expect.stringMatching(/^\d{4}-/) } },
    });
    expect(await write(0)).toEqual({
      status: 400,
      json: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await write(1)).json.data.version).toBe(2);
  });

  it('undeletes and destroys the versions named, as POST undelete/ and destroy/', async () => {
    await write(0);
    await call('POST', 'delete/app/secret', { versions: [1] });
    expect((await call('GET', 'data/app/secret')).status).toBe(404);
    expect((await call('POST', 'undelete/app/secret', { versions: [1] })).status).toBe(204);
    expect((await call('GET', 'data/app/secret')).json.data).toMatchObject({
      data: { id: 'v1' },
      metadata: { deletion_time: '' },
    });
    expect((await call('POST', 'destroy/app/secret', { versions: '1' })).status).toBe(204);
    const destroyed = await call('GET', 'data/app/secret');
    expect(destroyed.status).toBe(404);
    expect(destroyed.json.data.metadata).toMatchObject({ version: 1, destroyed: true, deletion_time: '' });
    await call('POST', 'undelete/app/secret', { versions: [1] });
    expect((await call('GET', 'data/app/secret')).status).toBe(404);
    expect(await call('POST', 'delete/app/secret', { versions: [] })).toEqual({
      status: 400,
      json: { errors: ['No version number provided'] },
    });
  });

  it('schedules deletion_time from delete_version_after, the shorter of the key and the mount', async () => {
    await call('POST', 'config', { delete_version_after: '2h' });
    await call('POST', 'metadata/app/secret', { delete_version_after: 1800 });
    expect((await call('GET', 'config')).json.data.delete_version_after).toBe('2h0m0s');
    expect((await call('GET', 'metadata/app/secret')).json.data.delete_version_after).toBe('30m0s');
    const written = (await write(0)).json.data;
    expect(Date.parse(written.deletion_time) - Date.parse(written.created_time)).toBe(1_800_000);
    expect((await call('GET', 'data/app/secret')).status).toBe(200);
    vault.advanceClock(1_801);
    const expired = await call('GET', 'data/app/secret');
    expect(expired.status).toBe(404);
    expect(expired.json.data.metadata).toMatchObject({ version: 1, destroyed: false });
    expect((await call('POST', 'metadata/app/secret', { delete_version_after: -1 })).status).toBe(400);
  });

  it('keeps max_versions versions, and a missing key or version is a bare 404', async () => {
    expect(await call('GET', 'data/app/secret')).toEqual({ status: 404, json: { errors: [] } });
    await call('POST', 'metadata/app/secret', { max_versions: 2 });
    for (const cas of [0, 1, 2]) await write(cas);
    expect((await call('GET', 'metadata/app/secret')).json.data).toMatchObject({
      current_version: 3,
      oldest_version: 2,
    });
    expect(await call('GET', 'data/app/secret?version=1')).toEqual({ status: 404, json: { errors: [] } });
  });

  it('asks for the delete capability to DELETE data/ and update on delete/', async () => {
    await write(0);
    const token = vault.createToken({
      rules: [{ path: 'secret-concourse/data/*', capabilities: ['create', 'read', 'update'] }],
    });
    expect((await call('DELETE', 'data/app/secret', undefined, token)).status).toBe(403);
    expect((await call('POST', 'delete/app/secret', { versions: [1] }, token)).status).toBe(403);
    expect((await call('GET', 'metadata/app/secret', undefined, token)).status).toBe(403);
    expect((await call('GET', 'data/app/secret', undefined, token)).status).toBe(200);
  });
});
