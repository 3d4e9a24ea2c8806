import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  type Capability,
  envelope,
  type KvRequest,
  PERMISSION_DENIED,
  type Send,
  UNSUPPORTED_OPERATION,
} from './vault-http.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const UNSUPPORTED_PATH = { errors: ['1 error occurred:\n\t* unsupported path\n\n'] };

/**
 * The transit engine for aes256-gcm96 keys, as builtin/logical/transit path_encrypt.go and
 * path_decrypt.go answer, with sdk/helper/keysutil's ciphertext: `vault:v<version>:` and base64
 * of the 12-byte nonce, the sealed bytes and the 16-byte tag. Encrypting with a key that does not
 * exist creates it (the upsert) when the token may `create` there; otherwise both need `update`.
 */
export class TransitEngine {
  /** Key versions by `<mount>/<name>`; version n is index n - 1. */
  private readonly keys = new Map<string, Buffer[]>();

  createKey(mount: string, name: string): void {
    if (!this.keys.has(`${mount}/${name}`)) this.keys.set(`${mount}/${name}`, [randomBytes(32)]);
  }

  handle(request: KvRequest, send: Send) {
    const { method, mount, rest, body } = request;
    const [operation = '', name = '', ...extra] = rest.split('/');
    if (!['encrypt', 'decrypt'].includes(operation) || !name || extra.length > 0) {
      return send(404, UNSUPPORTED_PATH);
    }
    if (method !== 'POST') return send(405, UNSUPPORTED_OPERATION);
    const versions = this.keys.get(`${mount}/${name}`);
    const capability: Capability = operation === 'encrypt' && !versions ? 'create' : 'update';
    if (!request.can(`${mount}/${operation}/${name}`, capability)) return send(403, PERMISSION_DENIED);
    if (operation === 'encrypt') return this.encrypt(mount, name, body, send);
    if (typeof body.ciphertext !== 'string' || body.ciphertext === '') {
      return send(400, { errors: ['missing ciphertext to decrypt'] });
    }
    if (!versions) return send(400, { errors: ['encryption key not found'] });
    const result = decrypt(versions, body.ciphertext);
    return 'error' in result ? send(400, { errors: [result.error] }) : send(200, envelope(result));
  }

  private encrypt(mount: string, name: string, body: Record<string, unknown>, send: Send) {
    if (body.plaintext === undefined) return send(400, { errors: ['missing plaintext to encrypt'] });
    const plaintext = decodeStdBase64(String(body.plaintext));
    if (typeof plaintext === 'number') {
      return send(400, { errors: [`illegal base64 data at input byte ${plaintext}`] });
    }
    this.createKey(mount, name);
    const versions = this.keys.get(`${mount}/${name}`) as Buffer[];
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', versions.at(-1) as Buffer, nonce);
    const sealed = Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    send(
      200,
      envelope({
        ciphertext: `vault:v${versions.length}:${sealed.toString('base64')}`,
        key_version: versions.length,
      }),
    );
  }
}

/** Policy.Decrypt in keysutil/policy.go, with its user errors' texts. */
function decrypt(versions: Buffer[], ciphertext: string): { plaintext: string } | { error: string } {
  if (!ciphertext.startsWith('vault:v')) return { error: 'invalid ciphertext: no prefix' };
  const rest = ciphertext.slice('vault:v'.length);
  const colon = rest.indexOf(':');
  if (colon === -1) return { error: 'invalid ciphertext: wrong number of fields' };
  const versionText = rest.slice(0, colon);
  if (!/^[+-]?\d+$/.test(versionText))
    return { error: 'invalid ciphertext: version number could not be decoded' };
  const version = Math.max(Number(versionText), 1);
  if (version > versions.length) return { error: 'invalid ciphertext: version is too new' };
  const decoded = decodeStdBase64(rest.slice(colon + 1));
  if (typeof decoded === 'number') return { error: 'invalid ciphertext: could not decode base64' };
  if (decoded.length < NONCE_BYTES + TAG_BYTES) return { error: 'invalid ciphertext length' };
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      versions[version - 1] as Buffer,
      decoded.subarray(0, NONCE_BYTES),
    );
    decipher.setAuthTag(decoded.subarray(decoded.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(decoded.subarray(NONCE_BYTES, decoded.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return { plaintext: plain.toString('base64') };
  } catch {
    return { error: 'cipher: message authentication failed' };
  }
}

/**
 * Go's base64.StdEncoding.DecodeString: padded, no stray characters. A failure is the byte offset
 * Go reports (the first bad character, or where an incomplete final quantum starts).
 */
function decodeStdBase64(text: string): Buffer | number {
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) return bad;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  const padding = text.indexOf('=');
  if (padding !== -1 && (padding < text.length - 2 || /[^=]/.test(text.slice(padding)))) return padding;
  return Buffer.from(text, 'base64');
}
