import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmsOAuthEmulator } from '../../../emulators/lms-oauth/lms-oauth-emulator.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import { rejection } from '../../support/rejection.js';

/** verifyClientCredentials against the LMS emulator, one token-request failure at a time. */
const SECRET = 'zq9-client-secret-4b1e7d02c6a8f35e91';
let lms: LmsOAuthEmulator;

beforeEach(async () => {
  lms = await LmsOAuthEmulator.start();
  lms.registerClient('client-abc', SECRET);
});
afterEach(async () => {
  await lms.stop();
});

const credentials = (overrides: { id?: string; secret?: string } = {}) => ({
  id: 'client-abc',
  secret: SECRET,
  host: lms.url,
  ...overrides,
});

describe('verifyClientCredentials tells token-request failures apart', () => {
  it('401 invalid_client: the id or the secret', async () => {
    for (const wrong of [{ secret: 'wrong-secret' }, { id: 'unknown-client' }]) {
      const error = await rejection(verifyClientCredentials(credentials(wrong)));
      expect(error).toMatchObject({ code: 'lms_credentials_rejected', retryable: false });
      expect(error.userMessage).toContain('invalid_client');
      expect(error.message).not.toContain('wrong-secret');
    }
  });

  it('400 unauthorized_client: an application of another grant type', async () => {
    lms.registerClient('web-app', 'web-secret', 'authorization-code');
    const error = await rejection(
      verifyClientCredentials(credentials({ id: 'web-app', secret: 'web-secret' })),
    );
    expect(error).toMatchObject({ code: 'lms_grant_type_not_allowed', retryable: false });
    expect(error.userMessage).toContain('client id `web-app`');
    expect(error.userMessage).toContain('grant type to "Client credentials"');
  });

  it("403 from Open edX's rate limiter: retryable", async () => {
    lms.limitTokenRequests({ requests: 0, windowSeconds: 60, status: 403 });
    const error = await rejection(verifyClientCredentials(credentials()));
    expect(error).toMatchObject({ code: 'lms_rate_limited', retryable: true });
    expect(error.userMessage).toContain('HTTP 403');
  });

  it('429 with a short Retry-After: waited out, then the token', async () => {
    lms.limitTokenRequests({ requests: 1, windowSeconds: 1, status: 429, retryAfter: true });
    await verifyClientCredentials(credentials());
    const started = Date.now();
    expect(await verifyClientCredentials(credentials())).toMatchObject({ tokenType: 'JWT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(lms.requests).toHaveLength(3);
  });

  it('429 with a long Retry-After: left to the queue, quoting the wait', async () => {
    lms.limitTokenRequests({ requests: 0, windowSeconds: 120, status: 429, retryAfter: true });
    const error = await rejection(verifyClientCredentials(credentials()));
    expect(error).toMatchObject({ code: 'lms_rate_limited', retryable: true });
    expect(error.userMessage).toContain('HTTP 429, asking to wait 120 s');
    expect(lms.requests).toHaveLength(1);
  });

  it('5xx: the server, not the credentials; retryable', async () => {
    for (const status of [500, 502, 503]) {
      lms.failWithServerErrors(true, status);
      const error = await rejection(verifyClientCredentials(credentials()));
      expect(error).toMatchObject({ code: 'lms_server_error', retryable: true });
      expect(error.userMessage).toContain(`HTTP ${status}`);
    }
  });

  it('a host with no token endpoint: check lmsUrl', async () => {
    lms.actAsOtherServer(true);
    const error = await rejection(verifyClientCredentials(credentials()));
    expect(error).toMatchObject({ code: 'lms_host_mismatch', retryable: false });
    expect(error.userMessage).toContain('has no Open edX token endpoint');
    expect(error.userMessage).toContain('HTTP 404');
    expect(error.userMessage).toContain('lmsUrl');
    expect(error.detail).toBe('HTTP 404 text/html');
  });
});
