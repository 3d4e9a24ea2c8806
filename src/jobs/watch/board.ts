import type { Catalog, Target } from '../../config/catalog.js';
import type { RunRecord } from '../run-record.js';
import type { RunStore } from '../run-store.js';
import type { HealthStore } from './health-store.js';
import type { HealthRecord } from './pair-health.js';

/** One pair on the board: its health (absent until first checked) and the bot's last run. */
export interface BoardRow {
  target: Target;
  health?: HealthRecord;
  lastRun?: RunRecord;
}

/**
 * Every configured pair, from Redis only (the last build is the one the last check saw), so the
 * board opens at once however many pairs there are and whatever services are slow.
 */
export async function readBoard(catalog: Catalog, health: HealthStore, runs: RunStore): Promise<BoardRow[]> {
  const targets = catalog.all();
  const [records, lastRuns] = await Promise.all([
    health.getMany(targets),
    Promise.all(
      targets.map((t) => runs.history({ app: t.app, env: t.env, limit: 1 }).then((list) => list[0])),
    ),
  ]);
  return targets.map((target, index) => {
    const record = records[index];
    const lastRun = lastRuns[index];
    return { target, ...(record ? { health: record } : {}), ...(lastRun ? { lastRun } : {}) };
  });
}
