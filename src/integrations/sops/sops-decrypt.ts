import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { BotError } from '../../errors.js';
import {
  clearMacBytes,
  isSopsCiphertext,
  macAdditionalData,
  openValue,
  type SopsScalar,
  typedPlaintext,
} from './sops-cipher.js';
import { commentTokens, parseSopsYaml, type SopsDocument, unsupported } from './sops-document.js';
import { type EncryptionRules, encryptionRules, type SopsMetadata } from './sops-metadata.js';

export type PlainValue = SopsScalar | null | PlainValue[] | { [key: string]: PlainValue };

/** `missing` is sops's "MAC mismatch. File has no MAC"; `mismatch` covers an undecryptable MAC too. */
export type MacStatus = 'verified' | 'missing' | 'mismatch';

export interface DecryptedComment {
  line: number;
  /** The key path whose mapping (or list) the comment was encrypted under; null if none opened it. */
  path: string[] | null;
  text: string | null;
}

export interface DecryptedSopsFile {
  values: Record<string, PlainValue>;
  comments: DecryptedComment[];
  metadata: SopsMetadata;
  mac: MacStatus;
}

/** A parsed file with every data leaf decrypted, and the MAC sops would compute over them. */
export interface OpenedSops extends SopsDocument {
  rules: EncryptionRules;
  plain: Map<Scalar, SopsScalar>;
  computedMac: string;
}

/**
 * sops.go's MACOnlyEncryptedInitialization, sha256("sops"): the first bytes hashed when
 * `mac_only_encrypted` is set, so the two kinds of MAC never coincide.
 */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

/** The additional data of a value: its key path joined with `:`, plus a trailing `:` (sops.go). */
export function additionalData(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

function decryptFailed(path: readonly string[], reason: string): BotError {
  return new BotError({
    code: 'sops_decrypt_failed',
    userMessage: `The sops value at \`${path.join('.')}\` could not be decrypted with the file's data key.`,
    detail: reason,
  });
}

/**
 * Tree.Decrypt in sops.go: walks the leaves in order, decrypts those the rules mark encrypted
 * (an empty string stays empty: Cipher.Decrypt's isEmpty), and hashes each leaf's bytes with
 * SHA-512 into the upper-case hex MAC. Comments are never hashed.
 */
export function openSops(text: string, dataKey: Buffer): OpenedSops {
  if (dataKey.length !== 32) {
    throw new BotError({
      code: 'sops_data_key_invalid',
      userMessage: 'A sops data key is 32 bytes (AES-256).',
    });
  }
  const document = parseSopsYaml(text);
  const rules = encryptionRules(document.metadata);
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const plain = new Map<Scalar, SopsScalar>();
  for (const { path, node } of document.leaves) {
    const encrypted = rules.encrypts(path);
    const raw = node.value;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw unsupported('The sops file holds a value of a type sops does not write.', path.join('.'));
    }
    let leaf: { value: SopsScalar; macBytes: Buffer };
    if (!encrypted) leaf = { value: raw, macBytes: clearMacBytes(raw) };
    else if (raw === '') leaf = { value: '', macBytes: Buffer.alloc(0) };
    else {
      if (!isSopsCiphertext(raw)) throw decryptFailed(path, 'the value is not in ENC[AES256_GCM,…] form');
      const opened = openValue(raw, dataKey, additionalData(path));
      if (!opened) throw decryptFailed(path, 'AES-GCM authentication failed');
      const typed = typedPlaintext(opened.type, opened.plain);
      if (!typed || opened.type === 'comment') throw decryptFailed(path, `unusable type:${opened.type}`);
      leaf = typed;
    }
    if (!rules.macOnlyEncrypted || encrypted) hash.update(leaf.macBytes);
    plain.set(node, leaf.value);
  }
  return { ...document, rules, plain, computedMac: hash.digest('hex').toUpperCase() };
}

/** DecryptTree in cmd/sops/common: the stored MAC is decrypted with `lastmodified` as additional data. */
export function macStatus(opened: OpenedSops, dataKey: Buffer): MacStatus {
  const stored = opened.metadata.mac;
  if (!stored) return 'missing';
  const decrypted = openValue(stored, dataKey, macAdditionalData(opened.metadata.lastmodified));
  return decrypted?.plain.toString('utf8') === opened.computedMac ? 'verified' : 'mismatch';
}

export function verifyMac(text: string, dataKey: Buffer): MacStatus {
  return macStatus(openSops(text, dataKey), dataKey);
}

export function decryptSopsYaml(text: string, dataKey: Buffer): DecryptedSopsFile {
  const opened = openSops(text, dataKey);
  return {
    values: plainTree(opened.root, opened, true) as Record<string, PlainValue>,
    comments: decryptComments(opened, dataKey),
    metadata: opened.metadata,
    mac: macStatus(opened, dataKey),
  };
}

function plainTree(node: unknown, opened: OpenedSops, top = false): PlainValue {
  if (isMap(node)) {
    const out: Record<string, PlainValue> = {};
    for (const pair of node.items) {
      if (top && pair.value === opened.sops) continue;
      out[String((pair.key as Scalar).value)] = plainTree(pair.value, opened);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => plainTree(item, opened));
  if (isScalar(node)) return opened.plain.get(node) ?? null;
  return null;
}

/**
 * Encrypted comments carry the path of the mapping (or list) sops filed them under, which
 * follows go-yaml's comment attachment; the enclosing paths of the neighbouring keys are tried
 * and the GCM tag tells which one it was. Comments that open under none are left as sops leaves
 * them (it warns and keeps them).
 */
function decryptComments(opened: OpenedSops, dataKey: Buffer): DecryptedComment[] {
  const sopsStart = opened.sops.range?.[0] ?? Number.POSITIVE_INFINITY;
  return commentTokens(opened.text)
    .filter((comment) => comment.offset < sopsStart || comment.offset > (opened.sops.range?.[2] ?? 0))
    .filter((comment) => isSopsCiphertext(comment.source.slice(1).trim()))
    .map((comment) => {
      const line = opened.text.slice(0, comment.offset).split('\n').length;
      const before = opened.keys.filter((key) => key.offset < comment.offset).at(-1)?.path ?? [];
      const after = opened.keys.find((key) => key.offset > comment.offset)?.path ?? [];
      const candidates = new Map<string, string[]>();
      for (const path of [before, after.slice(0, -1)]) {
        for (let length = path.length; length >= 0; length--) {
          candidates.set(additionalData(path.slice(0, length)), path.slice(0, length));
        }
      }
      for (const [ad, path] of candidates) {
        const result = openValue(comment.source.slice(1).trim(), dataKey, ad);
        if (result?.type === 'comment') return { line, path, text: result.plain.toString('utf8') };
      }
      return { line, path: null, text: null };
    });
}
