import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canRunLmsImage } from '../../emulators/kubernetes/lms-image.js';
import type { Catalog } from '../../src/config/catalog.js';
import { verifyClientCredentials } from '../../src/integrations/lms-oauth/verify-client-credentials.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import {
  CONTAINER,
  CONTEXT,
  type KubernetesWorld,
  NAMESPACE,
  SELECTOR,
  startKubernetesWorld,
} from '../support/kubernetes-world.js';
import { dumpKeys } from '../support/redis.js';
import { runToEnd, stepSummary } from '../support/slack-requests.js';
import { readPipelineSecret } from '../support/vault-secret.js';

/**
 * A setup over the Kubernetes transport, driven over signed Slack requests: the LMS runs in a pod
 * of the emulated cluster, the management commands go by exec, the secret by stdin.
 */
let world: KubernetesWorld;
let h: BotHarness | undefined;
const PATH = 'mitxonline/tubular_oauth_client';

beforeAll(async () => {
  if (!canRunLmsImage()) return;
  world = await startKubernetesWorld();
}, 120_000);
afterAll(async () => {
  await world?.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
  world?.allow(['list pods', 'get pods', 'create pods/exec', 'get pods/exec']);
  world?.setReady(true);
  await world?.image.setFault(null);
});

async function bot(catalog: Catalog = world.catalog()): Promise<BotHarness> {
  h = await startBotHarness({ catalog, env: world.env, realIntegrations: true });
  return h;
}

const vault = () => readPipelineSecret(world.vault, PATH);

const summary = stepSummary;

describe.skipIf(!canRunLmsImage())('setup over the Kubernetes transport', () => {
  it('sets up, re-runs as a no-op, and keeps the secret out of every exec URL, Slack, logs and Redis', async () => {
    const harness = await bot();
    const first = await runToEnd(harness, 'setup mitxonline qa');
    expect(first.status, JSON.stringify(first.error)).toBe('succeeded');
    expect(summary(first, 'preflight')).toContain(
      `Kubernetes exec in container ${CONTAINER} of a pod matching ${SELECTOR} in namespace ${NAMESPACE} (context ${CONTEXT})`,
    );
    expect(summary(first, 'dot-application')).toContain('Created application');
    const recorded = await vault();
    expect(recorded.version).toBe(1);
    await verifyClientCredentials(recorded.data);

    const again = await runToEnd(harness, 'setup mitxonline qa');
    expect(again.status).toBe('succeeded');
    expect(summary(again, 'lms-states')).not.toMatch(/Added|Removed/);
    expect(summary(again, 'credentials')).toContain('they are kept');
    expect(summary(again, 'dot-application')).toContain('Already in place');
    expect((await vault()).version).toBe(1);
    expect(await world.image.applications()).toHaveLength(1);

    const secret = recorded.data.secret;
    const urls = world.cluster.execUrls();
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.some((url) => decodeURIComponent(url).includes('create_dot_application'))).toBe(true);
    for (const url of urls) expect(decodeURIComponent(url)).not.toContain(secret);
    expect(harness.slack.allTraffic()).not.toContain(secret);
    expect(harness.logs.text()).not.toContain(secret);
    expect(await dumpKeys(harness.prefix)).not.toContain(secret);
  }, 240_000);

  it('fails preflight naming context, namespace and selector when no replica is Ready', async () => {
    world.setReady(false);
    const run = await runToEnd(await bot(), 'setup mitxonline qa');
    expect(run.status).toBe('failed');
    expect(run.error?.step).toBe('preflight');
    expect(run.error?.message).toContain(SELECTOR);
    expect(run.error?.message).toContain(`namespace ${NAMESPACE} (context ${CONTEXT})`);
  }, 120_000);

  it('fails preflight naming the permission that is missing', async () => {
    world.allow(['list pods', 'get pods', 'get pods/exec']);
    const run = await runToEnd(await bot(), 'setup mitxonline qa');
    expect(run.status).toBe('failed');
    expect(run.error?.step).toBe('preflight');
    expect(run.error?.message).toContain('create pods/exec');
    expect(run.error?.message).toContain(`namespace ${NAMESPACE} (context ${CONTEXT})`);
  }, 120_000);

  it('reports a command that outlives its timeout', async () => {
    await world.image.setFault('hang');
    const run = await runToEnd(await bot(world.catalog(5)), 'setup mitxonline qa');
    expect(run.status).toBe('failed');
    expect(run.error?.message).toContain('did not finish within 5 s');
    expect(run.error?.message).toContain(`namespace ${NAMESPACE}`);
  }, 180_000);
});
