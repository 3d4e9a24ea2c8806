import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunLmsImage } from '../../emulators/kubernetes/lms-image.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { type KubernetesWorld, startKubernetesWorld } from '../support/kubernetes-world.js';
import { dumpKeys } from '../support/redis.js';
import { requestSetup } from '../support/slack-requests.js';
import { waitFor } from '../support/wait-for.js';
import { killHard, spawnWorker } from '../support/worker-process.js';

/**
 * The Kubernetes transport under SIGKILL: worker processes die at every step boundary of a setup
 * whose LMS commands run by exec in a pod; the run resumes where it was and ends with one
 * application, one Vault version and one build.
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

let world: KubernetesWorld;
let h: BotHarness;
let dir: string;
let catalogPath: string;

beforeAll(async () => {
  if (!canRunLmsImage()) return;
  world = await startKubernetesWorld();
  dir = await mkdtemp(join(tmpdir(), 'rb-kube-crash-'));
  catalogPath = join(dir, 'environments.yml');
  await writeFile(catalogPath, world.catalogYaml());
  h = await startBotHarness({ catalog: world.catalog(), env: world.env, role: 'web' });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const startWorker = () => spawnWorker(h, { env: world.env, catalogPath });

const run = (id: string) => h.bot.store.get(id) as Promise<RunRecord>;
const step = async (id: string, stepId: string) => (await run(id)).steps.find((s) => s.id === stepId);

describe.skipIf(!canRunLmsImage())('a worker killed mid-run over the Kubernetes transport', () => {
  it('resumes at every step boundary without repeating side effects', async () => {
    const runId = await requestSetup(h, 'mitxonline qa');
    for (const stepId of STEPS) {
      const worker = startWorker();
      await waitFor(
        async () => ['running', 'done'].includes((await step(runId, stepId))?.status ?? 'pending'),
        { what: `${stepId} to start`, timeoutMs: 60_000, intervalMs: 10 },
      );
      await killHard(worker);
    }
    const last = startWorker();
    try {
      await waitFor(async () => (await run(runId)).status === 'succeeded', {
        what: 'success',
        timeoutMs: 90_000,
      });
    } finally {
      await killHard(last);
    }
    expect(
      (await world.image.applications()).filter((a) => a.user === 'retirement_service_worker'),
    ).toHaveLength(1);
    const stored = await fetch(
      `${world.vault.url}/v1/secret-concourse/data/mitxonline/tubular_oauth_client`,
      {
        headers: { 'X-Vault-Token': world.vault.rootToken },
      },
    ).then((r) => r.json() as Promise<{ data: { data: { secret: string }; metadata: { version: number } } }>);
    expect(stored.data.metadata.version).toBe(1);
    expect(world.concourse.builds.filter((b) => b.team_name === 'mitxonline')).toHaveLength(1);
    const secret = stored.data.data.secret;
    expect(world.cluster.execUrls().map(decodeURIComponent).join('\n')).not.toContain(secret);
    expect(h.slack.allTraffic()).not.toContain(secret);
    expect(await dumpKeys(h.prefix)).not.toContain(secret);
  }, 300_000);
});
