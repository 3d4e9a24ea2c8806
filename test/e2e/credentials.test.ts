import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import { verifyClientCredentials } from '../../src/integrations/lms-oauth/verify-client-credentials.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { dumpKeys } from '../support/redis.js';
import { rejection } from '../support/rejection.js';
import { type RemoteWorld, startRemoteWorld } from '../support/remote-world.js';
import { REQUESTER, runToEnd, stepSummary } from '../support/slack-requests.js';
import { readPipelineSecret } from '../support/vault-secret.js';

/**
 * The bot owns the credentials: Vault is their record and the LMS is converged to it, on an LMS
 * that hashes secrets (DOT 2) and logs nothing, through setup, re-run, an interruption between the
 * Vault write and the LMS update, and rotation.
 */
let world: RemoteWorld;
let h: BotHarness | undefined;
const PATH = 'xpro/tubular_oauth_client';

beforeAll(async () => {
  if (!canHostEdxWorker()) return;
  world = await startRemoteWorld();
  await world.edx.setModes({ hashedSecrets: true, quietLogging: true });
}, 120_000);
afterAll(async () => {
  await world?.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function bot(): Promise<BotHarness> {
  h = await startBotHarness({ catalog: world.catalog, env: world.env, realIntegrations: true });
  return h;
}

const vault = () => readPipelineSecret(world.vault, PATH);

const summary = stepSummary;

describe.skipIf(!canHostEdxWorker())('credentials of record', () => {
  it('sets up, re-runs without a change, survives an interruption after the Vault write, and rotates', async () => {
    const harness = await bot();
    const first = await runToEnd(harness, 'setup xpro qa');
    expect(first.status).toBe('succeeded');
    const recorded = await vault();
    expect(recorded.version).toBe(1);
    expect(recorded.data.secret).toMatch(/^[A-Za-z0-9]{128}$/);
    expect(recorded.data.id).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await world.edx.storedSecretIsHashed(recorded.data.id)).toBe(true);
    await verifyClientCredentials(recorded.data);
    expect(summary(first, 'credentials')).toContain('Generated a new secret');
    expect(summary(first, 'dot-application')).toContain('Created application');

    const again = await runToEnd(harness, 'setup xpro qa');
    expect(summary(again, 'credentials')).toContain('they are kept');
    expect(summary(again, 'dot-application')).toContain('Already in place');
    expect((await vault()).version).toBe(1);

    // A run killed after writing Vault, before the LMS: Vault holds a secret the LMS does not.
    const killed = { ...recorded.data, secret: 'K'.repeat(128) };
    world.vault.writeAsOther('secret-concourse', PATH, killed);
    const resumed = await runToEnd(harness, 'setup xpro qa');
    expect(resumed.status).toBe('succeeded');
    expect(summary(resumed, 'credentials')).toContain('they are kept');
    expect(summary(resumed, 'dot-application')).toContain('Updated application');
    expect((await vault()).version).toBe(2);
    await verifyClientCredentials(killed);

    const rotated = await runToEnd(harness, 'rotate xpro qa');
    expect(rotated.status).toBe('succeeded');
    const now = await vault();
    expect(now.version).toBe(3);
    expect(now.data.id).toBe(recorded.data.id);
    expect(now.data.secret).not.toBe(killed.secret);
    expect(summary(rotated, 'rotate-secret')).toContain('as version 3');
    await verifyClientCredentials(now.data);
    expect((await rejection(verifyClientCredentials(killed))).code).toBe('lms_credentials_rejected');
    expect((await world.edx.applications()).filter((a) => a.user === 'retirement_worker')).toHaveLength(1);
    const audit = await harness.bot.audit.entries(rotated.id);
    expect(audit.find((e) => e.type === 'run_requested')).toMatchObject({
      kind: 'rotate',
      user: REQUESTER.id,
    });

    for (const secret of [recorded.data.secret, now.data.secret]) {
      expect(harness.slack.allTraffic()).not.toContain(secret);
      expect(harness.logs.text()).not.toContain(secret);
      expect(await dumpKeys(harness.prefix)).not.toContain(secret);
    }
  }, 300_000);

  it('refuses to rotate a pair that has no credentials yet', async () => {
    const harness = await bot();
    const rotated = await runToEnd(harness, 'rotate mitxonline qa');
    expect(rotated.status).toBe('failed');
    expect(rotated.error?.code).toBe('nothing_to_rotate');
  }, 120_000);
});
