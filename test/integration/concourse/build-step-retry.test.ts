import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcourseEmulator } from '../../../emulators/concourse/concourse-emulator.js';
import type { Target } from '../../../src/config/catalog.js';
import { ConcourseClient } from '../../../src/integrations/concourse/concourse-client.js';
import type { Checkpoint, RunRecord } from '../../../src/jobs/run-record.js';
import { concourseSetStep } from '../../../src/jobs/setup/concourse-set-step.js';
import { firstBuildStep } from '../../../src/jobs/setup/first-build-step.js';
import { pulumiDeployStep } from '../../../src/jobs/setup/pulumi-deploy-step.js';
import type { SetupServices } from '../../../src/jobs/setup/setup-services.js';
import type { StepContext } from '../../../src/jobs/step-definition.js';
import { summaryText } from '../../../src/jobs/step-summary.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

/*
 * The steps that follow a Concourse build, when the build fails: a worker resuming the same
 * attempt reports the build it followed, and a Retry (the next attempt) follows a new build
 * rather than the failed one again, so fixing the cause and retrying can succeed.
 */
const PASSWORD = 'concourse-password-7e2a';
const qa = testCatalog().get('mitxonline', 'qa') as Target;
const { team, job } = qa.concourse;
const DEPLOY = { team: 'infrastructure', pipeline: 'packer-pulumi-concourse', job: 'deploy-production' };

let atc: ConcourseEmulator;
let services: SetupServices;

beforeEach(async () => {
  atc = await ConcourseEmulator.start({
    users: [
      { username: 'bot', password: PASSWORD, teams: { [team]: ['member'], infrastructure: ['member'] } },
    ],
  });
  const redactor = new SecretRedactor();
  const logger = createLogger({ level: 'silent', redactor });
  services = {
    concourse: (target: Target) =>
      new ConcourseClient({
        url: atc.url,
        team: target.concourse.team,
        username: 'bot',
        password: PASSWORD,
        timeoutMs: 2_000,
        redactor,
        logger,
      }),
    buildTiming: { pollMs: 10, timeoutMs: 5_000 },
  } as unknown as SetupServices;
});
afterEach(async () => {
  await atc.stop();
});

/** One attempt's context; the checkpoint object is the step's, kept across attempts as the journal keeps it. */
function attempt(
  target: Target,
  number: number,
  checkpoint: Checkpoint,
  run?: Partial<RunRecord>,
): StepContext {
  return {
    target,
    run: { ...run, attempt: number } as RunRecord,
    checkpoint,
    logger: createLogger({ level: 'silent', redactor: new SecretRedactor() }),
    saveCheckpoint: async (patch) => {
      Object.assign(checkpoint, patch);
    },
    progress: async () => undefined,
    cancelRequested: async () => false,
  };
}

const triggered = (jobName: string) => atc.builds.filter((b) => b.job_name === jobName).length;

describe('a failed build and Retry', () => {
  it('first build: a resumed attempt reports its failed build, a retry triggers and follows a new one', async () => {
    await concourseSetStep.apply({ target: qa } as StepContext, services);
    atc.setBuildOutcome('failed');
    const checkpoint: Checkpoint = {};
    const failed = await rejection(firstBuildStep.apply(attempt(qa, 1, checkpoint), services));
    expect(failed.code).toBe('concourse_build_failed');
    expect(failed.userMessage).toContain('Build #1 of');

    const resumed = await rejection(firstBuildStep.apply(attempt(qa, 1, checkpoint), services));
    expect(resumed.userMessage).toContain('Build #1 of');
    expect(triggered(job)).toBe(1);

    atc.setBuildOutcome('succeeded');
    const retried = await firstBuildStep.apply(attempt(qa, 2, checkpoint), services);
    expect(summaryText(retried.summary)).toMatch(/^Build #2 \(\S+\/builds\/2\) of /);
    expect(triggered(job)).toBe(2);
  });

  it('Pulumi deploy: a retry follows a new build of the deploying job, linked in Slack and the terminal', async () => {
    atc.pipelines.set(`${DEPLOY.team}/${DEPLOY.pipeline}`, {
      team: DEPLOY.team,
      name: DEPLOY.pipeline,
      config: { jobs: [{ name: DEPLOY.job }] },
      version: 1,
      paused: false,
    });
    const production = {
      ...qa,
      credentials: {
        record: {
          sops: {
            repo: 'mitodl/ol-infrastructure',
            base: 'main',
            file: 'operations.production.yaml',
            key: 'k',
          },
          afterMerge: { concourse: { url: atc.url, ...DEPLOY } },
        },
      },
    } as Target;
    const run: Partial<RunRecord> = {
      steps: [{ id: 'credentials', title: 'Credentials', status: 'done', checkpoint: { pullNumber: 7 } }],
    };
    atc.setBuildOutcome('failed');
    const checkpoint: Checkpoint = {};
    const failed = await rejection(pulumiDeployStep.apply(attempt(production, 1, checkpoint, run), services));
    const build1 = `${atc.url}/teams/${DEPLOY.team}/pipelines/${DEPLOY.pipeline}/jobs/${DEPLOY.job}/builds/1`;
    expect(failed.userMessage).toContain('Build #1 of');
    expect(failed.userMessage).not.toContain('<');
    expect(failed.links).toEqual([{ url: build1, label: '#1' }]);

    atc.setBuildOutcome('succeeded');
    const retried = await pulumiDeployStep.apply(attempt(production, 2, checkpoint, run), services);
    expect(retried.summary).toEqual([
      'Build ',
      { url: build1.replace(/1$/, '2'), label: '#2' },
      ` of \`${DEPLOY.pipeline}/${DEPLOY.job}\` deployed the merged secrets.`,
    ]);
    expect(triggered(DEPLOY.job)).toBe(2);
  });
});
