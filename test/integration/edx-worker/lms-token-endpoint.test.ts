import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker, EdxWorkerHost } from '../../../emulators/edx-worker/edx-worker-host.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import { rejection } from '../../support/rejection.js';

/**
 * verifyClientCredentials against the simulated LMS: real django-oauth-toolkit behind a per-IP
 * limit, with Open edX's handler403 turning a rate-limit refusal into its 429 page.
 */
let host: EdxWorkerHost;

beforeAll(async () => {
  if (canHostEdxWorker()) host = await EdxWorkerHost.start({ tokenRateLimit: '6/m' });
}, 60_000);
afterAll(async () => {
  await host?.stop();
});

describe.skipIf(!canHostEdxWorker())('the simulated LMS token endpoint', () => {
  it('answers an application of another grant type with unauthorized_client, a wrong secret with invalid_client', async () => {
    const app = await host.addApplication('someone_else', 'web-login', 'authorization-code');
    const credentials = { id: app.clientId, secret: app.clientSecret, host: host.lmsUrl };
    expect(await rejection(verifyClientCredentials(credentials))).toMatchObject({
      code: 'lms_grant_type_not_allowed',
    });
    expect(await rejection(verifyClientCredentials({ ...credentials, secret: 'not-it' }))).toMatchObject({
      code: 'lms_credentials_rejected',
    });
  });

  it('has no token endpoint under another path', async () => {
    const error = await rejection(
      verifyClientCredentials({ id: 'x', secret: 'y', host: `${host.lmsUrl}/courses` }),
    );
    expect(error).toMatchObject({ code: 'lms_host_mismatch', detail: 'HTTP 404 text/html' });
  });

  it('rate-limits token requests with a retryable 429', async () => {
    let error: Awaited<ReturnType<typeof rejection>> | undefined;
    for (let attempt = 0; attempt < 14 && error?.code !== 'lms_rate_limited'; attempt++) {
      error = await rejection(verifyClientCredentials({ id: 'x', secret: 'y', host: host.lmsUrl }));
    }
    expect(error).toMatchObject({ code: 'lms_rate_limited', retryable: true });
    expect(error?.userMessage).toContain('HTTP 429');
  });
});
