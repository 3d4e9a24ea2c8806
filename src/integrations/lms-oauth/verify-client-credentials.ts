import { setTimeout as sleep } from 'node:timers/promises';
import { BotError } from '../../errors.js';
import type { OAuthClientCredentials } from '../vault/credential-store.js';
import { readTokenAnswer, type TokenAnswer, type TokenGrant, tokenAnswerError } from './token-answer.js';

export type { TokenGrant } from './token-answer.js';

/**
 * A Retry-After up to this long is waited out here; a longer one is left to the run queue's
 * backoff, so a rate-limited LMS cannot hold a worker slot for minutes.
 */
const MAX_RETRY_AFTER_SECONDS = 30;
const RATE_LIMIT_WAITS = 2;

/**
 * Requests a token exactly as tubular does (domain.md C.2): a form-encoded client-credentials
 * grant to <host>/oauth2/access_token asking for a JWT. A token proves the id, the secret and the
 * host belong together. The token itself is dropped at once.
 */
export async function verifyClientCredentials(
  credentials: OAuthClientCredentials,
  options: { timeoutMs?: number } = {},
): Promise<TokenGrant> {
  const host = credentials.host.replace(/\/+$/, '');
  for (let waits = 0; ; waits++) {
    const answer = await requestToken(credentials, host, options.timeoutMs ?? 15_000);
    if (answer.kind === 'token') return answer.grant;
    const wait = answer.kind === 'rate-limited' ? answer.retryAfterSeconds : undefined;
    if (wait !== undefined && wait <= MAX_RETRY_AFTER_SECONDS && waits < RATE_LIMIT_WAITS) {
      await sleep(wait * 1000);
      continue;
    }
    throw tokenAnswerError(answer, { host, clientId: credentials.id });
  }
}

async function requestToken(
  credentials: OAuthClientCredentials,
  host: string,
  timeoutMs: number,
): Promise<TokenAnswer> {
  try {
    const response = await fetch(`${host}/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'tubular' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.id,
        client_secret: credentials.secret,
        token_type: 'jwt',
      }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return readTokenAnswer(response, await response.text());
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new BotError({
      code: 'lms_unreachable',
      userMessage: timedOut
        ? `The LMS at ${host} did not answer within ${timeoutMs / 1000} s.`
        : `The LMS at ${host} is unreachable.`,
      detail: String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name),
      retryable: true,
    });
  }
}
