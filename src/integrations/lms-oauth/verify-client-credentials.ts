import { BotError } from '../../errors.js';
import type { OAuthClientCredentials } from '../vault/credential-store.js';

export interface TokenGrant {
  tokenType?: string;
  expiresIn?: number;
}

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
  const url = `${host}/oauth2/access_token`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'tubular' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: credentials.id,
        client_secret: credentials.secret,
        token_type: 'jwt',
      }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new BotError({
      code: 'lms_unreachable',
      userMessage: timedOut
        ? `The LMS at ${host} did not answer within ${(options.timeoutMs ?? 15_000) / 1000} s.`
        : `The LMS at ${host} is unreachable.`,
      detail: String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name),
      retryable: true,
    });
  }
  const body = (await response.json().catch(() => undefined)) as
    | { access_token?: string; token_type?: string; expires_in?: number; error?: string }
    | undefined;
  if (response.ok && body?.access_token) {
    return { tokenType: body.token_type, expiresIn: body.expires_in };
  }
  if (body?.error === 'invalid_client') {
    throw new BotError({
      code: 'lms_credentials_rejected',
      userMessage: `The LMS at ${host} does not accept client id \`${credentials.id}\` with the stored secret (invalid_client: the id is unknown there or the secret is wrong).`,
    });
  }
  if (response.status >= 500) {
    throw new BotError({
      code: 'lms_server_error',
      userMessage: `The LMS at ${host} answered ${response.status} to the token request.`,
      retryable: true,
    });
  }
  throw new BotError({
    code: 'lms_host_mismatch',
    userMessage: `${host} did not answer like an Open edX LMS token endpoint (HTTP ${response.status}${body?.error ? `, ${body.error}` : ''}); check the host stored with the credentials.`,
  });
}
