import type { Target } from '../../config/catalog.js';
import type { Metrics } from '../../logging/metrics.js';
import type { HealthStore } from './health-store.js';
import { HEALTH_LEVELS } from './pair-health.js';

/**
 * Sets the health gauges from Redis just before a scrape, so every process serving /metrics shows
 * the same values whichever worker ran the checks.
 */
export async function exportHealthMetrics(
  targets: readonly Target[],
  store: HealthStore,
  metrics: Metrics,
): Promise<void> {
  const records = await store.getMany(targets);
  metrics.pairHealth.reset();
  metrics.driftCheck.reset();
  metrics.lastDriftCheck.reset();
  for (const record of records) {
    if (!record) continue;
    const pair = { app: record.app, env: record.env };
    metrics.pairHealth.set(pair, HEALTH_LEVELS.indexOf(record.health));
    metrics.lastDriftCheck.set(pair, Math.floor(record.checkedAt / 1000));
    for (const check of record.checks) {
      if (check.outcome === 'skipped') continue;
      metrics.driftCheck.set({ ...pair, check: check.id }, HEALTH_LEVELS.indexOf(check.outcome));
    }
  }
}
