import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const VECTORS = resolve(import.meta.dirname, '../../../../shared/sops-vectors');
export const MIT_FILE = readFileSync(resolve(VECTORS, 'mit-operations.qa.yaml'), 'utf8');
export const LAST_MODIFIED = '2026-04-10T16:43:53Z';

/**
 * Seals a value as sops does, written here apart from the codec so that the fixture checks it:
 * AES-256-GCM, a 32-byte IV, the key path joined with `:` plus `:` as additional data.
 */
function seal(plain: string, type: string, key: Buffer, additionalData: string): string {
  const iv = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const [d, i, t] = [data, iv, cipher.getAuthTag()].map((part) => part.toString('base64'));
  return `ENC[AES256_GCM,data:${d},iv:${i},tag:${t},type:${type}]`;
}

export interface MitLayout {
  text: string;
  /** Every leaf's key path and plaintext, in file order. */
  leaves: { path: string[]; plain: string | number }[];
}

/**
 * MIT's operations.qa.yaml line for line (its keys, order, indentation, `---`, sops block and
 * KMS entry), with every value replaced by a made-up plaintext sealed under `dataKey`, the
 * hc_vault entry pointing at `vaultAddress` with `wrappedKey`, and a MAC computed the sops way:
 * SHA-512 over the plaintexts in file order, upper-case hex, sealed with `lastmodified`.
 */
export function mitLayout(dataKey: Buffer, wrappedKey: string, vaultAddress: string): MitLayout {
  const leaves: MitLayout['leaves'] = [];
  const hash = createHash('sha512');
  const stack: string[] = [];
  const lines = MIT_FILE.split('\n');
  const sopsLine = lines.indexOf('sops:');
  const data = lines.slice(0, sopsLine).map((line) => {
    const match = /^( *)([^:#][^:]*):(?: (ENC\[AES256_GCM,.*,type:(\w+)\]))?$/.exec(line);
    if (!match) return line;
    const [, indent = '', key = '', encrypted, type = 'str'] = match;
    stack.length = indent.length / 2;
    stack.push(key);
    if (!encrypted) return line;
    const plain = type === 'int' ? 5400 + leaves.length : `fake:${stack.join('.')}`;
    leaves.push({ path: [...stack], plain });
    hash.update(String(plain));
    return `${indent}${key}: ${seal(String(plain), type, dataKey, `${stack.join(':')}:`)}`;
  });
  const mac = seal(hash.digest('hex').toUpperCase(), 'str', dataKey, LAST_MODIFIED);
  const metadata = lines.slice(sopsLine).map((line) =>
    line
      .replace(/^( {4}enc: )vault:v1:.*$/, `$1${wrappedKey}`)
      .replace(/^( {4}vault_address: ).*$/, `$1${vaultAddress}`)
      .replace(/^( {2}lastmodified: ).*$/, `$1"${LAST_MODIFIED}"`)
      .replace(/^( {2}mac: ).*$/, `$1${mac}`),
  );
  return { text: [...data, ...metadata].join('\n'), leaves };
}
