import { describeTransport, transportTarget } from '../config/catalog.js';
import type { PairStatus } from '../jobs/pair-status.js';
import type { RunRecord } from '../jobs/run-record.js';

/** `run status <app> <env>` on a terminal: the pipeline, its last builds, the bot's last run. */
export function pairStatusText(status: PairStatus): string {
  const { target, pipeline, lastRun, activeRunId } = status;
  const lines = [`${target.app} ${target.env}: ${pipelineLine(status)}`];
  if ('status' in pipeline) {
    for (const build of pipeline.status.builds.slice(0, 5)) {
      const when = build.endTime ?? build.startTime;
      lines.push(
        `   • build ${build.name} (${build.url}): ${build.status}${when ? `, ${isoTime(when)}` : ''}`,
      );
    }
  }
  const active = activeRunId && activeRunId !== lastRun?.id ? ` (active: ${activeRunId})` : '';
  lines.push(`   LMS commands: ${describeTransport(target)}`);
  lines.push(`   Last bot run: ${lastRun ? runLine(lastRun) : 'none'}${active}`);
  return lines.join('\n');
}

/** `run status` with no pair: every configured pair, one line each. */
export function allPairsStatusText(statuses: PairStatus[]): string {
  const rows = statuses.map((status) => {
    const latest = 'status' in status.pipeline ? status.pipeline.status.builds[0] : undefined;
    const build = latest ? `, last build ${latest.status}` : '';
    const run = status.lastRun ? runLine(status.lastRun) : 'none';
    return `• ${status.target.app} ${status.target.env}: ${pipelineLine(status)}${build} · ${transportTarget(status.target)} · last run: ${run}`;
  });
  return ['Retirement pipelines', ...rows].join('\n');
}

function pipelineLine({ target, pipeline }: PairStatus): string {
  if ('error' in pipeline) return `Concourse could not be read: ${pipeline.error}`;
  const { status } = pipeline;
  if (!status.exists) {
    return `pipeline ${target.concourse.pipeline} does not exist in team ${target.concourse.team}`;
  }
  return `${target.concourse.pipeline} (${status.url}) is ${status.paused ? 'paused' : 'active'}`;
}

function runLine(run: RunRecord): string {
  return `${run.id} ${run.kind} ${run.status} (${run.requestedBy}, ${isoTime(run.updatedAt)})`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
