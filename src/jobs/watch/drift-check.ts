import type { Target } from '../../config/catalog.js';
import { BotError, toBotError } from '../../errors.js';
import { FINISHED_BUILD_STATUSES } from '../../integrations/concourse/concourse-client.js';
import { diffConfig } from '../../integrations/concourse/pipeline-config-diff.js';
import { buildTubularPipeline } from '../../integrations/concourse/tubular-pipeline.js';
import type { CredentialStore, OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { ConcourseOperations, EdxWorkerOperations } from '../setup/setup-services.js';
import { maxBuildAgeMs } from './build-schedule.js';
import type { CheckId, CheckResult, LastBuild } from './pair-health.js';

/** The read-only calls a drift check makes: the same clients `plan` uses. */
export interface DriftCheckDependencies {
  credentials: Pick<CredentialStore, 'read'>;
  verifyCredentials(credentials: OAuthClientCredentials): Promise<unknown>;
  connectEdxWorker(
    target: Target,
  ): Promise<{ client: Pick<EdxWorkerOperations, 'inspect'>; close(): Promise<void> }>;
  concourse(target: Target): Pick<ConcourseOperations, 'getPipeline' | 'getPipelineConfig' | 'listJobBuilds'>;
  protectSecret(secret: string): void;
  now?: () => number;
}

export interface DriftReport {
  checks: CheckResult[];
  lastBuild?: LastBuild;
}

/** Runs one pair's drift check; changes nothing anywhere. */
export type PairChecker = (target: Target) => Promise<DriftReport>;

/** The LMS's answers that mean the credentials are not accepted (as opposed to the LMS failing). */
const REFUSED = [
  'lms_credentials_rejected',
  'lms_grant_type_not_allowed',
  'lms_token_refused',
  'lms_host_mismatch',
];
const BUILDS_READ = 5;

export function createDriftChecker(deps: DriftCheckDependencies): PairChecker {
  const now = deps.now ?? Date.now;
  return async (target) => {
    const [credentialChecks, pipelineChecks] = await Promise.all([
      checkCredentials(target, deps),
      checkPipeline(target, deps, now()),
    ]);
    return {
      checks: [...credentialChecks, ...pipelineChecks.checks],
      ...(pipelineChecks.lastBuild ? { lastBuild: pipelineChecks.lastBuild } : {}),
    };
  };
}

const result = (id: CheckId, outcome: CheckResult['outcome'], message: string): CheckResult => ({
  id,
  outcome,
  message,
});

/** A service that could not be asked: the pair is degraded, not broken (nothing is known). */
const unreachable = (id: CheckId, error: unknown): CheckResult =>
  result(id, 'degraded', `could not be checked: ${toBotError(error).userMessage}`);

async function checkCredentials(target: Target, deps: DriftCheckDependencies): Promise<CheckResult[]> {
  let stored: OAuthClientCredentials | undefined;
  try {
    stored = await deps.credentials.read(target);
  } catch (error) {
    const malformed = error instanceof BotError && error.code === 'vault_secret_malformed';
    const skipped = skip(['token', 'lms-application'], 'Vault could not be read');
    return [
      malformed ? result('vault', 'broken', toBotError(error).userMessage) : unreachable('vault', error),
      ...skipped,
    ];
  }
  if (!stored) {
    return [
      result('vault', 'broken', 'Vault holds no tubular_oauth_client'),
      ...skip(['token', 'lms-application'], 'nothing in Vault'),
    ];
  }
  deps.protectSecret(stored.secret);
  const vault =
    stored.host === target.lmsUrl
      ? result('vault', 'ok', `client id \`${stored.id}\` for ${stored.host}`)
      : result('vault', 'broken', `Vault's credentials are for ${stored.host}, not ${target.lmsUrl}`);
  const [token, application] = await Promise.all([
    checkToken(stored, deps),
    checkApplication(target, stored, deps),
  ]);
  return [vault, token, application];
}

async function checkToken(
  stored: OAuthClientCredentials,
  deps: DriftCheckDependencies,
): Promise<CheckResult> {
  try {
    await deps.verifyCredentials(stored);
    return result('token', 'ok', `the LMS issued a token to \`${stored.id}\``);
  } catch (error) {
    if (error instanceof BotError && REFUSED.includes(error.code))
      return result('token', 'broken', error.userMessage);
    return unreachable('token', error);
  }
}

async function checkApplication(
  target: Target,
  stored: OAuthClientCredentials,
  deps: DriftCheckDependencies,
): Promise<CheckResult> {
  let connection: Awaited<ReturnType<DriftCheckDependencies['connectEdxWorker']>> | undefined;
  try {
    connection = await deps.connectEdxWorker(target);
    const { application } = await connection.client.inspect();
    const name = `\`${target.dotApplicationName}\``;
    if (!application.exists) return result('lms-application', 'broken', `the LMS has no application ${name}`);
    if (application.clientId !== stored.id) {
      return result(
        'lms-application',
        'broken',
        `application ${name} has client id \`${application.clientId}\`, Vault \`${stored.id}\``,
      );
    }
    return result('lms-application', 'ok', `application ${name} has client id \`${stored.id}\``);
  } catch (error) {
    return unreachable('lms-application', error);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function checkPipeline(
  target: Target,
  deps: DriftCheckDependencies,
  now: number,
): Promise<{ checks: CheckResult[]; lastBuild?: LastBuild }> {
  const concourse = deps.concourse(target);
  const { pipeline, team } = target.concourse;
  const name = `\`${team}/${pipeline}\``;
  try {
    const state = await concourse.getPipeline(pipeline);
    if (!state) {
      return {
        checks: [
          result('pipeline', 'broken', `${name} does not exist`),
          ...skip(['pipeline-config', 'last-build'], 'no pipeline'),
        ],
      };
    }
    const exists = state.paused
      ? result('pipeline', 'broken', `${name} is paused`)
      : result('pipeline', 'ok', `${name} is unpaused`);
    const [config, builds] = await Promise.all([
      checkConfig(concourse, pipeline, name),
      readLastBuild(target, concourse, now),
    ]);
    return {
      checks: [exists, config, builds.check],
      ...(builds.lastBuild ? { lastBuild: builds.lastBuild } : {}),
    };
  } catch (error) {
    return {
      checks: [
        unreachable('pipeline', error),
        ...skip(['pipeline-config', 'last-build'], 'Concourse could not be read'),
      ],
    };
  }
}

async function checkConfig(
  concourse: ReturnType<DriftCheckDependencies['concourse']>,
  pipeline: string,
  name: string,
): Promise<CheckResult> {
  const current = await concourse.getPipelineConfig(pipeline);
  if (!current) return result('pipeline-config', 'broken', `${name} has no config`);
  return diffConfig(current.config, buildTubularPipeline()).changed
    ? result(
        'pipeline-config',
        'degraded',
        `${name} differs from the generated definition (see \`/retirement plan\`)`,
      )
    : result('pipeline-config', 'ok', `${name} matches the generated definition`);
}

async function readLastBuild(
  target: Target,
  concourse: ReturnType<DriftCheckDependencies['concourse']>,
  now: number,
): Promise<{ check: CheckResult; lastBuild?: LastBuild }> {
  const { url, team, pipeline, job } = target.concourse;
  const builds = await concourse.listJobBuilds(pipeline, job, BUILDS_READ);
  const finished = builds.find((build) => FINISHED_BUILD_STATUSES.includes(build.status));
  if (!finished)
    return { check: result('last-build', 'degraded', `job \`${job}\` has no finished build yet`) };
  // The ATC reports Unix seconds.
  const at = (finished.end_time ?? finished.start_time ?? 0) * 1000;
  const lastBuild: LastBuild = {
    name: finished.name,
    status: finished.status,
    ...(at > 0 ? { at } : {}),
    url: `${url}/teams/${team}/pipelines/${pipeline}/jobs/${job}/builds/${finished.name}`,
  };
  const label = `build #${finished.name} of \`${job}\``;
  if (finished.status !== 'succeeded')
    return { check: result('last-build', 'broken', `${label} ${finished.status}`), lastBuild };
  const ageMs = now - at;
  if (ageMs > maxBuildAgeMs()) {
    const days = Math.floor(ageMs / 86_400_000);
    return {
      check: result(
        'last-build',
        'degraded',
        `${label} succeeded ${days} days ago; the pipeline should run weekly`,
      ),
      lastBuild,
    };
  }
  return { check: result('last-build', 'ok', `${label} succeeded`), lastBuild };
}

function skip(ids: CheckId[], why: string): CheckResult[] {
  return ids.map((id) => result(id, 'skipped', `not checked: ${why}`));
}
