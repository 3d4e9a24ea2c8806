import { BotError } from '../../errors.js';
import { type ConcoursePipeline, pipelineSchema } from './pipeline-schema.js';

/**
 * The pipeline `ol_concourse/pipelines/open_edx/tubular/tubular.py` generates (domain.md D.2).
 * It is the same for every app and environment: the Concourse team the pipeline is set in picks
 * the Vault secret behind ((tubular_oauth_client.*)).
 */
/**
 * The states tubular moves a learner through, from the pipeline's openedx-config.yml
 * (domain.md D.1): the LMS must have every one of them, or retiring a learner fails.
 */
export const TUBULAR_PIPELINE_STATES = [
  'RETIRING_FORUMS',
  'FORUMS_COMPLETE',
  'RETIRING_ENROLLMENTS',
  'ENROLLMENTS_COMPLETE',
  'RETIRING_NOTES',
  'NOTES_COMPLETE',
  'RETIRING_LMS_MISC',
  'LMS_MISC_COMPLETE',
  'RETIRING_LMS',
  'LMS_COMPLETE',
];

const CONFIG_REPO = 'tubular-pipeline-config';
const SCHEDULE = 'build-schedule';
const RETIREES = 'tubular-retirees';
const CONFIG_FILE = `${CONFIG_REPO}/src/ol_concourse/pipelines/open_edx/tubular/openedx-config.yml`;
const TUBULAR_IMAGE = {
  type: 'registry-image',
  source: { repository: 'dockerhub/mitodl/openedx-tubular', aws_region: 'us-east-1' },
};
const OAUTH_PARAMS = {
  TUBULAR_OAUTH_CLIENT_ID: '((tubular_oauth_client.id))',
  TUBULAR_OAUTH_CLIENT_SECRET: '((tubular_oauth_client.secret))',
  TUBULAR_LMS_HOST: '((tubular_oauth_client.host))',
};
/** Turns the learner_retire_* files get_learners_to_retire writes into a JSON list for load_var. */
const COLLECT_RETIREES = [
  'import json',
  'from pathlib import Path',
  'learner_dir = Path("tubular-retirees/processing")',
  'rfiles = learner_dir.glob("learner*")',
  'retirees = []',
  'for rfile in rfiles:',
  `    retiree = rfile.read_text().strip('\\n').split("=")[-1]`,
  '    retirees.append(retiree)',
  'with open("retirees_dir/vars.json","w") as vj:',
  '    vj.write(json.dumps(retirees))',
  '',
].join('\n');

export function buildTubularPipeline(): ConcoursePipeline {
  const pipeline: ConcoursePipeline = {
    jobs: [
      {
        max_in_flight: 1,
        name: 'deploy-tubular-world',
        plan: [
          { trigger: true, get: CONFIG_REPO },
          { trigger: true, get: SCHEDULE },
          {
            task: 'tubular-generate-retirees-task',
            config: {
              platform: 'linux',
              image_resource: TUBULAR_IMAGE,
              inputs: [{ name: CONFIG_REPO }],
              outputs: [{ name: RETIREES }],
              params: OAUTH_PARAMS,
              run: {
                path: '/app/scripts/get_learners_to_retire.py',
                args: [
                  '--config_file',
                  CONFIG_FILE,
                  '--output_dir',
                  `${RETIREES}/processing`,
                  '--cool_off_days',
                  '0',
                ],
              },
            },
          },
          {
            task: 'tubular-process-retired-users-task',
            config: {
              platform: 'linux',
              image_resource: TUBULAR_IMAGE,
              inputs: [{ name: RETIREES }],
              outputs: [{ name: 'retirees_dir' }],
              run: { path: 'python', args: ['-c', COLLECT_RETIREES] },
            },
          },
          { load_var: 'tubular_retirees', file: 'retirees_dir/vars.json', reveal: true },
          {
            task: 'tubular-retire-users-task',
            across: [{ var: 'tubular_retiree', values: '((.:tubular_retirees))' }],
            config: {
              platform: 'linux',
              image_resource: TUBULAR_IMAGE,
              inputs: [{ name: RETIREES }, { name: CONFIG_REPO }],
              params: OAUTH_PARAMS,
              run: {
                path: '/app/scripts/retire_one_learner.py',
                args: ['--config_file', CONFIG_FILE, '--username', '((.:tubular_retiree))'],
              },
            },
          },
        ],
      },
    ],
    resources: [
      {
        name: CONFIG_REPO,
        type: 'git',
        icon: 'git',
        check_every: '60s',
        source: {
          uri: 'https://github.com/mitodl/ol-infrastructure',
          branch: 'main',
          paths: ['src/ol_concourse/pipelines/open_edx/tubular'],
          fetch_tags: false,
        },
      },
      {
        name: SCHEDULE,
        type: 'time',
        icon: 'clock',
        source: { interval: '168h', start: null, stop: null, days: null },
      },
    ],
  };
  return validatePipeline(pipeline);
}

export function validatePipeline(candidate: unknown): ConcoursePipeline {
  const result = pipelineSchema.safeParse(candidate);
  if (result.success) return result.data;
  throw new BotError({
    code: 'pipeline_invalid',
    userMessage: `The generated pipeline is invalid: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
  });
}
