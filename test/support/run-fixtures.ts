import { newRunRecord, type RunRecord, type StepRecord } from '../../src/jobs/run-record.js';

/**
 * Run records as the executor leaves them, for the Block Kit builders' tests: fixed ids and
 * times, so renders are stable, and links as the steps give them.
 */
export const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);
const CONCOURSE = 'https://cicd.example.edu/teams/mitxonline/pipelines/misc-cloud-tubular';
export const FIXTURE_LINKS = {
  pipeline: { url: CONCOURSE, label: 'mitxonline/misc-cloud-tubular' },
  build: { url: `${CONCOURSE}/jobs/retire-learners/builds/3`, label: '#3' },
  vault: {
    url: 'https://vault.example.edu/ui/vault/secrets/secret-concourse/kv/mitxonline%2Ftubular_oauth_client',
    label: 'secret-concourse/mitxonline/tubular_oauth_client',
  },
  lms: { url: 'https://lms.example.edu', label: 'lms.example.edu' },
};

function step(id: string, title: string, at: number, fields: Partial<StepRecord> = {}): StepRecord {
  return {
    id,
    title,
    status: 'done',
    startedAt: T0 + at * 1_000,
    finishedAt: T0 + (at + 2) * 1_000,
    ...fields,
  };
}

function base(kind: RunRecord['kind']): RunRecord {
  return newRunRecord({
    id: 'r-0001',
    kind,
    app: 'mitxonline',
    env: 'qa',
    requestedBy: 'U0ALICE',
    channel: 'C1',
    now: T0,
  });
}

export function succeededSetup(): RunRecord {
  const { pipeline, build, vault, lms } = FIXTURE_LINKS;
  return {
    ...base('setup'),
    status: 'succeeded',
    finishedAt: T0 + 125_000,
    steps: [
      step('preflight', 'Preflight', 0, { summary: 'Everything reachable & authorised <ok>.' }),
      step('lms-states', 'LMS retirement states', 2, {
        summary: 'All 12 states already in place.',
        changed: false,
      }),
      step('credentials', 'Credentials', 4, {
        summary: `Wrote id, secret and host to ${vault.label} (${vault.url}).`,
        summaryParts: ['Wrote id, secret and host to ', vault, '.'],
        details:
          'id: (none) → abc\nsecret: a new one (value not shown)\nhost: (none) → https://lms.example.edu',
        changed: true,
      }),
      step('verify-credentials', 'Verify the credentials', 6, {
        summary: `The LMS at ${lms.label} (${lms.url}) issued a token.`,
        summaryParts: ['The LMS at ', lms, ' issued a token.'],
      }),
      step('concourse-set', 'Concourse: set the tubular pipeline', 8, {
        summary: `Created ${pipeline.label} (${pipeline.url}).`,
        summaryParts: ['Created ', pipeline, '.'],
        details: '1 jobs, 2 resources (107 lines of YAML).',
        changed: true,
      }),
      step('first-build', 'Concourse: trigger and follow the first build', 10, {
        summary: `Build ${build.label} (${build.url}) succeeded.`,
        summaryParts: ['Build ', build, ' of `misc-cloud-tubular/retire-learners` succeeded.'],
        changed: true,
      }),
    ],
  };
}

export function succeededPlan(): RunRecord {
  const names = ['preflight', 'lms-states', 'worker-user', 'credentials', 'concourse-set'];
  return {
    ...base('plan'),
    status: 'succeeded',
    finishedAt: T0 + 9_000,
    steps: names.map((id, i) =>
      step(id, id, i, { summary: i < 2 ? 'Already in place.' : 'Would change it.', changed: i >= 2 }),
    ),
  };
}

export function failedBuild(): RunRecord {
  const run = succeededSetup();
  const last = run.steps.length - 1;
  return {
    ...run,
    status: 'failed',
    steps: run.steps.map((s, i) =>
      i === last
        ? {
            ...s,
            status: 'failed',
            summary: 'Build #3 ended failed.',
            summaryParts: undefined,
            changed: undefined,
          }
        : s,
    ),
    error: {
      step: 'first-build',
      code: 'concourse_build_failed',
      message: 'Build #3 ended failed.',
      links: [FIXTURE_LINKS.build],
    },
  };
}

export function failedConfiguration(): RunRecord {
  return {
    ...base('setup'),
    status: 'failed',
    finishedAt: T0 + 1_500,
    steps: [
      step('preflight', 'Preflight', 0, { status: 'failed', summary: 'States missing: <RETIRING_NOTES>.' }),
    ],
    error: {
      step: 'preflight',
      code: 'retirement_states_incomplete',
      message: 'States missing: <RETIRING_NOTES>.',
      remedy: 'Add RETIRING_NOTES to the catalog, then run a new setup.',
    },
  };
}

export function cancelledSetup(): RunRecord {
  const run = succeededSetup();
  return {
    ...run,
    status: 'cancelled',
    cancelRequestedBy: 'U0BOB',
    steps: run.steps.map((s, i) => (i < 3 ? s : { id: s.id, title: s.title, status: 'pending' as const })),
  };
}
