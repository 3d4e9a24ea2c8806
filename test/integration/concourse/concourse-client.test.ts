import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcourseEmulator } from '../../../emulators/concourse/concourse-emulator.js';
import { ConcourseClient } from '../../../src/integrations/concourse/concourse-client.js';
import { buildTubularPipeline } from '../../../src/integrations/concourse/tubular-pipeline.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';

const PASSWORD = 'concourse-password-7f3a9c';
const PIPELINE = 'misc-cloud-tubular';
const JOB = 'deploy-tubular-world';

let atc: ConcourseEmulator;
let logs: string[];

beforeEach(async () => {
  atc = await ConcourseEmulator.start({
    users: [{ username: 'bot', password: PASSWORD, teams: { mitxonline: ['member'], xpro: ['viewer'] } }],
  });
  logs = [];
});
afterEach(async () => {
  await atc.stop();
});

function client(options: { team?: string; password?: string; url?: string; timeoutMs?: number } = {}) {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const redactor = new SecretRedactor();
  return new ConcourseClient({
    url: options.url ?? atc.url,
    team: options.team ?? 'mitxonline',
    username: 'bot',
    password: options.password ?? PASSWORD,
    timeoutMs: options.timeoutMs ?? 2_000,
    redactor,
    logger: createLogger({ level: 'debug', redactor, destination }),
  });
}

describe('ConcourseClient against the emulated ATC', () => {
  it('creates the pipeline paused, then reports no difference and saves nothing', async () => {
    const concourse = client();
    await concourse.checkAccess();
    expect(await concourse.getPipelineConfig(PIPELINE)).toBeUndefined();
    const desired = buildTubularPipeline();
    const diff = concourse.diffConfig(undefined, desired);
    expect(diff.changed).toBe(true);
    expect(diff.text).toContain('+    name: deploy-tubular-world');
    expect(await concourse.setPipeline(PIPELINE, desired, undefined)).toEqual({
      created: true,
      warnings: [],
    });
    expect((await concourse.getPipeline(PIPELINE))?.paused).toBe(true);

    const current = await concourse.getPipelineConfig(PIPELINE);
    expect(current?.version).toBe('1');
    expect(concourse.diffConfig(current?.config, desired)).toEqual({ changed: false, text: '' });
    const saves = atc.traffic.filter((t) => t.method === 'PUT' && t.path.endsWith('/config'));
    expect(saves).toHaveLength(1);
  });

  it('updates with the config version and refuses to overwrite a concurrent change', async () => {
    const concourse = client();
    await concourse.setPipeline(PIPELINE, buildTubularPipeline(), undefined);
    const current = await concourse.getPipelineConfig(PIPELINE);
    const changed = structuredClone(buildTubularPipeline());
    changed.resources[1] = {
      ...changed.resources[1],
      source: { interval: '24h' },
    } as (typeof changed.resources)[1];
    const diff = concourse.diffConfig(current?.config, changed);
    expect(diff.text).toContain('-      interval: 168h');
    expect(diff.text).toContain('+      interval: 24h');

    atc.changeConfigBehindBack('mitxonline', PIPELINE);
    const error = await rejection(concourse.setPipeline(PIPELINE, changed, current?.version));
    expect(error.code).toBe('concourse_concurrent_change');
    expect(atc.pipelines.get(`mitxonline/${PIPELINE}`)?.config).toEqual(current?.config);

    const fresh = await concourse.getPipelineConfig(PIPELINE);
    expect(await concourse.setPipeline(PIPELINE, changed, fresh?.version)).toEqual({
      created: false,
      warnings: [],
    });
  });

  it('reports config the ATC rejects', async () => {
    const broken = structuredClone(buildTubularPipeline()) as unknown as {
      jobs: { plan: { get?: string }[] }[];
    };
    (broken.jobs[0]?.plan[0] as { get: string }).get = 'missing';
    const error = await rejection(client().setPipeline(PIPELINE, broken, undefined));
    expect(error.code).toBe('concourse_config_rejected');
    expect(error.userMessage).toContain("unknown resource 'missing'");
  });

  it('unpauses, triggers and follows a build to success or failure, then reads status', async () => {
    const concourse = client();
    await concourse.setPipeline(PIPELINE, buildTubularPipeline(), undefined);
    await concourse.unpause(PIPELINE);
    expect((await concourse.getPipeline(PIPELINE))?.paused).toBe(false);

    const build = await concourse.triggerJob(PIPELINE, JOB);
    expect(build.status).toBe('pending');
    const seen: string[] = [];
    const done = await concourse.waitForBuild(build.id, {
      pollMs: 5,
      timeoutMs: 5_000,
      onStatus: (b) => seen.push(b.status),
    });
    expect(done.status).toBe('succeeded');
    expect(seen).toEqual(['started', 'succeeded']);

    atc.setBuildOutcome('failed');
    const second = await concourse.triggerJob(PIPELINE, JOB);
    expect((await concourse.waitForBuild(second.id, { pollMs: 5, timeoutMs: 5_000 })).status).toBe('failed');

    const status = await concourse.readStatus(PIPELINE, [JOB]);
    expect(status).toMatchObject({
      exists: true,
      paused: false,
      url: `${atc.url}/teams/mitxonline/pipelines/${PIPELINE}`,
    });
    expect(status.builds.map((b) => [b.name, b.status])).toEqual([
      [`${JOB} #2`, 'failed'],
      [`${JOB} #1`, 'succeeded'],
    ]);
    expect(status.builds[0]?.url).toBe(
      `${atc.url}/teams/mitxonline/pipelines/${PIPELINE}/jobs/${JOB}/builds/2`,
    );
    expect(await client().readStatus('nothing-here', [JOB])).toMatchObject({ exists: false, builds: [] });
  });

  it('gives up following a build at its deadline and when the run is cancelled', async () => {
    const concourse = client();
    await concourse.setPipeline(PIPELINE, buildTubularPipeline(), undefined);
    atc.setHoldBuilds(true);
    const build = await concourse.triggerJob(PIPELINE, JOB);
    expect((await rejection(concourse.waitForBuild(build.id, { pollMs: 5, timeoutMs: 50 }))).code).toBe(
      'concourse_build_timeout',
    );
    const cancelled = concourse.waitForBuild(build.id, {
      pollMs: 5,
      timeoutMs: 5_000,
      cancelled: async () => true,
    });
    expect((await rejection(cancelled)).code).toBe('cancelled');
  });

  it('logs in again when the token has expired', async () => {
    const concourse = client();
    await concourse.checkAccess();
    atc.expireTokens();
    await concourse.checkAccess();
    expect(atc.traffic.filter((t) => t.path === '/sky/issuer/token')).toHaveLength(2);
    expect(atc.traffic.filter((t) => t.status === 401)).toHaveLength(1);
  });

  it('names a wrong password, a team without the member role, and a team it cannot see', async () => {
    expect((await rejection(client({ password: 'wrong' }).checkAccess())).code).toBe(
      'concourse_login_failed',
    );
    const viewer = await rejection(client({ team: 'xpro' }).checkAccess());
    expect(viewer.code).toBe('concourse_team_forbidden');
    expect(viewer.userMessage).toContain('needs the member role in team xpro (has: viewer)');
    atc.addTeam('ocw');
    const other = await rejection(
      client({ team: 'ocw' }).setPipeline(PIPELINE, buildTubularPipeline(), undefined),
    );
    expect(other.code).toBe('concourse_team_forbidden');
  });

  it('reports an unreachable or slow Concourse as retryable', async () => {
    const down = await rejection(client({ url: 'http://127.0.0.1:9' }).checkAccess());
    expect(down).toMatchObject({ code: 'concourse_unreachable', retryable: true });
    atc.setLatencyMs(500);
    const slow = await rejection(client({ timeoutMs: 100 }).checkAccess());
    expect(slow).toMatchObject({ code: 'concourse_unreachable', retryable: true });
    expect(slow.userMessage).toContain('did not answer within 0.1 s');
  });

  it('never logs or reports the password or the token', async () => {
    const concourse = client();
    await concourse.setPipeline(PIPELINE, buildTubularPipeline(), undefined);
    await rejection(client({ password: 'wrong' }).checkAccess());
    const tokens = atc.traffic.flatMap((t) =>
      t.authorization?.startsWith('Bearer ') ? [t.authorization.slice(7)] : [],
    );
    expect(tokens.length).toBeGreaterThan(0);
    const text = logs.join('\n');
    for (const secret of [PASSWORD, ...tokens]) expect(text).not.toContain(secret);
  });
});
