import type { Target } from '../../config/catalog.js';
import type { RunRecord } from '../../jobs/run-record.js';
import type { RunStore } from '../../jobs/run-store.js';
import { elapsedBetween } from '../run-messages/elapsed.js';
import { runLine } from './status-message.js';

const HISTORY_LIMIT = 10;

/** `/retirement history [<app> <env>]`: the newest runs, from Redis only (fast enough to ack with). */
export async function historyMessage(target: Target | undefined, store: RunStore): Promise<string> {
  const runs = await store.history({ app: target?.app, env: target?.env, limit: HISTORY_LIMIT });
  const scope = target ? `${target.app} ${target.env}` : 'all pairs';
  if (runs.length === 0) return `No runs yet for ${scope}.`;
  const lines = runs.map((run) => `• ${target ? '' : `*${run.app} ${run.env}* `}${historyLine(run)}`);
  return [`*Last ${runs.length} runs for ${scope}*`, ...lines].join('\n');
}

/** One run: its line, where it failed, who approved it, how long it took, and a link to its thread. */
function historyLine(run: RunRecord): string {
  const approvers = [
    ...new Set(run.approvals.filter((a) => a.status === 'approved').map((a) => a.decidedBy)),
  ];
  const took = elapsedBetween(run.createdAt, run.finishedAt);
  return [
    runLine(run),
    run.error ? `: failed at ${run.error.step}` : '',
    approvers.length > 0 ? ` · approved by ${approvers.map((id) => `<@${id}>`).join(', ')}` : '',
    took ? ` · took ${took}` : '',
    run.channel && run.cardTs ? ` · <${threadUrl(run.channel, run.cardTs)}|thread>` : '',
  ].join('');
}

/**
 * Slack's permalink form for a message (`/archives/<channel>/p<ts without the dot>`), which Slack
 * redirects to the workspace; no Web API call, so history still answers within the ack.
 */
export function threadUrl(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
