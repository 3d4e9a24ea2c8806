import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker, EdxWorkerHost } from '../../../emulators/edx-worker/edx-worker-host.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import { rejection } from '../../support/rejection.js';
import { basicAuthTokenStatus, makeWorker, sshAsLoginUser } from './ssh-as-login-user.js';

/**
 * The simulated LMS's modes: DOT 2's hashed client secrets, and LOGGING that keeps the
 * management commands quiet. Both switch per instance between commands, with sshd running on.
 */
let host: EdxWorkerHost;
let ssh: Awaited<ReturnType<typeof sshAsLoginUser>>;

beforeAll(async () => {
  if (!canHostEdxWorker()) return;
  host = await EdxWorkerHost.start();
  ssh = await sshAsLoginUser(host);
}, 60_000);
afterAll(async () => {
  ssh?.close();
  await host?.stop();
});
afterEach(async () => {
  await host?.setModes({});
});

const HASH = /^pbkdf2_sha256\$\d+\$[^$]+\$[^$]+$/;
const LOG_LINE =
  /(Created|Updated) retirement application with id: \d+, client_id: (\S+), and client_secret: (.*)$/m;

function createApplication(worker: string, ...extra: string[]) {
  return ssh.manage([
    'create_dot_application',
    'retirement',
    worker,
    '--grant-type',
    'client-credentials',
    ...extra,
  ]);
}

function logged(output: string) {
  const match = LOG_LINE.exec(output);
  if (!match) throw new Error(`no application log line in: ${output}`);
  return { verb: match[1], clientId: match[2] ?? '', secret: match[3] ?? '' };
}

describe.skipIf(!canHostEdxWorker())('the simulated LMS in its modes', () => {
  it('stores secrets hashed, prints only the hash, and checks the plaintext at the token endpoint', async () => {
    await host.setModes({ hashedSecrets: true });
    await makeWorker(ssh, 'hashed_worker');
    const secret = 'first-secret-chosen-by-the-bot';
    const created = await createApplication(
      'hashed_worker',
      '--client-id',
      'hashed-client',
      '--client-secret',
      secret,
    );
    expect(created.code).toBe(0);
    expect(`${created.stdout}\n${created.stderr}`).not.toContain(secret);
    const line = logged(created.stderr);
    expect(line).toMatchObject({
      verb: 'Created',
      clientId: 'hashed-client',
      secret: expect.stringMatching(HASH),
    });
    expect(await host.storedSecretIsHashed('hashed-client')).toBe(true);

    const credentials = { id: 'hashed-client', secret, host: host.lmsUrl };
    await verifyClientCredentials(credentials);
    expect(
      await rejection(verifyClientCredentials({ ...credentials, secret: 'not-the-secret' })),
    ).toMatchObject({
      code: 'lms_credentials_rejected',
    });
    // Nor does the hash stand in for the secret, as it would if compared as plaintext.
    expect(await rejection(verifyClientCredentials({ ...credentials, secret: line.secret }))).toMatchObject({
      code: 'lms_credentials_rejected',
    });
    expect(await basicAuthTokenStatus(host.lmsUrl, 'hashed-client', secret)).toBe(200);
    expect(await basicAuthTokenStatus(host.lmsUrl, 'hashed-client', 'not-the-secret')).toBe(401);

    // --update cannot recover the secret: it prints the stored hash, unchanged, never the plaintext.
    const updated = await createApplication('hashed_worker', '--update');
    expect(`${updated.stdout}\n${updated.stderr}`).not.toContain(secret);
    expect(logged(updated.stderr)).toEqual({
      verb: 'Updated',
      clientId: 'hashed-client',
      secret: line.secret,
    });
    await verifyClientCredentials(credentials);

    const rotated = 'second-secret-chosen-by-the-bot';
    const replaced = await createApplication('hashed_worker', '--update', '--client-secret', rotated);
    expect(`${replaced.stdout}\n${replaced.stderr}`).not.toContain(rotated);
    expect(logged(replaced.stderr).secret).toMatch(HASH);
    await verifyClientCredentials({ ...credentials, secret: rotated });
    expect(await rejection(verifyClientCredentials(credentials))).toMatchObject({
      code: 'lms_credentials_rejected',
    });
    expect((await host.applications()).filter((a) => a.user === 'hashed_worker')).toHaveLength(1);
  }, 60_000);

  it('hashes a generated secret too, and leaves plaintext storage to the default mode', async () => {
    await makeWorker(ssh, 'generated_worker');
    await makeWorker(ssh, 'plain_worker');
    await host.setModes({ hashedSecrets: true });
    const generated = logged((await createApplication('generated_worker')).stderr);
    expect(generated.secret).toMatch(HASH);
    expect(await host.storedSecretIsHashed(generated.clientId)).toBe(true);

    await host.setModes({});
    const plain = logged((await createApplication('plain_worker', '--client-secret', 'plain-secret')).stderr);
    expect(plain.secret).toBe('plain-secret');
    expect(await host.storedSecretIsHashed(plain.clientId)).toBe(false);
    await verifyClientCredentials({ id: plain.clientId, secret: 'plain-secret', host: host.lmsUrl });
    expect(await host.storedSecretIsHashed('no-such-client')).toBeUndefined();
  }, 60_000);

  it('logs nothing at INFO in quiet mode, so create_dot_application prints no application line', async () => {
    await makeWorker(ssh, 'quiet_worker');
    await host.setModes({ quietLogging: true });
    const created = await createApplication('quiet_worker', '--scopes', 'read');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('');
    expect(created.stderr).not.toMatch(/Created .* application/);
    expect(created.stderr).not.toMatch(/ INFO /);
    expect((await host.applications()).filter((a) => a.user === 'quiet_worker')).toHaveLength(1);

    await host.setModes({});
    expect(logged((await createApplication('quiet_worker', '--update')).stderr).verb).toBe('Updated');
  }, 60_000);

  it('combines both modes', async () => {
    await makeWorker(ssh, 'both_worker');
    await host.setModes({ hashedSecrets: true, quietLogging: true });
    const created = await createApplication(
      'both_worker',
      '--client-id',
      'both-client',
      '--client-secret',
      's3cret',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('');
    expect(created.stderr).not.toMatch(/application|s3cret/);
    expect(await host.storedSecretIsHashed('both-client')).toBe(true);
    await verifyClientCredentials({ id: 'both-client', secret: 's3cret', host: host.lmsUrl });
  }, 60_000);
});
