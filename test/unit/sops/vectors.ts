import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { parse } from 'yaml';

/** Real sops outputs, read where CI mounts them (beside the repo, read-only); never copied in. */
export const VECTORS = resolve(import.meta.dirname, '../../../../shared/sops-vectors');

export function readVector(name: string): string {
  return readFileSync(resolve(VECTORS, name), 'utf8');
}

/** The data key of a vector, from its `sops.pgp[]` entry for sops's own functional-test key. */
export async function pgpDataKey(text: string): Promise<Buffer> {
  const decryptionKeys = await openpgp.readPrivateKeys({
    armoredKeys: readVector('sops_functional_tests_key.asc'),
  });
  const fingerprint = decryptionKeys[0]?.getFingerprint().toUpperCase();
  const entries = (parse(text) as { sops: { pgp: { fp: string; enc: string }[] } }).sops.pgp;
  const entry = entries.find((candidate) => candidate.fp === fingerprint);
  if (!entry) throw new Error('no pgp entry for the functional-test key');
  const message = await openpgp.readMessage({ armoredMessage: entry.enc });
  const { data } = await openpgp.decrypt({ message, decryptionKeys, format: 'binary' });
  return Buffer.from(data);
}

/** The 1-based numbers of the lines that differ, for files with the same number of lines. */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error(`line count changed: ${a.length} → ${b.length}`);
  return a.flatMap((line, index) => (line === b[index] ? [] : [index + 1]));
}

/** The 1-based line number where a key (with its indentation) first appears. */
export function lineOf(text: string, prefix: string): number {
  const index = text.split('\n').findIndex((line) => line.startsWith(prefix));
  if (index === -1) throw new Error(`no line starts with ${JSON.stringify(prefix)}`);
  return index + 1;
}
