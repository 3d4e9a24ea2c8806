import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { dumpKeys } from '../support/redis.js';
import { type RemoteWorld, startRemoteWorld } from '../support/remote-world.js';
import { requestSetup } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';
import { killHard, spawnWorker } from '../support/worker-process.js';

/**
 * Workers are separate processes here, killed with SIGKILL (no chance to clean up) at every step
 * boundary and inside steps; the run must resume in the step it was in and end with exactly one
 * DOT application, one Vault version and one build.
 */
const STEPS = [
  'preflight',
  'lms-states',
  'worker-user',
  'credentials',
  'dot-application',
  'verify-credentials',
  'concourse-set',
  'unpause',
  'first-build',
];

let world: RemoteWorld;
let h: BotHarness;
const workerOutput: string[] = [];

beforeAll(async () => {
  if (!canHostEdxWorker()) return;
  world = await startRemoteWorld();
  h = await startBotHarness({ catalog: world.catalog, env: world.env, role: 'web' });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await world?.stop();
});

const startWorker = () =>
  spawnWorker(h, { env: world.env, catalogPath: world.catalogPath, output: workerOutput });

const run = (id: string) => h.bot.store.get(id) as Promise<RunRecord>;
const step = async (id: string, stepId: string) => (await run(id)).steps.find((s) => s.id === stepId);

describe.skipIf(!canHostEdxWorker())('a worker killed mid-run', () => {
  it('resumes at every step boundary without repeating side effects', async () => {
    const runId = await requestSetup(h, 'mitxonline qa');
    const kills: string[] = [];
    for (const stepId of STEPS) {
      const worker = startWorker();
      await waitFor(
        async () => ['running', 'done'].includes((await step(runId, stepId))?.status ?? 'pending'),
        {
          what: `${stepId} to start`,
          timeoutMs: 60_000,
          intervalMs: 10,
        },
      );
      await killHard(worker);
      kills.push(`${stepId}:${(await step(runId, stepId))?.status}`);
    }
    expect(kills).toHaveLength(STEPS.length);
    const last = startWorker();
    try {
      await waitFor(async () => (await run(runId)).status === 'succeeded', {
        what: 'success',
        timeoutMs: 90_000,
      });
    } finally {
      await killHard(last);
    }
    expect(await world.edx.applications()).toHaveLength(1);
    const metadata = await fetch(
      `${world.vault.url}/v1/secret-concourse/metadata/mitxonline/tubular_oauth_client`,
      {
        headers: { 'X-Vault-Token': world.vault.rootToken },
      },
    ).then((r) => r.json() as Promise<{ data: { current_version: number } }>);
    expect(metadata.data.current_version).toBe(1);
    expect(world.concourse.builds.filter((b) => b.team_name === 'mitxonline')).toHaveLength(1);
  }, 300_000);

  it('converges the LMS to the credentials in Vault when killed while creating the application, and adopts the build it was following', async () => {
    await world.edx.setFault('pause-after-create');
    world.concourse.setHoldBuilds(true);
    const runId = await requestSetup(h, 'xpro qa');
    const worker = startWorker();
    await waitFor(
      async () => (await world.edx.applications()).some((a) => a.user === 'retirement_worker') || undefined,
      { what: 'the application to exist on the host', timeoutMs: 60_000 },
    );
    expect((await step(runId, 'dot-application'))?.status).toBe('running');
    await killHard(worker);
    await world.edx.setFault(null);

    const following = startWorker();
    await waitFor(async () => typeof (await step(runId, 'first-build'))?.checkpoint?.buildId === 'number', {
      what: 'the first build to be triggered and followed',
      timeoutMs: 120_000,
    });
    await killHard(following);
    world.concourse.setHoldBuilds(false);

    const resumed = startWorker();
    try {
      await waitFor(async () => (await run(runId)).status === 'succeeded', {
        what: 'success',
        timeoutMs: 120_000,
      });
    } finally {
      await killHard(resumed);
    }
    expect((await world.edx.applications()).filter((a) => a.user === 'retirement_worker')).toHaveLength(1);
    expect((await step(runId, 'verify-credentials'))?.status).toBe('done');
    expect(world.concourse.builds.filter((b) => b.team_name === 'xpro')).toHaveLength(1);

    const stored = await fetch(`${world.vault.url}/v1/secret-concourse/data/xpro/tubular_oauth_client`, {
      headers: { 'X-Vault-Token': world.vault.rootToken },
    }).then((r) => r.json() as Promise<{ data: { data: { secret: string } } }>);
    const secret = stored.data.data.secret;
    expect(workerOutput.join('')).not.toContain(secret);
    expect(h.slack.allTraffic()).not.toContain(secret);
    expect(await dumpKeys(h.prefix)).not.toContain(secret);
  }, 300_000);
});
