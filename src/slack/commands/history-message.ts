import type { Target } from '../../config/catalog.js';
import type { RunStore } from '../../jobs/run-store.js';
import { runLine } from './status-message.js';

const HISTORY_LIMIT = 10;

/** `/retirement history [<app> <env>]`: the newest runs, from Redis only (fast enough to ack with). */
export async function historyMessage(target: Target | undefined, store: RunStore): Promise<string> {
  const runs = await store.history({ app: target?.app, env: target?.env, limit: HISTORY_LIMIT });
  const scope = target ? `${target.app} ${target.env}` : 'all pairs';
  if (runs.length === 0) return `No runs yet for ${scope}.`;
  const lines = runs.map(
    (run) =>
      `• ${target ? '' : `*${run.app} ${run.env}* `}${runLine(run)}${run.error ? `: failed at ${run.error.step}` : ''}`,
  );
  return [`*Last ${runs.length} runs for ${scope}*`, ...lines].join('\n');
}
