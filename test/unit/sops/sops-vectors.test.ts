import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { decryptSopsYaml, verifyMac } from '../../../src/integrations/sops/sops-decrypt.js';
import { updateSopsYaml } from '../../../src/integrations/sops/sops-update.js';
import { changedLines, lineOf, pgpDataKey, readVector } from './vectors.js';

const NOW = new Date('2026-09-01T12:34:56.789Z');

/** Each real sops file, and one leaf to change in it (its line prefix, as sops indented it). */
const VECTORS = [
  { file: 'example.yaml', mac: 'verified', path: ['app2', 'db', 'password'], line: '        password:' },
  { file: 'comments.enc.yaml', mac: 'verified', path: ['lorem'], line: 'lorem:' },
  { file: 'format.enc.yaml', mac: 'verified', path: ['foo'], line: 'foo:' },
  { file: 'multiple_keys.yaml', mac: 'verified', path: ['message'], line: 'message:' },
  { file: 'no_mac.yaml', mac: 'missing', path: ['myapp1'], line: 'myapp1:' },
] as const;

function encryptedCount(text: string): number {
  const data = text.slice(0, text.search(/^sops:/m));
  return (data.match(/ENC\[AES256_GCM/g) ?? []).length;
}

function valueAt(tree: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree);
}

describe.each(VECTORS)('the sops codec on $file', ({ file, mac, path, line }) => {
  const text = readVector(file);

  it('decrypts every value and comment, and checks the MAC as sops does', async () => {
    const key = await pgpDataKey(text);
    const decrypted = decryptSopsYaml(text, key);
    expect(decrypted.mac).toBe(mac);
    expect(verifyMac(text, key)).toBe(mac);
    expect(decrypted.comments.every((comment) => comment.text !== null)).toBe(true);
    const leaves = JSON.stringify(decrypted.values).match(/ENC\[/g) ?? [];
    expect(leaves).toEqual([]);
    expect(encryptedCount(text)).toBeGreaterThan(0);
  });

  it('changes one leaf: it decrypts, the MAC verifies, and only that leaf, mac and lastmodified differ', async () => {
    const key = await pgpDataKey(text);
    const before = decryptSopsYaml(text, key).values;
    const updated = updateSopsYaml(text, key, [{ path: [...path], value: 'n3w-s3cr3t' }], NOW, {
      ignoreMac: mac === 'missing',
    });
    const after = decryptSopsYaml(updated, key);
    expect(after.mac).toBe('verified');
    expect(valueAt(after.values, path)).toBe('n3w-s3cr3t');
    expect({ ...after.values, [path[0]]: null }).toEqual({ ...before, [path[0]]: null });
    const quote = /lastmodified: '/.test(text) ? "'" : '"';
    expect(updated).toContain(`    lastmodified: ${quote}2026-09-01T12:34:56Z${quote}\n`);
    const expected = [lineOf(text, line), lineOf(text, '    lastmodified:')];
    if (mac === 'missing') {
      // sops writes `mac` right after `lastmodified`; without that one added line, the rest compares.
      const macLine = lineOf(updated, '    lastmodified:') + 1;
      expect(updated.split('\n')[macLine - 1]).toMatch(/^ {4}mac: ENC\[AES256_GCM,.+,type:str\]$/);
      const withoutMac = updated.split('\n').filter((_, index) => index !== macLine - 1);
      expect(changedLines(text, withoutMac.join('\n'))).toEqual(expected.sort((a, b) => a - b));
    } else {
      expected.push(lineOf(text, '    mac:'));
      expect(changedLines(text, updated)).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('leaves the file untouched when the value does not change', async () => {
    const key = await pgpDataKey(text);
    const current = valueAt(decryptSopsYaml(text, key).values, path) as string;
    expect(updateSopsYaml(text, key, [{ path: [...path], value: current }], NOW, { ignoreMac: true })).toBe(
      text,
    );
  });
});

describe('the sops codec on example.yaml', () => {
  const text = readVector('example.yaml');

  it('reads typed values, lists and the unencrypted leaves as sops does', async () => {
    const { values } = decryptSopsYaml(text, await pgpDataKey(text));
    expect(values.myapp1).toBe('t00m4nys3cr3tzupdated');
    expect(values.somebooleans).toEqual([true, false]);
    expect(typeof values.number).toBe('number');
    expect(valueAt(values, ['nested_unencrypted', 'this', 'is', 'all'])).toBe(
      'going to remain in clear text',
    );
  });

  it('adds a missing key at the end of its mapping, in the indentation of the file', async () => {
    const key = await pgpDataKey(text);
    const updated = updateSopsYaml(text, key, [{ path: ['app2', 'db', 'host'], value: 'db.example' }], NOW);
    const after = decryptSopsYaml(updated, key);
    expect(after.mac).toBe('verified');
    expect(valueAt(after.values, ['app2', 'db', 'host'])).toBe('db.example');
    expect(after.comments.every((comment) => comment.text !== null)).toBe(true);
    const lines = updated.split('\n');
    const hostLine = lineOf(text, '        password:') + 1;
    expect(lines[hostLine - 1]).toMatch(/^ {8}host: ENC\[AES256_GCM,data:.+,type:str\]$/);
    const rest = lines.filter((_, index) => index !== hostLine - 1).join('\n');
    expect(changedLines(text, rest)).toEqual([lineOf(text, '    lastmodified:'), lineOf(text, '    mac:')]);
  });

  it('refuses to write a secret where the rules leave it in clear text', async () => {
    const key = await pgpDataKey(text);
    const change = [{ path: ['nested_unencrypted', 'this', 'is', 'all'], value: 'hunter2-secret' }];
    expect(() => updateSopsYaml(text, key, change, NOW)).toThrow(
      expect.objectContaining({ code: 'sops_would_be_clear_text' }),
    );
  });

  it('refuses a file whose MAC does not verify, naming no value', async () => {
    const key = await pgpDataKey(text);
    const tampered = text.replace(/^ {4}key: ENC\[.*\n/m, '');
    expect(verifyMac(tampered, key)).toBe('mismatch');
    const attempt = () => updateSopsYaml(tampered, key, [{ path: ['myapp1'], value: 'hunter2-secret' }], NOW);
    expect(attempt).toThrow(expect.objectContaining({ code: 'sops_mac_mismatch' }));
  });

  it('reports a wrong data key by path, never by value', async () => {
    const wrongKey = Buffer.alloc(32, 7);
    let caught: unknown;
    try {
      updateSopsYaml(text, wrongKey, [{ path: ['myapp1'], value: 'hunter2-secret' }], NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BotError);
    const error = caught as BotError;
    expect(error.code).toBe('sops_decrypt_failed');
    for (const message of [error.message, error.userMessage, error.detail ?? '']) {
      expect(message).not.toContain('hunter2-secret');
      expect(message).not.toContain('t00m4nys3cr3tzupdated');
    }
  });
});

describe('the sops codec on comments.enc.yaml', () => {
  const text = readVector('comments.enc.yaml');

  it('adds a top-level key just before `sops:`, which stays last', async () => {
    const key = await pgpDataKey(text);
    const updated = updateSopsYaml(text, key, [{ path: ['amet', 'consectetur'], value: 'adipiscing' }], NOW);
    const after = decryptSopsYaml(updated, key);
    expect([after.mac, valueAt(after.values, ['amet', 'consectetur'])]).toEqual(['verified', 'adipiscing']);
    const lines = updated.split('\n');
    const sopsIndex = lines.indexOf('sops:');
    expect(lines[sopsIndex - 2]).toBe('amet:');
    expect(lines[sopsIndex - 1]).toMatch(/^ {4}consectetur: ENC\[/);
    expect(after.comments.map((comment) => comment.text)).toEqual([
      ' first comment in file',
      ' this-is-a-comment',
    ]);
  });

  it('fills a key that has no value, and writes an empty string unencrypted as sops does', async () => {
    const key = await pgpDataKey(text);
    const emptied = text.replace(/^dolor: .*$/m, 'dolor:');
    expect(verifyMac(emptied, key)).toBe('mismatch');
    const filled = updateSopsYaml(emptied, key, [{ path: ['dolor'], value: 'sit amet' }], NOW, {
      ignoreMac: true,
    });
    expect(filled).toMatch(/^dolor: ENC\[AES256_GCM,.+,type:str\]$/m);
    const blank = updateSopsYaml(filled, key, [{ path: ['lorem'], value: '' }], NOW);
    expect(blank).toMatch(/^lorem: ""$/m);
    expect(decryptSopsYaml(blank, key)).toMatchObject({
      mac: 'verified',
      values: { lorem: '', dolor: 'sit amet' },
    });
  });
});
