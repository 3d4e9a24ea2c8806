import { randomInt } from 'node:crypto';

/**
 * django-oauth-toolkit's generators (oauth2_provider/generators.py over oauthlib's
 * generate_client_id with UNICODE_ASCII_CHARACTER_SET): 40 characters for a client id, 128 for a
 * secret, each drawn uniformly from letters and digits by a cryptographic generator.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const CLIENT_ID_LENGTH = 40;
export const CLIENT_SECRET_LENGTH = 128;

function randomString(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export function generateClientId(): string {
  return randomString(CLIENT_ID_LENGTH);
}

export function generateClientSecret(): string {
  return randomString(CLIENT_SECRET_LENGTH);
}
