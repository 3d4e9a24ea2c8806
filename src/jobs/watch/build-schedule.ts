import { buildTubularPipeline } from '../../integrations/concourse/tubular-pipeline.js';

/** A scheduled build may start late and run for a while; past this margin it is overdue. */
export const BUILD_AGE_MARGIN_MS = 24 * 3_600_000;

const GO_DURATION_PART = /(\d+)(h|m|s)/g;
const PART_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;

/**
 * How often the generated pipeline's `time` resource triggers the job (168h, weekly: domain.md
 * D.2): read from the definition the bot sets, so the check follows it if it ever changes.
 */
export function buildIntervalMs(): number {
  const time = buildTubularPipeline().resources.find((resource) => resource.type === 'time');
  const interval = time?.source.interval;
  if (typeof interval !== 'string') throw new Error('the tubular pipeline has no time resource interval');
  let total = 0;
  for (const [, amount, unit] of interval.matchAll(GO_DURATION_PART)) {
    total += Number(amount) * PART_MS[unit as keyof typeof PART_MS];
  }
  return total;
}

/** The oldest a last successful build may be before the pipeline counts as not running. */
export function maxBuildAgeMs(): number {
  return buildIntervalMs() + BUILD_AGE_MARGIN_MS;
}
