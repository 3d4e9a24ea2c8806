import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  formatGoFloat,
  formatLastModified,
  macAdditionalData,
  openValue,
  sealString,
  typedPlaintext,
} from '../../../src/integrations/sops/sops-cipher.js';
import { pgpDataKey, readVector } from './vectors.js';

describe('the sops value cipher', () => {
  it('opens a value sops wrote, with its key path plus `:` as additional data and nothing else', async () => {
    const text = readVector('example.yaml');
    const key = await pgpDataKey(text);
    const { myapp1 } = parse(text) as { myapp1: string };
    expect(openValue(myapp1, key, 'myapp1:')?.plain.toString()).toBe('t00m4nys3cr3tzupdated');
    expect(openValue(myapp1, key, 'myapp1')).toBeUndefined();
    expect(openValue(myapp1, Buffer.alloc(32), 'myapp1:')).toBeUndefined();
  });

  it('seals strings with a fresh 32-byte IV each time, as type:str', () => {
    const key = Buffer.alloc(32, 1);
    const [first, second] = [sealString('same', key, 'a:'), sealString('same', key, 'a:')];
    expect(first).not.toBe(second);
    const iv = /,iv:([^,]+),/.exec(first)?.[1] ?? '';
    expect(Buffer.from(iv, 'base64')).toHaveLength(32);
    expect(first).toMatch(/,type:str\]$/);
    expect(openValue(first, key, 'a:')?.plain.toString()).toBe('same');
  });

  it('feeds the MAC the bytes sops.ToBytes gives each decrypted type', () => {
    const macText = (type: string, plain: string) =>
      typedPlaintext(type, Buffer.from(plain))?.macBytes.toString();
    expect(macText('int', '+007')).toBe('7');
    expect(macText('float', '1234.5678e6')).toBe('1234567800');
    expect(macText('float', '0.5')).toBe('0.5');
    expect(macText('bool', 'true')).toBe('True');
    expect(macText('bool', 'F')).toBe('False');
    expect(macText('str', 'as is ')).toBe('as is ');
    expect(typedPlaintext('int', Buffer.from('1.5'))).toBeUndefined();
    expect(typedPlaintext('unknown', Buffer.from('x'))).toBeUndefined();
  });

  it("formats floats as strconv.FormatFloat(v, 'f', -1, 64)", () => {
    expect([1e21, 1.5e-7, -0, 123456789.125, 0.1, Number.POSITIVE_INFINITY].map(formatGoFloat)).toEqual([
      '1000000000000000000000',
      '0.00000015',
      '-0',
      '123456789.125',
      '0.1',
      '+Inf',
    ]);
  });

  it('writes and reads lastmodified as time.RFC3339 does', () => {
    expect(formatLastModified(new Date('2026-09-01T12:34:56.789Z'))).toBe('2026-09-01T12:34:56Z');
    expect(macAdditionalData('2026-09-01T12:34:56.5+00:00')).toBe('2026-09-01T12:34:56Z');
    expect(macAdditionalData('2026-09-01T14:34:56+02:00')).toBe('2026-09-01T14:34:56+02:00');
    expect(() => macAdditionalData('yesterday')).toThrow(
      expect.objectContaining({ code: 'sops_metadata_invalid' }),
    );
  });
});
