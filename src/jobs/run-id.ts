import { randomBytes } from 'node:crypto';

/** Run ids are short enough to type in `/retirement cancel <run-id>` and safe in Redis keys. */
export const RUN_ID_PATTERN = /^r[0-9a-z]{10}$/;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newRunId(): string {
  const bytes = randomBytes(10);
  return `r${[...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]).join('')}`;
}
