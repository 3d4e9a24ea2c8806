import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcourseEmulator } from '../../../emulators/concourse/concourse-emulator.js';
import type { Target } from '../../../src/config/catalog.js';
import { ConcourseClient } from '../../../src/integrations/concourse/concourse-client.js';
import { buildTubularPipeline } from '../../../src/integrations/concourse/tubular-pipeline.js';
import { concourseSetStep } from '../../../src/jobs/setup/concourse-set-step.js';
import type { SetupServices } from '../../../src/jobs/setup/setup-services.js';
import type { StepContext } from '../../../src/jobs/step-definition.js';
import { summaryText } from '../../../src/jobs/step-summary.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { testCatalog } from '../../support/test-catalog.js';

/*
 * The set step against the emulated ATC, which gives the config back re-marshalled the way the
 * real one does (`check_every: 60s` as `1m0s`, task images with `"name": ""`, resources by name).
 */
const PASSWORD = 'concourse-password-c41d';
const target = testCatalog().get('mitxonline', 'qa') as Target;
const { team, pipeline } = target.concourse;

let atc: ConcourseEmulator;
let concourse: ConcourseClient;
let services: SetupServices;

beforeEach(async () => {
  atc = await ConcourseEmulator.start({
    users: [{ username: 'bot', password: PASSWORD, teams: { [team]: ['member'] } }],
  });
  const redactor = new SecretRedactor();
  concourse = new ConcourseClient({
    url: atc.url,
    team,
    username: 'bot',
    password: PASSWORD,
    timeoutMs: 2_000,
    redactor,
    logger: createLogger({ level: 'silent', redactor }),
  });
  services = { concourse: () => concourse } as unknown as SetupServices;
});
afterEach(async () => {
  await atc.stop();
});

const context = { target } as StepContext;
const pipelineUrl = `${target.concourse.url}/teams/${team}/pipelines/${pipeline}`;
const saves = () => atc.traffic.filter((t) => t.method === 'PUT' && t.path.endsWith('/config')).length;

describe('the concourse-set step against what the ATC gives back', () => {
  it('sets the pipeline once, then finds the rewritten config unchanged and saves nothing', async () => {
    const created = await concourseSetStep.apply(context, services);
    expect(summaryText(created.summary)).toBe(`Created ${team}/${pipeline} (${pipelineUrl}).`);
    expect(created).toMatchObject({ changed: true, details: '1 jobs, 2 resources (107 lines of YAML).' });
    const stored = (await concourse.getPipelineConfig(pipeline))?.config as {
      resources: { name: string; check_every?: string }[];
    };
    expect(stored.resources.map((r) => [r.name, r.check_every])).toEqual([
      ['build-schedule', undefined],
      ['tubular-pipeline-config', '1m0s'],
    ]);
    expect(JSON.stringify(stored)).toContain('"image_resource":{"name":"","type":"registry-image"');

    const again = await concourseSetStep.apply(context, services);
    expect(again).toEqual({
      summary: [
        { url: pipelineUrl, label: `${team}/${pipeline}` },
        ' already matches the generated definition.',
      ],
      changed: false,
    });
    expect(await concourseSetStep.preview(context, services)).toEqual({
      changes: false,
      summary: `\`${team}/${pipeline}\` is up to date.`,
    });
    expect(saves()).toBe(1);
  });

  it('still sees a change made in Concourse, shows it, and puts the generated definition back', async () => {
    await concourseSetStep.apply(context, services);
    const edited = structuredClone(buildTubularPipeline());
    const [git] = edited.resources;
    if (git) git.check_every = '5m';
    const task = edited.jobs[0]?.plan.find((s) => 'task' in s && s.task === 'tubular-retire-users-task');
    if (task && 'config' in task && task.config.params)
      task.config.params.TUBULAR_LMS_HOST = 'https://elsewhere';
    await concourse.setPipeline(pipeline, edited, (await concourse.getPipelineConfig(pipeline))?.version);

    const preview = await concourseSetStep.preview(context, services);
    expect(preview).toMatchObject({ changes: true, summary: `Would update \`${team}/${pipeline}\`.` });
    expect(preview.details).toContain('-  - check_every: 5m0s\n+  - check_every: 1m0s');
    expect(preview.details).toMatch(/^-\s+TUBULAR_LMS_HOST: https:\/\/elsewhere$/m);
    expect(preview.details).toMatch(/^\+\s+TUBULAR_LMS_HOST: \(\(tubular_oauth_client\.host\)\)$/m);
    expect(preview.details?.match(/^[-+] /gm)).toHaveLength(4);
    // Only the changed lines (and their hunk headers) reach the approver, not the context around them.
    expect(preview.details?.split('\n').every((line) => /^[-+@]/.test(line))).toBe(true);

    const applied = await concourseSetStep.apply(context, services);
    expect(summaryText(applied.summary)).toBe(`Updated ${team}/${pipeline} (${pipelineUrl}).`);
    expect(applied.details).toBe(preview.details);
    expect(summaryText((await concourseSetStep.apply(context, services)).summary)).toContain(
      'already matches',
    );
    expect(saves()).toBe(3);
  });
});
