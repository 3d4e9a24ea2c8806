import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunLmsImage } from '../../emulators/kubernetes/lms-image.js';
import { parseCatalog } from '../../src/config/catalog.js';
import type { RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_REPAIR, ACTION_SILENCE } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { type KubernetesWorld, startKubernetesWorld } from '../support/kubernetes-world.js';
import { dumpKeys } from '../support/redis.js';
import { ephemeralTo, REQUESTER } from '../support/slack-requests.js';
import { readPipelineSecret } from '../support/vault-secret.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The drift watch against the emulated services: each way the pipeline stops working, produced
 * in the emulators, raises one alert in the alert channel (not repeated by the next check),
 * Repair's setup run heals it, and one recovery message follows.
 */
const ALERTS = 'C0ALERTS';
const OPS = 'C0OPS';
const PATH = 'mitxonline/tubular_oauth_client';
const TEAM = 'mitxonline';
const PIPELINE = 'misc-cloud-tubular';
const JOB = 'deploy-tubular-world';

let world: KubernetesWorld;
let h: BotHarness;

beforeAll(async () => {
  if (!canRunLmsImage()) return;
  world = await startKubernetesWorld();
  // The requester is an operator, who may silence the pair.
  const yaml = world
    .catalogYaml()
    .replace(
      'defaults:\n',
      `defaults:\n  alerts: { channel: ${ALERTS} }\n  operators: { users: [${REQUESTER.id}] }\n`,
    );
  h = await startBotHarness({
    catalog: parseCatalog(yaml, 'drift-watch'),
    env: world.env,
    realIntegrations: true,
    watch: true,
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await world?.stop();
});

/** Health changes the alert channel was told about (run cards posted there are left out). */
const healthPosts = () =>
  h.slack.channelMessages(ALERTS).filter((m) => /is (broken|degraded|healthy again)/.test(m.text ?? ''));

/** `/retirement check mitxonline qa` in #ops; resolves with the result posted there. */
async function checkNow(): Promise<string> {
  const results = () => h.slack.channelMessages(OPS).filter((m) => m.text?.startsWith('Drift check of'));
  const before = results().length;
  const ack = await h.driver.slash('check mitxonline qa', { channel: OPS });
  expect(ack.json?.text).toContain('Checking mitxonline qa now');
  return waitFor(() => results()[before]?.text, { what: 'the check result', timeoutMs: 60_000 });
}

/** Clicks the latest alert's Repair and waits for the setup run it queued to end. */
async function repair(): Promise<RunRecord> {
  const alert = healthPosts().at(-1);
  if (!alert) throw new Error('no alert to repair');
  const before = ephemeralTo(h, REQUESTER.id).length;
  await h.driver.click(ACTION_REPAIR, {
    user: REQUESTER,
    channel: ALERTS,
    value: 'mitxonline/qa',
    messageTs: alert.ts,
  });
  const answer = await waitFor(() => ephemeralTo(h, REQUESTER.id)[before]?.text, {
    what: 'the Repair answer',
  });
  const runId = answer.match(/run `(r[0-9a-z]{10})`/)?.[1];
  expect(runId, answer).toBeDefined();
  return waitFor(
    async () => {
      const run = await h.bot.store.get(runId as string);
      return run?.finishedAt ? run : undefined;
    },
    { what: 'the repair run', timeoutMs: 90_000 },
  );
}

/**
 * A failure → one alert naming it, no repeat, Repair, one recovery (and, with `recheck`, no second
 * recovery at the check after it: the checks run Django in the pod, so each costs seconds).
 */
async function alertRepairRecover(expected: RegExp, recheck = false): Promise<void> {
  const posted = healthPosts().length;
  expect(await checkNow()).toMatch(/: (broken|degraded)/);
  expect(healthPosts()).toHaveLength(posted + 1);
  expect(healthPosts().at(-1)?.text).toMatch(/is (broken|degraded)/);
  expect(JSON.stringify(healthPosts().at(-1)?.blocks)).toMatch(expected);

  await checkNow();
  expect(healthPosts(), 'the same health is not posted twice').toHaveLength(posted + 1);

  const run = await repair();
  expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
  expect(await checkNow()).toContain(': ok');
  expect(healthPosts()).toHaveLength(posted + 2);
  expect(healthPosts().at(-1)?.text).toContain('mitxonline qa is healthy again');
  if (!recheck) return;
  await checkNow();
  expect(healthPosts(), 'one recovery message').toHaveLength(posted + 2);
}

describe.skipIf(!canRunLmsImage())('drift watch', () => {
  it('finds a pair never set up broken at its first scheduled check; Repair sets it up; one recovery', async () => {
    const first = await waitFor(() => healthPosts()[0], {
      what: 'the first scheduled check',
      timeoutMs: 60_000,
    });
    expect(first.text).toBe('mitxonline qa is broken');
    expect(JSON.stringify(first.blocks)).toContain('Vault holds no tubular_oauth_client');
    expect(JSON.stringify(first.blocks)).toContain('does not exist');
    expect(JSON.stringify(first.blocks)).toContain(ACTION_REPAIR);
    const run = await repair();
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.channel).toBe(ALERTS);
    expect(await checkNow()).toContain(': ok');
    expect(healthPosts()).toHaveLength(2);
    expect(healthPosts()[1]?.text).toContain('healthy again');
  }, 180_000);

  it('a secret changed in Vault', async () => {
    const { data } = await readPipelineSecret(world.vault, PATH);
    world.vault.writeAsOther('secret-concourse', PATH, { ...data, secret: 'Z'.repeat(128) });
    await alertRepairRecover(/the LMS issues a token for them/);
  }, 180_000);

  it('the application deleted in the LMS', async () => {
    const { data } = await readPipelineSecret(world.vault, PATH);
    await world.image.deleteApplication(data.id);
    await alertRepairRecover(/the LMS has no application/);
  }, 180_000);

  it('the pipeline paused', async () => {
    const pipeline = world.concourse.pipelines.get(`${TEAM}/${PIPELINE}`);
    if (!pipeline) throw new Error('no pipeline');
    pipeline.paused = true;
    await alertRepairRecover(/is paused/, true);
  }, 180_000);

  it('the pipeline edited by hand', async () => {
    const pipeline = world.concourse.pipelines.get(`${TEAM}/${PIPELINE}`);
    if (!pipeline) throw new Error('no pipeline');
    const jobs = pipeline.config.jobs as { max_in_flight?: number }[];
    pipeline.config = { ...pipeline.config, jobs: jobs.map((job) => ({ ...job, max_in_flight: 3 })) };
    pipeline.version += 1;
    await alertRepairRecover(/differs from the generated definition/);
  }, 180_000);

  it('the last build failed', async () => {
    world.concourse.recordScheduledBuild(TEAM, PIPELINE, JOB, 'failed', Date.now());
    await alertRepairRecover(/ failed/);
  }, 180_000);

  it('the last build too old for the weekly schedule', async () => {
    world.concourse.recordScheduledBuild(TEAM, PIPELINE, JOB, 'succeeded', Date.now() - 9 * 86_400_000);
    await alertRepairRecover(/succeeded 9 days ago/);
  }, 180_000);

  it('posts no change of a silenced pair while the silence lasts', async () => {
    const posted = healthPosts().length;
    const pipeline = world.concourse.pipelines.get(`${TEAM}/${PIPELINE}`);
    if (!pipeline) throw new Error('no pipeline');
    pipeline.paused = true;
    await checkNow();
    const alert = healthPosts().at(-1);
    expect(healthPosts()).toHaveLength(posted + 1);
    const before = ephemeralTo(h, REQUESTER.id).length;
    await h.driver.click(`${ACTION_SILENCE}_1h`, {
      user: REQUESTER,
      channel: ALERTS,
      value: 'mitxonline/qa:1h',
      messageTs: alert?.ts as string,
    });
    expect(await waitFor(() => ephemeralTo(h, REQUESTER.id)[before]?.text)).toContain('silenced until');
    pipeline.paused = false;
    expect(await checkNow()).toContain(': ok');
    expect(healthPosts(), 'the recovery is held back while silenced').toHaveLength(posted + 1);
    expect(h.slack.allTraffic()).not.toContain((await readPipelineSecret(world.vault, PATH)).data.secret);
  }, 120_000);

  it('keeps every secret out of Slack, the logs and Redis', async () => {
    const { data } = await readPipelineSecret(world.vault, PATH);
    for (const secret of [data.secret, 'Z'.repeat(128)]) {
      expect(h.slack.allTraffic()).not.toContain(secret);
      expect(h.logs.text()).not.toContain(secret);
      expect(await dumpKeys(h.prefix)).not.toContain(secret);
    }
  });
});
