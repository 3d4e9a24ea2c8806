import { describe, expect, it } from 'vitest';
import {
  readTokenAnswer,
  retryAfterSeconds,
  tokenAnswerError,
} from '../../../src/integrations/lms-oauth/token-answer.js';

const HTML = '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n</html>\n';
const context = { host: 'https://lms.example.com', clientId: 'client-abc' };

function answer(status: number, body: string, headers: Record<string, string> = {}) {
  return readTokenAnswer({ status, headers: new Headers(headers) }, body, Date.parse('2026-01-01T00:00:00Z'));
}

describe('the LMS token answer', () => {
  it('tells oauthlib errors, the rate limiter, server errors and other servers apart', () => {
    expect(answer(200, '{"access_token":"t","expires_in":36000,"token_type":"JWT"}')).toEqual({
      kind: 'token',
      grant: { tokenType: 'JWT', expiresIn: 36000 },
    });
    expect(answer(401, '{"error": "invalid_client"}')).toMatchObject({
      kind: 'oauth-error',
      error: 'invalid_client',
    });
    expect(answer(400, '{"error": "unauthorized_client"}')).toMatchObject({ error: 'unauthorized_client' });
    expect(answer(429, HTML)).toEqual({ kind: 'rate-limited', status: 429, retryAfterSeconds: undefined });
    expect(answer(403, HTML, { 'retry-after': '7' })).toMatchObject({
      kind: 'rate-limited',
      retryAfterSeconds: 7,
    });
    expect(answer(503, '{"error": "temporarily_unavailable"}')).toEqual({
      kind: 'server-error',
      status: 503,
    });
    expect(answer(502, HTML)).toEqual({ kind: 'server-error', status: 502 });
    expect(answer(404, HTML, { 'content-type': 'text/html; charset=utf-8' })).toEqual({
      kind: 'no-token-endpoint',
      status: 404,
      contentType: 'text/html',
      location: undefined,
    });
    expect(answer(404, '{"error": "not_found"}')).toMatchObject({ kind: 'no-token-endpoint' });
    expect(answer(200, '<html>a single-page app</html>')).toMatchObject({
      kind: 'no-token-endpoint',
      status: 200,
    });
    expect(answer(301, '', { location: 'https://lms.example.com/oauth2/access_token/' })).toMatchObject({
      kind: 'no-token-endpoint',
      location: 'https://lms.example.com/oauth2/access_token/',
    });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('gives each case its own code, telling the operator what to do', () => {
    const error = (status: number, body: string, headers?: Record<string, string>) => {
      const read = answer(status, body, headers);
      if (read.kind === 'token') throw new Error('a token');
      return tokenAnswerError(read, context);
    };
    expect(error(401, '{"error": "invalid_client"}')).toMatchObject({
      code: 'lms_credentials_rejected',
      retryable: false,
    });
    const grant = error(400, '{"error": "unauthorized_client"}');
    expect(grant.code).toBe('lms_grant_type_not_allowed');
    expect(grant.userMessage).toContain('--grant-type client-credentials');
    const limited = error(429, HTML, { 'retry-after': '90' });
    expect(limited).toMatchObject({ code: 'lms_rate_limited', retryable: true });
    expect(limited.userMessage).toContain('asking to wait 90 s');
    expect(error(403, HTML).userMessage).toContain('403 is how Open edX rate-limits');
    expect(error(500, HTML)).toMatchObject({ code: 'lms_server_error', retryable: true });
    const host = error(404, HTML);
    expect(host).toMatchObject({ code: 'lms_host_mismatch', retryable: false });
    expect(host.userMessage).toContain("Check the environment's lmsUrl");
  });

  it('quotes any other OAuth error as one bounded line', () => {
    const read = answer(
      400,
      JSON.stringify({ error: 'invalid_scope', error_description: `bad\nscope ${'x'.repeat(300)}` }),
    );
    if (read.kind === 'token') throw new Error('a token');
    const error = tokenAnswerError(read, context);
    expect(error.code).toBe('lms_token_refused');
    expect(error.userMessage).toContain('(invalid_scope: bad scope xxx');
    expect(error.userMessage).not.toContain('\n');
    expect(error.userMessage).toContain('x…');
  });
});
