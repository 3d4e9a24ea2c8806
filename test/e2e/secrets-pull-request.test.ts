import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConcourseEmulator } from '../../emulators/concourse/concourse-emulator.js';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import { type Catalog, parseCatalog } from '../../src/config/catalog.js';
import { credentialsInSops } from '../../src/integrations/github/sops-secret-values.js';
import { verifyClientCredentials } from '../../src/integrations/lms-oauth/verify-client-credentials.js';
import { RUN_QUEUE_NAME } from '../../src/jobs/run-queue.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_APPROVE } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { PULUMI_PIPELINE, PulumiStandIn, pulumiJob } from '../support/pulumi-stand-in.js';
import { deleteKeys, dumpKeys, REDIS_URL, uniquePrefix } from '../support/redis.js';
import {
  CONCOURSE_PASSWORD,
  CONCOURSE_USER,
  type RemoteWorld,
  startRemoteWorld,
} from '../support/remote-world.js';
import { click, REQUESTER, requestSetup, shownFinal, stepSummary } from '../support/slack-requests.js';
import { operationsFile, SOPS_REPO, type SopsWorld, startSopsWorld } from '../support/sops-world.js';
import { APPROVER } from '../support/test-catalog.js';
import { readPipelineSecret } from '../support/vault-secret.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Secrets of record the runbook's way: the bot proposes the credentials as a pull request on MIT's
 * sops file, parks the run until a person merges it, waits for Pulumi to write Vault (triggering
 * its job for production), then converges the LMS and sets up the pipeline.
 */
let world: RemoteWorld;
let sops: SopsWorld;
let infrastructure: ConcourseEmulator;
let pulumi: PulumiStandIn;
let catalog: Catalog;
let catalogPath: string;
let h: BotHarness | undefined;
const KEY = 'mitxonline/tubular_oauth_client';

beforeAll(async () => {
  if (!canHostEdxWorker()) return;
  world = await startRemoteWorld();
  sops = await startSopsWorld(world.vault, ['qa', 'production']);
  infrastructure = await ConcourseEmulator.start({
    users: [
      { username: CONCOURSE_USER, password: CONCOURSE_PASSWORD, teams: { infrastructure: ['member'] } },
    ],
  });
  infrastructure.pipelines.set(`infrastructure/${PULUMI_PIPELINE}`, {
    team: 'infrastructure',
    name: PULUMI_PIPELINE,
    config: { jobs: [{ name: pulumiJob('production') }] },
    version: 1,
    paused: false,
  });
  pulumi = new PulumiStandIn({
    github: sops.github,
    vault: world.vault,
    dataKey: sops.dataKey,
    onMerge: ['qa'],
    concourse: infrastructure,
  });
  const record = `{ sops: { repo: ${SOPS_REPO}, base: main, file: "src/bridge/secrets/concourse/operations.{env}.yaml", key: "{team}/tubular_oauth_client" } }`;
  const afterMerge = `{ concourse: { url: ${infrastructure.url}, team: infrastructure, pipeline: ${PULUMI_PIPELINE}, job: ${pulumiJob('production')} } }`;
  const yaml = readFileSync(world.catalogPath, 'utf8')
    .replace('defaults:\n', `defaults:\n  credentials: { record: ${record} }\n`)
    .replace(
      'production: { approval: { required: true } }',
      `production: { approval: { required: true }, credentials: { record: { sops: ${record.slice(8, -2)}, afterMerge: ${afterMerge} } } }`,
    );
  catalog = parseCatalog(yaml, 'sops-catalog');
  catalogPath = join(dirname(world.catalogPath), 'sops-environments.yml');
  writeFileSync(catalogPath, yaml);
}, 120_000);
afterAll(async () => {
  pulumi?.stop();
  await Promise.allSettled([world?.stop(), sops?.github.stop(), infrastructure?.stop()]);
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function bot(githubToken = sops.github.token): Promise<BotHarness> {
  h = await startBotHarness({
    catalog,
    env: {
      ...world.env,
      GITHUB_TOKEN: githubToken,
      GITHUB_API_URL: sops.github.url,
      SECRETS_PR_POLL_MS: '100',
    },
    realIntegrations: true,
  });
  return h;
}

const run = async (harness: BotHarness, id: string) => (await harness.bot.store.get(id)) as RunRecord;

async function ended(harness: BotHarness, id: string): Promise<RunRecord> {
  return waitFor(
    async () => {
      const current = await run(harness, id);
      return current.finishedAt && (await shownFinal(harness, current)) ? current : undefined;
    },
    { what: `run ${id} to end`, timeoutMs: 90_000 },
  );
}

/** Waits until the run is parked on the merge, and checks its job holds no worker meanwhile. */
async function parkedOnMerge(harness: BotHarness, id: string): Promise<RunRecord> {
  const parked = await waitFor(
    async () => {
      const current = await run(harness, id);
      if (current.finishedAt) throw new Error(`run ended: ${current.error?.message}`);
      return stepSummary(current, 'secrets-merge').startsWith('Waiting for') ? current : undefined;
    },
    { what: 'the run to wait for the merge', timeoutMs: 90_000 },
  );
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(RUN_QUEUE_NAME, { connection, prefix: `${harness.prefix}:bull` });
  try {
    const state = await waitFor(
      async () => {
        const current = await (await queue.getJob(`${id}-1`))?.getState();
        return current === 'delayed' ? current : undefined;
      },
      { what: 'the job to be delayed' },
    );
    expect(state).toBe('delayed');
  } finally {
    await queue.close();
    connection.disconnect();
  }
  return parked;
}

async function approveAll(
  harness: BotHarness,
  id: string,
  until: (r: RunRecord) => boolean,
): Promise<RunRecord> {
  for (;;) {
    const next = await waitFor(
      async () => {
        const current = await run(harness, id);
        if (until(current) || current.finishedAt) return { done: current, asking: undefined };
        const asking = current.approvals.find((a) => a.status === 'pending' && a.messageTs);
        return asking ? { done: undefined, asking } : undefined;
      },
      { what: 'an approval or the awaited state', timeoutMs: 90_000 },
    ).catch(async (error: unknown) => {
      const current = await run(harness, id);
      throw new Error(
        `${error}: ${JSON.stringify({ status: current.status, steps: current.steps.map((s) => [s.id, s.status, s.summary]) })}`,
      );
    });
    if (next.done) return next.done;
    if (!next.asking) continue;
    await click(
      harness,
      ACTION_APPROVE,
      `${id}:${next.asking.phase}`,
      next.asking.messageTs as string,
      APPROVER,
    );
  }
}

function expectSecretNowhere(harness: BotHarness, secret: string, dump: string): void {
  for (const pull of sops.github.pulls(SOPS_REPO)) {
    for (const text of [pull.title, pull.body, pull.head]) expect(text).not.toContain(secret);
    expect(sops.github.commitOf(SOPS_REPO, pull.head)?.message ?? '').not.toContain(secret);
  }
  expect(harness.slack.allTraffic()).not.toContain(secret);
  expect(harness.logs.text()).not.toContain(secret);
  expect(dump).not.toContain(secret);
}

describe.skipIf(!canHostEdxWorker())('secrets of record through a sops pull request', () => {
  it('qa: proposes, parks, is updated not duplicated on a re-run, and finishes once merged and deployed', async () => {
    const harness = await bot();
    const first = await requestSetup(harness, 'mitxonline qa');
    const parked = await parkedOnMerge(harness, first);
    expect(stepSummary(parked, 'credentials')).toMatch(/^Proposed credentials for client id `\w{40}`/);
    const [pull] = sops.github.pulls(SOPS_REPO);
    expect(pull).toMatchObject({
      number: 1,
      head: 'retirement-bot/mitxonline-qa-tubular-oauth-client',
      state: 'open',
    });
    const link = `https://github.com/${SOPS_REPO}/pull/1`;
    expect(stepSummary(parked, 'secrets-merge')).toContain(`Waiting for pull request #1 (${link})`);
    // Slack shows the pull request as a link (the terminal and the record keep `label (url)`),
    // once the publisher, which runs apart from the run, has caught up.
    await waitFor(() => sentBlocks(harness).includes(`<${link}|pull request #1>`) || undefined, {
      what: 'the pull request as a link in Slack',
    });
    expect(harness.slack.allTraffic()).toContain(encodeURIComponent(link));
    expect(pull?.body).toContain(REQUESTER.id);
    expect(pull?.body).toContain(first);

    // A re-run while the pull request is open (the first was cancelled) updates the same one.
    expect((await harness.driver.slash(`cancel ${first}`, { user: REQUESTER })).status).toBe(200);
    expect((await ended(harness, first)).status).toBe('cancelled');
    const head = sops.github.commitOf(SOPS_REPO, pull?.head as string)?.sha;
    const second = await requestSetup(harness, 'mitxonline qa');
    const reparked = await parkedOnMerge(harness, second);
    expect(stepSummary(reparked, 'credentials')).toContain('Already proposed');
    expect(sops.github.pulls(SOPS_REPO)).toHaveLength(1);
    expect(sops.github.commitOf(SOPS_REPO, pull?.head as string)?.sha).toBe(head);
    expect(sops.github.pulls(SOPS_REPO)[0]?.body).toContain(second);

    await sops.github.merge(SOPS_REPO, 1);
    const finished = await ended(harness, second);
    expect(finished.status).toBe('succeeded');
    expect(stepSummary(finished, 'secrets-merge')).toContain('was merged');
    expect(stepSummary(finished, 'vault-holds')).toContain('Vault holds the merged credentials');
    const stored = await readPipelineSecret(world.vault, KEY);
    await verifyClientCredentials(stored.data);
    expect(world.concourse.pipelines.get('mitxonline/misc-cloud-tubular')?.paused).toBe(false);

    // Vault and the merged file agree now: a re-run keeps them and proposes nothing.
    const rerun = await ended(harness, await requestSetup(harness, 'mitxonline qa'));
    expect(rerun.status).toBe('succeeded');
    expect(stepSummary(rerun, 'credentials')).toContain('no pull request is needed');
    expect(sops.github.pulls(SOPS_REPO)).toHaveLength(1);
    expectSecretNowhere(harness, stored.data.secret, await dumpKeys(harness.prefix));
  }, 240_000);

  it('production: after the merge the bot triggers the Pulumi job, follows it, then waits for Vault', async () => {
    const harness = await bot();
    // The test catalog's qa and production share one Vault and one LMS: production's Vault entry
    // starts as another LMS's, so the run replaces it.
    world.vault.writeAsOther('secret-concourse', KEY, {
      id: 'old',
      secret: 'old',
      host: 'https://lms.example.org',
    });
    const id = await requestSetup(harness, 'mitxonline production');
    const credentialsApproval = await approveAll(harness, id, (r) =>
      stepSummary(r, 'secrets-merge').startsWith('Waiting for'),
    );
    expect(credentialsApproval.approvals.find((a) => a.phase === 'credentials')?.changes).toContain(
      'can read every secret in that file',
    );
    const pull = sops.github.pulls(SOPS_REPO).find((p) => p.head.includes('production'));
    expect(pull?.body).toContain(`approved by ${APPROVER}`);
    await sops.github.merge(SOPS_REPO, pull?.number as number);
    const finished = await approveAll(harness, id, () => false);
    expect(finished.status).toBe('succeeded');
    expect(stepSummary(finished, 'pulumi-deploy')).toContain('deployed the merged secrets');
    const build = `${infrastructure.url}/teams/infrastructure/pipelines/${PULUMI_PIPELINE}/jobs/${pulumiJob('production')}/builds/1`;
    expect(stepSummary(finished, 'pulumi-deploy')).toContain(`Build #1 (${build}) of`);
    expect(sentBlocks(harness)).toContain(`<${build}|#1>`);
    expect(pulumi.deployments).toContain('production');
    expect(infrastructure.builds.filter((b) => b.job_name === pulumiJob('production'))).toHaveLength(1);
    const stored = await readPipelineSecret(world.vault, KEY);
    await verifyClientCredentials(stored.data);
    expectSecretNowhere(harness, stored.data.secret, await dumpKeys(harness.prefix));
  }, 240_000);

  it('a pull request closed without merging ends the run saying so, and is never reopened', async () => {
    const harness = await bot();
    const id = await requestSetup(harness, 'xpro qa');
    await parkedOnMerge(harness, id);
    const pull = sops.github.pulls(SOPS_REPO).find((p) => p.head.includes('xpro-qa'));
    sops.github.close(SOPS_REPO, pull?.number as number);
    const closed = await ended(harness, id);
    expect(closed.status).toBe('failed');
    expect(closed.error).toMatchObject({ step: 'secrets-merge', code: 'secrets_pull_request_closed' });
    expect(closed.error?.message).toContain('was closed without merging');
    const link = `https://github.com/${SOPS_REPO}/pull/${pull?.number}`;
    expect(closed.error?.links).toEqual([{ url: link, label: `pull request #${pull?.number}` }]);
    expect(sentBlocks(harness)).toContain(`<${link}|pull request #${pull?.number}>`);
    const again = await ended(harness, await requestSetup(harness, 'xpro qa'));
    expect(again.error?.code).toBe('secrets_pull_request_closed');
    expect(again.error?.message).toContain('the bot does not reopen it');
    expect(sops.github.pulls(SOPS_REPO).find((p) => p.number === pull?.number)?.state).toBe('closed');
    expect(operationsFile('qa')).toBe('src/bridge/secrets/concourse/operations.qa.yaml');
  }, 240_000);

  it('break-glass (production, approved): writes Vault directly and opens the same pull request, without waiting', async () => {
    const harness = await bot();
    const ack = await harness.driver.slash('setup xpro production --break-glass', { user: REQUESTER });
    expect(String(ack.json?.text)).toContain('Break-glass setup of xpro production queued');
    const id = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    const finished = await approveAll(harness, id, () => false);
    expect(finished.status).toBe('succeeded');
    const approval = finished.approvals.find((a) => a.phase === 'credentials');
    expect(approval?.changes).toContain('BREAK-GLASS: would write the new credentials to Vault directly');
    expect(approval?.changes).toContain('may write the old value back over Vault');
    expect(stepSummary(finished, 'credentials')).toContain('Until the pull request merges');
    expect(finished.steps.map((s) => s.id)).not.toContain('secrets-merge');
    const pull = sops.github
      .pulls(SOPS_REPO)
      .find((p) => p.head === 'retirement-bot/xpro-production-tubular-oauth-client');
    expect(pull).toMatchObject({ state: 'open', merged: false });
    expect(pull?.body).toContain('Break-glass');
    const stored = await readPipelineSecret(world.vault, 'xpro/tubular_oauth_client');
    const proposed = credentialsInSops(
      sops.github.readFile(SOPS_REPO, pull?.head as string, operationsFile('production')) as string,
      sops.dataKey,
      'xpro/tubular_oauth_client',
    );
    expect(proposed).toEqual(stored.data);
    await verifyClientCredentials(stored.data);
    expectSecretNowhere(harness, stored.data.secret, await dumpKeys(harness.prefix));
  }, 240_000);

  it('in the terminal: `run setup` waits in its process for the merge, then finishes', async () => {
    // Vault holds another LMS's credentials, so the setup proposes new ones.
    world.vault.writeAsOther('secret-concourse', KEY, {
      id: 'old',
      secret: 'old',
      host: 'https://lms.example.org',
    });
    const prefix = uniquePrefix('sops-cli');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...world.env,
      GITHUB_TOKEN: sops.github.token,
      GITHUB_API_URL: sops.github.url,
      SECRETS_PR_POLL_MS: '100',
      REDIS_PREFIX: prefix,
      RETIREMENT_BOT_CONFIG: catalogPath,
    };
    delete env.SLACK_BOT_TOKEN;
    const before = sops.github.pulls(SOPS_REPO).length;
    const cli = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'run', 'setup', 'mitxonline', 'qa'],
      {
        cwd: resolve(import.meta.dirname, '../..'),
        env,
        timeout: 120_000,
      },
    );
    try {
      const pull = await waitFor(() => sops.github.pulls(SOPS_REPO)[before], {
        what: 'the pull request',
        timeoutMs: 90_000,
      });
      await sops.github.merge(SOPS_REPO, pull.number);
      const { stdout } = await cli;
      expect(stdout).toMatch(/setup mitxonline qa \[r[0-9a-z]{10}\]: succeeded/);
      expect(stdout).toContain(
        `pull request #${pull.number} (https://github.com/${SOPS_REPO}/pull/${pull.number}) was merged.`,
      );
      const stored = await readPipelineSecret(world.vault, KEY);
      await verifyClientCredentials(stored.data);
      expect(stdout).not.toContain(stored.data.secret);
      expect(await dumpKeys(prefix)).not.toContain(stored.data.secret);
    } finally {
      await cli.catch(() => undefined);
      await deleteKeys(prefix);
    }
  }, 240_000);

  it('rotate goes through the pull request too, and converges the LMS only once Vault holds the new secret', async () => {
    const harness = await bot();
    const old = await readPipelineSecret(world.vault, KEY);
    const ack = await harness.driver.slash('rotate mitxonline qa', { user: REQUESTER });
    const id = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
    await parkedOnMerge(harness, id);
    await verifyClientCredentials(old.data);
    const pull = sops.github
      .pulls(SOPS_REPO)
      .find((p) => p.state === 'open' && p.head.includes('mitxonline-qa'));
    await sops.github.merge(SOPS_REPO, pull?.number as number);
    const rotated = await ended(harness, id);
    expect(rotated.status).toBe('succeeded');
    expect(stepSummary(rotated, 'rotate-secret')).toContain('Proposed a new secret for client id');
    const now = await readPipelineSecret(world.vault, KEY);
    expect(now.data.id).toBe(old.data.id);
    expect(now.data.secret).not.toBe(old.data.secret);
    await verifyClientCredentials(now.data);
    expectSecretNowhere(harness, now.data.secret, await dumpKeys(harness.prefix));
  }, 240_000);

  it('preflight stops a run whose GitHub credentials are refused, naming the file, before anything changes', async () => {
    const harness = await bot('ghp_revoked-token');
    const failed = await ended(harness, await requestSetup(harness, 'xpro production'));
    expect(failed.status).toBe('failed');
    expect(failed.error?.step).toBe('preflight');
    expect(failed.error?.message).toContain(
      `${SOPS_REPO} \`src/bridge/secrets/concourse/operations.production.yaml\``,
    );
    expect(failed.error?.message).toContain("GitHub refused the bot's credentials");
  }, 120_000);
});

/** Every message's blocks the bot sent to Slack, as Slack received them. */
function sentBlocks(harness: BotHarness): string {
  return ['chat.postMessage', 'chat.update']
    .flatMap((method) => harness.slack.callsTo(method))
    .map((call) => JSON.stringify(call.params.blocks))
    .join('\n');
}
