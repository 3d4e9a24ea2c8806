import { z } from 'zod';
import { BotError } from '../../errors.js';

export interface TokenGrant {
  tokenType?: string;
  expiresIn?: number;
}

/** What the LMS's answer to a token request means, before it is worded for people. */
export type TokenAnswer =
  | { kind: 'token'; grant: TokenGrant }
  | { kind: 'oauth-error'; status: number; error: string; description?: string }
  | { kind: 'rate-limited'; status: number; retryAfterSeconds?: number }
  | { kind: 'server-error'; status: number }
  | { kind: 'no-token-endpoint'; status: number; contentType: string; location?: string };

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
});

/** RFC 6749 §5.2, as oauthlib (under django-oauth-toolkit's TokenView) writes it. */
const oauthErrorSchema = z.object({ error: z.string().min(1), error_description: z.string().optional() });

/**
 * Reads an answer from POST /oauth2/access_token. An OAuth error body proves a token endpoint
 * answered; without one the status decides, since rate limiters, proxies and other servers
 * answer with HTML pages.
 */
export function readTokenAnswer(
  response: { status: number; headers: Headers },
  text: string,
  now = Date.now(),
): TokenAnswer {
  const { status, headers } = response;
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    const token = tokenSchema.safeParse(body);
    if (token.success) {
      return { kind: 'token', grant: { tokenType: token.data.token_type, expiresIn: token.data.expires_in } };
    }
  }
  // oauthlib answers 500 server_error and 503 temporarily_unavailable itself: still the server's fault.
  if (status >= 500) return { kind: 'server-error', status };
  const oauthError = oauthErrorSchema.safeParse(body);
  // §5.2 allows only these two; a 404 with an `error` field is some other API.
  if (oauthError.success && (status === 400 || status === 401)) {
    return {
      kind: 'oauth-error',
      status,
      error: oauthError.data.error,
      description: oauthError.data.error_description,
    };
  }
  // Open edX's limiter (django-ratelimit on AccessTokenView) raises PermissionDenied: a 403 page, or
  // 429 where handler403 renders the rate-limit page; DOT itself never answers 403 on this endpoint.
  if (status === 429 || status === 403) {
    return {
      kind: 'rate-limited',
      status,
      retryAfterSeconds: retryAfterSeconds(headers.get('retry-after'), now),
    };
  }
  return {
    kind: 'no-token-endpoint',
    status,
    contentType: headers.get('content-type')?.split(';')[0]?.trim() || 'no content type',
    location: headers.get('location') ?? undefined,
  };
}

/** Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The BotError for every answer but a token: each says what the operator should do. */
export function tokenAnswerError(
  answer: Exclude<TokenAnswer, { kind: 'token' }>,
  context: { host: string; clientId: string },
): BotError {
  const { host, clientId } = context;
  switch (answer.kind) {
    case 'oauth-error':
      return oauthError(answer, host, clientId);
    case 'rate-limited': {
      const wait =
        answer.retryAfterSeconds === undefined ? '' : `, asking to wait ${answer.retryAfterSeconds} s`;
      const why =
        answer.status === 403
          ? ' (403 is how Open edX rate-limits /oauth2/access_token where no 429 page is configured)'
          : '';
      return new BotError({
        code: 'lms_rate_limited',
        userMessage: `The LMS at ${host} is rate-limiting token requests (HTTP ${answer.status}${wait})${why}. The bot retries with backoff; if it persists, other clients behind the bot's address are using up the LMS's RATELIMIT_RATE.`,
        detail: `HTTP ${answer.status}`,
        retryable: true,
      });
    }
    case 'server-error':
      return new BotError({
        code: 'lms_server_error',
        userMessage: `The LMS at ${host} failed with HTTP ${answer.status} on the token request; this is the server's fault, not the credentials'. The bot retries with backoff; if it persists, check the LMS's health and logs.`,
        detail: `HTTP ${answer.status}`,
        retryable: true,
      });
    case 'no-token-endpoint': {
      const redirect = answer.location ? `, redirecting to ${printable(answer.location)}` : '';
      return new BotError({
        code: 'lms_host_mismatch',
        userMessage: `${host} has no Open edX token endpoint: POST /oauth2/access_token answered HTTP ${answer.status}${redirect} without an OAuth answer. Check the environment's lmsUrl in the catalog (it is stored with the credentials as host).`,
        detail: `HTTP ${answer.status} ${answer.contentType}`,
      });
    }
  }
}

function oauthError(
  answer: Extract<TokenAnswer, { kind: 'oauth-error' }>,
  host: string,
  clientId: string,
): BotError {
  const detail = `HTTP ${answer.status} ${answer.error}`;
  if (answer.error === 'invalid_client') {
    return new BotError({
      code: 'lms_credentials_rejected',
      userMessage: `The LMS at ${host} does not accept client id \`${clientId}\` with the stored secret (invalid_client: the id is unknown there or the secret is wrong). Check that Vault holds the credentials of this LMS's application; running setup again re-reads them from the LMS.`,
      detail,
    });
  }
  if (answer.error === 'unauthorized_client') {
    return new BotError({
      code: 'lms_grant_type_not_allowed',
      userMessage: `The LMS at ${host} knows client id \`${clientId}\`, but its application may not use the client-credentials grant (unauthorized_client). Set the application's authorization grant type to "Client credentials" in the LMS's Django admin, or run create_dot_application with --grant-type client-credentials --update.`,
      detail,
    });
  }
  const description = answer.description ? `: ${printable(answer.description)}` : '';
  return new BotError({
    code: 'lms_token_refused',
    userMessage: `The LMS at ${host} refused the client-credentials request for \`${clientId}\` (${printable(answer.error)}${description}); the bot asks exactly as tubular does, so the LMS's OAuth setup differs from Open edX's.`,
    detail,
  });
}

/** Server-chosen text, made safe to quote: one line, bounded. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const line = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
