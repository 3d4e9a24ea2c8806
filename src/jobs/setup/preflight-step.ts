import { describeTransport, type Target } from '../../config/catalog.js';
import { BotError, toBotError } from '../../errors.js';
import { TUBULAR_PIPELINE_STATES } from '../../integrations/concourse/tubular-pipeline.js';
import type { SetupServices } from './setup-services.js';
import type { SetupStep } from './setup-step.js';

/**
 * Proves every remote system is reachable and lets the bot do its job before anything changes:
 * the LMS (over SSH: sudo to the app user; over Kubernetes: the permissions and a Ready pod; then
 * Django), Vault (token and path) and Concourse (login and team). Problems are reported together so one run shows everything to fix.
 */
export const preflightStep: SetupStep = {
  id: 'preflight',
  title: 'Preflight: LMS, Vault and Concourse reachable and authorised',
  async apply({ target }, services) {
    return { summary: await check(target, services) };
  },
  async preview({ target }, services) {
    return { changes: false, summary: await check(target, services) };
  },
};

async function check(target: Target, services: SetupServices): Promise<string> {
  assertPipelineStatesConfigured(target);
  const record = recordChecks(target, services);
  const checks = await Promise.allSettled([
    services.edxWorker().then(async (edx) => {
      services.memory.inspection = await edx.inspect();
    }),
    services.credentials.checkAccess(target),
    services.concourse(target).checkAccess(),
    ...record.map((c) => c.check),
  ]);
  const names = [
    describeTransport(target),
    'Vault',
    `Concourse team ${target.concourse.team}`,
    ...record.map((c) => c.name),
  ];
  const failures = checks.flatMap((result, index) =>
    result.status === 'rejected' ? [{ name: names[index], error: toBotError(result.reason) }] : [],
  );
  if (failures.length === 0) return `${names.join(', ')}: reachable and authorised.`;
  throw new BotError({
    code: failures.length === 1 ? (failures[0]?.error.code ?? 'preflight_failed') : 'preflight_failed',
    userMessage: failures.map((f) => `${f.name}: ${f.error.userMessage}`).join(' '),
    detail: failures.map((f) => `${f.name}: ${f.error.detail ?? f.error.code}`).join('; '),
    retryable: failures.every((f) => f.error.retryable),
    // Retry helps as soon as one problem is of the kind that goes away (a host back up).
    ...(failures.every((f) => f.error.remedy)
      ? { remedy: failures.map((f) => f.error.remedy).join(' ') }
      : {}),
  });
}

/**
 * For a sops pair: the file can be read on GitHub and its data key unwrapped (which decrypts it),
 * and the afterMerge job's Concourse team is open to the bot.
 */
function recordChecks(target: Target, services: SetupServices): { name: string; check: Promise<unknown> }[] {
  const record = target.credentials.record;
  if (record === 'vault') return [];
  const file = {
    name: `${record.sops.repo} \`${record.sops.file}\` (GitHub, Vault transit)`,
    check: services.secretsOfRecord.valuesAt(record, record.sops.base).then((values) => {
      if (values) services.protectSecret(values.secret);
    }),
  };
  const job = record.afterMerge?.concourse;
  if (!job) return [file];
  return [
    file,
    {
      name: `Concourse team ${job.team}`,
      check: services.concourse({ ...target, concourse: job }).checkAccess(),
    },
  ];
}

/**
 * The pipeline retires learners through tubular's states; an LMS configured without them (as
 * mitx and mitx-staging are today) would fail every retirement, so nothing is set up for it.
 */
function assertPipelineStatesConfigured(target: Target): void {
  const missing = TUBULAR_PIPELINE_STATES.filter((state) => !target.retirementStates.includes(state));
  if (missing.length === 0) return;
  throw new BotError({
    code: 'retirement_states_incomplete',
    userMessage: `${target.app} ${target.env} is configured without the retirement states the tubular pipeline uses (missing: ${missing.join(', ')}); add them to RETIREMENT_STATES in the LMS settings and the catalog first.`,
    remedy: `Add ${missing.join(', ')} to the LMS's RETIREMENT_STATES and to the catalog's retirementStates for ${target.app} ${target.env}, restart the bot, then run a new setup.`,
  });
}
