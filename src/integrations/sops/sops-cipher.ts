import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BotError } from '../../errors.js';

/**
 * The value format of sops's aes/cipher.go: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM
 * with a 32-byte IV (nonceSize), the 16-byte tag split off the sealed output, and the caller's
 * additional data (the key path, or `lastmodified` for the MAC).
 */
const ENCRYPTED = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const IV_BYTES = 32;
const TAG_BYTES = 16;

export type SopsScalar = string | number | boolean;

interface Sealed {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

export function isSopsCiphertext(value: unknown): value is string {
  return typeof value === 'string' && ENCRYPTED.test(value);
}

function parseSealed(value: string): Sealed | undefined {
  const match = ENCRYPTED.exec(value);
  if (!match) return undefined;
  const [, data = '', iv = '', tag = '', type = ''] = match;
  return {
    data: Buffer.from(data, 'base64'),
    iv: Buffer.from(iv, 'base64'),
    tag: Buffer.from(tag, 'base64'),
    type,
  };
}

/**
 * Opens one ENC[…] string; undefined when it is not in sops's format or the tag does not
 * authenticate (wrong key or wrong additional data), which callers turn into their own errors.
 */
export function openValue(
  value: string,
  key: Buffer,
  additionalData: string,
): { plain: Buffer; type: string } | undefined {
  const sealed = parseSealed(value);
  if (!sealed || sealed.tag.length !== TAG_BYTES || sealed.iv.length === 0) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    const plain = Buffer.concat([decipher.update(sealed.data), decipher.final()]);
    return { plain, type: sealed.type };
  } catch {
    return undefined;
  }
}

/** Cipher.Encrypt for a string: a fresh random IV each time, `type:str`. */
export function sealString(value: string, key: Buffer, additionalData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const parts = [data, iv, cipher.getAuthTag()].map((part) => part.toString('base64'));
  return `ENC[AES256_GCM,data:${parts[0]},iv:${parts[1]},tag:${parts[2]},type:str]`;
}

const GO_BOOLS: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

/**
 * A decrypted leaf as Cipher.Decrypt types it, and the bytes sops.ToBytes feeds the MAC for it:
 * ints and floats go through strconv and back, booleans become `True`/`False` (as the Python
 * sops wrote them), strings, bytes and times are hashed as they were encrypted.
 */
export function typedPlaintext(
  type: string,
  plain: Buffer,
): { value: SopsScalar; macBytes: Buffer } | undefined {
  const text = plain.toString('utf8');
  switch (type) {
    case 'str':
    case 'bytes':
    case 'time':
    case 'comment':
      return { value: text, macBytes: plain };
    case 'int':
      if (!/^[+-]?\d+$/.test(text)) return undefined;
      return { value: Number(text), macBytes: Buffer.from(BigInt(text).toString()) };
    case 'float': {
      const number = parseGoFloat(text);
      return number === undefined
        ? undefined
        : { value: number, macBytes: Buffer.from(formatGoFloat(number)) };
    }
    case 'bool': {
      const flag = GO_BOOLS[text];
      return flag === undefined ? undefined : { value: flag, macBytes: Buffer.from(flag ? 'True' : 'False') };
    }
    default:
      return undefined;
  }
}

/** The bytes sops.ToBytes gives a value that was never encrypted (an `_unencrypted` leaf). */
export function clearMacBytes(value: SopsScalar): Buffer {
  if (typeof value === 'boolean') return Buffer.from(value ? 'True' : 'False');
  if (typeof value === 'number') return Buffer.from(formatGoFloat(value));
  return Buffer.from(value, 'utf8');
}

function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest round-tripping digits, never an exponent. */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const text = Object.is(value, -0) ? '-0' : String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', first = '', rest = '', exponent = '0'] = match;
  const digits = first + rest;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** time.Time.Format(time.RFC3339) of a UTC instant: whole seconds and `Z`, as sops writes `lastmodified`. */
export function formatLastModified(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The MAC's additional data: sops parses `lastmodified` with time.RFC3339 and formats it again,
 * which drops fractional seconds and writes a zero offset as `Z`.
 */
export function macAdditionalData(lastModified: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(lastModified);
  if (!match) {
    throw new BotError({
      code: 'sops_metadata_invalid',
      userMessage: 'The `sops.lastmodified` of the sops file is not an RFC 3339 time.',
    });
  }
  const zone = match[2] === 'Z' || /^[+-]00:00$/.test(match[2] ?? '') ? 'Z' : match[2];
  return `${match[1]}${zone}`;
}
