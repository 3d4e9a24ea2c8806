import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PolicyRule, VaultEmulator } from '../../../emulators/vault/vault-emulator.js';
import type { BotError } from '../../../src/errors.js';
import { readHcVaultKeys, unwrapDataKey } from '../../../src/integrations/sops/data-key.js';
import { decryptSopsYaml, type PlainValue } from '../../../src/integrations/sops/sops-decrypt.js';
import { updateSopsYaml } from '../../../src/integrations/sops/sops-update.js';
import { FetchVaultTransit } from '../../../src/integrations/sops/vault-transit.js';
import { rejection } from '../../support/rejection.js';
import { changedLines, lineOf } from '../../unit/sops/vectors.js';
import { MIT_FILE, type MitLayout, mitLayout } from './mit-layout.js';

const SECRET = 'tubular-client-secret-7f3a9c1e5b2d4068';
const PAIR = 'mitxonline/tubular_oauth_client';
const NOW = new Date('2026-09-01T08:00:00Z');
const DECRYPT_POLICY: PolicyRule[] = [{ path: 'infrastructure/decrypt/sops', capabilities: ['update'] }];

let vault: VaultEmulator;
let dataKey: Buffer;
let file: MitLayout;

beforeEach(async () => {
  vault = await VaultEmulator.start();
  vault.createTransitKey('infrastructure', 'sops');
  dataKey = randomBytes(32);
  const response = await fetch(`${vault.url}/v1/infrastructure/encrypt/sops`, {
    method: 'POST',
    headers: { 'x-vault-token': vault.rootToken },
    body: JSON.stringify({ plaintext: dataKey.toString('base64') }),
  });
  const { data } = (await response.json()) as { data: { ciphertext: string } };
  file = mitLayout(dataKey, data.ciphertext, vault.url);
});
afterEach(() => vault.stop());

function transit(rules = DECRYPT_POLICY, allowedAddresses = [vault.url], timeoutMs?: number) {
  return new FetchVaultTransit({ token: vault.createToken({ rules }), allowedAddresses, timeoutMs });
}

function leaf(values: Record<string, PlainValue>, ...path: string[]): PlainValue {
  return path.reduce<PlainValue>((node, key) => (node as Record<string, PlainValue>)[key] ?? null, values);
}

describe("MIT's operations file, with its data key in the Vault emulator's transit engine", () => {
  it('keeps the layout of MIT: the same lines, only values and the key wrapping differ', () => {
    const sameShape = (text: string) => text.replace(/: (ENC\[|vault:v1:|"\d{4}-).*$/gm, ': …');
    expect(sameShape(file.text).replace(/vault_address: .*/, '')).toBe(
      sameShape(MIT_FILE).replace(/vault_address: .*/, ''),
    );
    expect(readHcVaultKeys(file.text)).toEqual([
      expect.objectContaining({ vault_address: vault.url, engine_path: 'infrastructure', key_name: 'sops' }),
    ]);
  });

  it('unwraps the data key through transit, decrypts every value and verifies the MAC', async () => {
    const key = await unwrapDataKey(file.text, transit());
    expect(key.equals(dataKey)).toBe(true);
    const decrypted = decryptSopsYaml(file.text, key);
    expect(decrypted.mac).toBe('verified');
    expect(file.leaves).toHaveLength(44);
    for (const { path, plain } of file.leaves) expect(leaf(decrypted.values, ...path)).toBe(plain);
    expect(vault.traffic.filter((entry) => entry.path === '/v1/infrastructure/decrypt/sops')).toHaveLength(1);
  });

  it('changes pipelines.mitxonline/tubular_oauth_client.secret, and only that leaf, mac and lastmodified', async () => {
    const key = await unwrapDataKey(file.text, transit());
    const path = ['pipelines', PAIR, 'secret'];
    const updated = updateSopsYaml(file.text, key, [{ path, value: SECRET }], NOW);
    const after = decryptSopsYaml(updated, key);
    expect(after.mac).toBe('verified');
    expect(leaf(after.values, ...path)).toBe(SECRET);
    expect(leaf(after.values, 'pipelines', PAIR, 'id')).toBe(`fake:pipelines.${PAIR}.id`);
    expect(changedLines(file.text, updated)).toEqual([
      lineOf(file.text, '    secret:'),
      lineOf(file.text, '  lastmodified:'),
      lineOf(file.text, '  mac:'),
    ]);
    expect(updated).toContain('  lastmodified: "2026-09-01T08:00:00Z"\n');
    expect(updated).not.toContain(SECRET);
  });

  it('adds a pair that is not there yet at the end of pipelines, indented as MIT indents', async () => {
    const key = await unwrapDataKey(file.text, transit());
    const fields = { id: 'xpro-client-id', secret: SECRET, host: 'https://xpro-qa.example' };
    const changes = Object.entries(fields).map(([name, value]) => ({
      path: ['pipelines', 'xpro/tubular_oauth_client', name],
      value,
    }));
    const updated = updateSopsYaml(file.text, key, changes, NOW);
    const after = decryptSopsYaml(updated, key);
    expect(after.mac).toBe('verified');
    expect(leaf(after.values, 'pipelines', 'xpro/tubular_oauth_client')).toEqual(fields);
    const lines = updated.split('\n');
    const at = lines.indexOf('  xpro/tubular_oauth_client:');
    expect(lines[at + 4]).toBe('sops:');
    expect(
      lines.slice(at + 1, at + 4).map((line) => /^ {4}(\w+): ENC\[AES256_GCM,.+,type:str\]$/.exec(line)?.[1]),
    ).toEqual(['id', 'secret', 'host']);
    const withoutAdded = [...lines.slice(0, at), ...lines.slice(at + 4)].join('\n');
    expect(changedLines(file.text, withoutAdded)).toEqual([
      lineOf(file.text, '  lastmodified:'),
      lineOf(file.text, '  mac:'),
    ]);
  });

  it('names the policy a token lacks when Vault denies the decrypt', async () => {
    const error = await rejection(
      unwrapDataKey(file.text, transit([{ path: 'infrastructure/encrypt/sops', capabilities: ['update'] }])),
    );
    expect(error.code).toBe('vault_permission_denied');
    expect(error.userMessage).toContain('`update` on `infrastructure/decrypt/sops`');
    expect(vault.traffic.at(-1)?.status).toBe(403);
  });

  it('sends the token only to an allowed Vault address', async () => {
    const error = await rejection(
      unwrapDataKey(file.text, transit(DECRYPT_POLICY, ['https://vault-qa.example'])),
    );
    expect(error.code).toBe('sops_vault_address_not_allowed');
    expect(vault.traffic.filter((entry) => entry.path.includes('/decrypt/'))).toEqual([]);
  });

  it('reports a sealed, slow or confused Vault as such', async () => {
    vault.seal();
    expect((await rejection(unwrapDataKey(file.text, transit()))).code).toBe('vault_sealed');
    vault.unseal();
    vault.setLatencyMs(300);
    const slow = await rejection(unwrapDataKey(file.text, transit(DECRYPT_POLICY, [vault.url], 50)));
    expect([slow.code, slow.retryable]).toEqual(['vault_unreachable', true]);
    vault.setLatencyMs(0);
    const tampered = file.text.replace(/(enc: vault:v1:)(.)/, (_, prefix: string, first: string) =>
      first === 'A' ? `${prefix}B` : `${prefix}A`,
    );
    const rejected = await rejection(unwrapDataKey(tampered, transit()));
    expect([rejected.code, rejected.userMessage]).toEqual([
      'vault_rejected',
      `Vault at ${vault.url} answered 400 to \`infrastructure/decrypt/sops\`: cipher: message authentication failed.`,
    ]);
  });

  it('never puts the secret or the data key into an error', async () => {
    const key = await unwrapDataKey(file.text, transit());
    const withSecret = updateSopsYaml(
      file.text,
      key,
      [{ path: ['pipelines', PAIR, 'secret'], value: SECRET }],
      NOW,
    );
    const errors: BotError[] = [];
    const attempt = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        errors.push(error as BotError);
      }
    };
    attempt(() => decryptSopsYaml(withSecret, randomBytes(32)));
    attempt(() => updateSopsYaml(withSecret, key, [{ path: ['pipelines', PAIR], value: SECRET }], NOW));
    attempt(() => updateSopsYaml(withSecret.replace(/^ {4}id: .*\n/m, ''), key, [], NOW));
    attempt(() => updateSopsYaml(`${withSecret}\n---\nother: 1\n`, key, [], NOW));
    errors.push(await rejection(unwrapDataKey(withSecret, transit([]))));
    expect(errors.map((error) => error.code)).toEqual([
      'sops_decrypt_failed',
      'sops_unsupported',
      'sops_mac_mismatch',
      'sops_unsupported',
      'vault_permission_denied',
    ]);
    const forbidden = [SECRET, key.toString('base64'), key.toString('hex')];
    for (const error of errors) {
      for (const text of [error.message, error.userMessage, error.detail ?? '', String(error.cause ?? '')]) {
        for (const value of forbidden) expect(text).not.toContain(value);
      }
    }
  });
});
