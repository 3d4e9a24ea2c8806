import { z } from 'zod';

/**
 * A pair's health after a drift check. `broken`: the pipeline cannot retire anyone as it stands
 * (credentials refused or missing, the LMS application gone, the pipeline missing or paused, the
 * last build failed). `degraded`: it may still work but something is off (its config drifted from
 * the generated one, its last build is older than the schedule allows, or a service could not be
 * asked at all: an unreachable Vault, LMS or Concourse says nothing about the pipeline itself).
 */
export const HEALTH_LEVELS = ['ok', 'degraded', 'broken'] as const;
export type Health = (typeof HEALTH_LEVELS)[number];

export const CHECK_IDS = [
  'vault',
  'token',
  'lms-application',
  'pipeline',
  'pipeline-config',
  'last-build',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_TITLES: Record<CheckId, string> = {
  vault: 'Vault holds {id, secret, host}',
  token: 'the LMS issues a token for them',
  'lms-application': 'the LMS application has that client id',
  pipeline: 'the pipeline exists and is unpaused',
  'pipeline-config': 'the pipeline config equals the generated one',
  'last-build': 'the last build succeeded and is recent',
};

/** One check's verdict; `skipped` when an earlier check's failure leaves nothing to check. */
const checkResultSchema = z.object({
  id: z.enum(CHECK_IDS),
  outcome: z.enum(['ok', 'degraded', 'broken', 'skipped']),
  message: z.string(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

const lastBuildSchema = z.object({
  name: z.string(),
  status: z.string(),
  at: z.number().optional(),
  url: z.string(),
});
export type LastBuild = z.infer<typeof lastBuildSchema>;

/** What the alert channel was last told about the pair, so a change is posted once. */
const postedSchema = z.object({
  signature: z.string(),
  health: z.enum(HEALTH_LEVELS),
  channel: z.string(),
});

export const healthRecordSchema = z.object({
  app: z.string(),
  env: z.string(),
  health: z.enum(HEALTH_LEVELS),
  checks: z.array(checkResultSchema),
  /** When the pair entered this health with these failing checks. */
  since: z.number(),
  checkedAt: z.number(),
  lastBuild: lastBuildSchema.optional(),
  posted: postedSchema.optional(),
  silencedUntil: z.number().optional(),
  silencedBy: z.string().optional(),
  /** Bumped on every write: writers compare it so two checks never both claim one change. */
  revision: z.number().int(),
});
export type HealthRecord = z.infer<typeof healthRecordSchema>;

export function worstOutcome(checks: readonly CheckResult[]): Health {
  if (checks.some((check) => check.outcome === 'broken')) return 'broken';
  if (checks.some((check) => check.outcome === 'degraded')) return 'degraded';
  return 'ok';
}

export function failingChecks(record: Pick<HealthRecord, 'checks'>): CheckResult[] {
  return record.checks.filter((check) => check.outcome === 'broken' || check.outcome === 'degraded');
}

/**
 * The health and which checks fail, e.g. `broken:pipeline,token`; messages are left out, so a
 * changed wording (a build's age) is not a change of health.
 */
export function healthSignature(record: Pick<HealthRecord, 'health' | 'checks'>): string {
  if (record.health === 'ok') return 'ok';
  const failing = failingChecks(record).map((check) => `${check.id}=${check.outcome}`);
  return `${record.health}:${failing.sort().join(',')}`;
}
