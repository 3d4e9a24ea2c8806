import { describe, expect, it } from 'vitest';
import type { Target } from '../../../src/config/catalog.js';
import { BotError } from '../../../src/errors.js';
import { buildTubularPipeline } from '../../../src/integrations/concourse/tubular-pipeline.js';
import { maxBuildAgeMs } from '../../../src/jobs/watch/build-schedule.js';
import { createDriftChecker, type DriftCheckDependencies } from '../../../src/jobs/watch/drift-check.js';
import { worstOutcome } from '../../../src/jobs/watch/pair-health.js';
import { testCatalog } from '../../support/test-catalog.js';

const target = testCatalog().get('mitxonline', 'qa') as Target;
const NOW = 1_800_000_000_000;
const stored = { id: 'client-id', secret: 'a-secret-of-some-length', host: target.lmsUrl };

/** Services where everything is in place; each test breaks one thing. */
function healthy(overrides: Partial<DriftCheckDependencies> = {}): DriftCheckDependencies {
  return {
    credentials: { read: async () => stored },
    verifyCredentials: async () => ({}),
    connectEdxWorker: async () => ({
      client: {
        inspect: async () => ({
          user: { exists: true, isStaff: true, isSuperuser: true },
          application: { exists: true, clientId: stored.id },
        }),
      },
      close: async () => undefined,
    }),
    concourse: () => ({
      getPipeline: async () => ({ name: 'p', paused: false, team_name: 'mitxonline' }),
      getPipelineConfig: async () => ({ config: buildTubularPipeline(), version: '3' }),
      listJobBuilds: async () => [
        {
          id: 9,
          name: '9',
          status: 'succeeded',
          team_name: 'mitxonline',
          end_time: (NOW - 3_600_000) / 1000,
        },
      ],
    }),
    protectSecret: () => undefined,
    now: () => NOW,
    ...overrides,
  };
}

const outcomes = async (deps: DriftCheckDependencies) => {
  const report = await createDriftChecker(deps)(target);
  return {
    health: worstOutcome(report.checks),
    byId: Object.fromEntries(report.checks.map((c) => [c.id, c])),
  };
};

const unreachable = (code: string) => async () => {
  throw new BotError({ code, userMessage: `${code} says no`, retryable: true });
};

describe('the drift check', () => {
  it('finds a healthy pair ok', async () => {
    const { health, byId } = await outcomes(healthy());
    expect(health).toBe('ok');
    expect(Object.keys(byId)).toEqual([
      'vault',
      'token',
      'lms-application',
      'pipeline',
      'pipeline-config',
      'last-build',
    ]);
  });

  it('calls refused credentials broken, but an unreachable LMS only degraded', async () => {
    const refused = await outcomes(healthy({ verifyCredentials: unreachable('lms_credentials_rejected') }));
    expect(refused.health).toBe('broken');
    expect(refused.byId.token?.outcome).toBe('broken');
    const away = await outcomes(healthy({ verifyCredentials: unreachable('lms_unreachable') }));
    expect(away.health).toBe('degraded');
    expect(away.byId.token?.message).toContain('could not be checked: lms_unreachable says no');
  });

  it('does not call the pipeline broken when Concourse cannot be reached', async () => {
    const failing = unreachable('concourse_unreachable');
    const { health, byId } = await outcomes(
      healthy({
        concourse: () => ({ getPipeline: failing, getPipelineConfig: failing, listJobBuilds: failing }),
      }),
    );
    expect(health).toBe('degraded');
    expect(byId.pipeline?.outcome).toBe('degraded');
    expect(byId['pipeline-config']?.outcome).toBe('skipped');
    expect(byId['last-build']?.outcome).toBe('skipped');
  });

  it('calls an unreachable Vault degraded and skips what needs its credentials', async () => {
    const { health, byId } = await outcomes(
      healthy({ credentials: { read: unreachable('vault_unreachable') } }),
    );
    expect(health).toBe('degraded');
    expect(byId.token?.outcome).toBe('skipped');
    expect(byId['lms-application']?.outcome).toBe('skipped');
  });

  it('allows the last success the schedule plus its margin, no more', async () => {
    const aged = (ageMs: number) =>
      healthy({
        concourse: () => ({
          ...healthy().concourse(target),
          listJobBuilds: async () => [
            {
              id: 9,
              name: '9',
              status: 'succeeded',
              team_name: 'mitxonline',
              end_time: (NOW - ageMs) / 1000,
            },
          ],
        }),
      });
    expect(maxBuildAgeMs()).toBe((168 + 24) * 3_600_000);
    expect((await outcomes(aged(maxBuildAgeMs() - 1000))).health).toBe('ok');
    expect((await outcomes(aged(maxBuildAgeMs() + 1000))).byId['last-build']?.outcome).toBe('degraded');
  });

  it('closes the LMS connection it opened, even when the inspection fails', async () => {
    let closed = false;
    const { byId } = await outcomes(
      healthy({
        connectEdxWorker: async () => ({
          client: { inspect: unreachable('edx_command_failed') },
          close: async () => {
            closed = true;
          },
        }),
      }),
    );
    expect(byId['lms-application']?.outcome).toBe('degraded');
    expect(closed).toBe(true);
  });
});
