import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultEmulator } from '../../../emulators/vault/vault-emulator.js';

interface Answer {
  errors?: string[];
  data?: { ciphertext?: string; plaintext?: string; key_version?: number; type?: string; path?: string };
}

let vault: VaultEmulator;

beforeEach(async () => {
  vault = await VaultEmulator.start();
  vault.createTransitKey('infrastructure', 'sops');
});
afterEach(() => vault.stop());

async function call(path: string, body: unknown, token = vault.rootToken, method = 'POST') {
  const response = await fetch(`${vault.url}/v1/${path}`, {
    method,
    headers: { 'x-vault-token': token },
    body: method === 'GET' ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function encrypt(plaintext: string, token?: string) {
  return call('infrastructure/encrypt/sops', { plaintext }, token);
}

describe("the Vault emulator's transit engine", () => {
  it('encrypts to vault:v1 ciphertexts (12-byte nonce, sealed bytes, 16-byte tag) and decrypts them', async () => {
    const plaintext = Buffer.from('a 32-byte data key for sops!!!!!').toString('base64');
    const encrypted = await encrypt(plaintext);
    expect(encrypted.status).toBe(200);
    expect(encrypted.body.data?.key_version).toBe(1);
    const ciphertext = encrypted.body.data?.ciphertext ?? '';
    expect(ciphertext).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(ciphertext.slice('vault:v1:'.length), 'base64')).toHaveLength(12 + 32 + 16);
    expect((await encrypt(plaintext)).body.data?.ciphertext).not.toBe(ciphertext);
    const decrypted = await call('infrastructure/decrypt/sops', { ciphertext });
    expect(decrypted).toMatchObject({ status: 200, body: { data: { plaintext } } });
  });

  it('checks policies like the KV paths: `update` on <mount>/decrypt/<key>, `create` to upsert a key', async () => {
    const ciphertext = (await encrypt('aGVsbG8=')).body.data?.ciphertext;
    const decryptOnly = vault.createToken({
      rules: [{ path: 'infrastructure/decrypt/sops', capabilities: ['update'] }],
    });
    expect((await call('infrastructure/decrypt/sops', { ciphertext }, decryptOnly)).status).toBe(200);
    expect((await encrypt('aGVsbG8=', decryptOnly)).status).toBe(403);
    const readOnly = vault.createToken({ rules: [{ path: 'infrastructure/*', capabilities: ['read'] }] });
    expect(await call('infrastructure/decrypt/sops', { ciphertext }, readOnly)).toEqual({
      status: 403,
      body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] },
    });
    const updater = vault.createToken({
      rules: [{ path: 'infrastructure/encrypt/*', capabilities: ['update'] }],
    });
    expect((await call('infrastructure/encrypt/other', { plaintext: 'aGVsbG8=' }, updater)).status).toBe(403);
    const creator = vault.createToken({
      rules: [{ path: 'infrastructure/encrypt/*', capabilities: ['create', 'update'] }],
    });
    expect((await call('infrastructure/encrypt/other', { plaintext: 'aGVsbG8=' }, creator)).status).toBe(200);
  });

  it('answers malformed requests with 400 and the texts of path_encrypt.go, path_decrypt.go and keysutil', async () => {
    const ciphertext = (await encrypt('aGVsbG8=')).body.data?.ciphertext ?? '';
    const payload = ciphertext.slice('vault:v1:'.length);
    const flipped = `vault:v1:${payload.startsWith('A') ? 'B' : 'A'}${payload.slice(1)}`;
    const cases: [string, Record<string, unknown>, string][] = [
      ['encrypt/sops', {}, 'missing plaintext to encrypt'],
      ['encrypt/sops', { plaintext: 'Hamburg' }, 'illegal base64 data at input byte 4'],
      ['decrypt/sops', {}, 'missing ciphertext to decrypt'],
      ['decrypt/nokey', { ciphertext }, 'encryption key not found'],
      ['decrypt/sops', { ciphertext: payload }, 'invalid ciphertext: no prefix'],
      ['decrypt/sops', { ciphertext: 'vault:v1' }, 'invalid ciphertext: wrong number of fields'],
      [
        'decrypt/sops',
        { ciphertext: `vault:vX:${payload}` },
        'invalid ciphertext: version number could not be decoded',
      ],
      ['decrypt/sops', { ciphertext: `vault:v2:${payload}` }, 'invalid ciphertext: version is too new'],
      ['decrypt/sops', { ciphertext: 'vault:v1:not*base64' }, 'invalid ciphertext: could not decode base64'],
      ['decrypt/sops', { ciphertext: flipped }, 'cipher: message authentication failed'],
    ];
    for (const [path, body, message] of cases) {
      expect(await call(`infrastructure/${path}`, body)).toEqual({
        status: 400,
        body: { errors: [message] },
      });
    }
  });

  it('describes its mount as transit and leaves other routes unsupported', async () => {
    const mount = await call('sys/internal/ui/mounts/infrastructure', undefined, vault.rootToken, 'GET');
    expect(mount.body.data).toMatchObject({ type: 'transit', path: 'infrastructure/' });
    expect((await call('infrastructure/encrypt/sops', undefined, vault.rootToken, 'GET')).status).toBe(405);
    expect((await call('infrastructure/hmac/sops', {})).status).toBe(404);
  });
});
