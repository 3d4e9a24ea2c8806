import { describeTransport, transportTarget } from '../../config/catalog.js';
import type { PairStatus, PipelineReading } from '../../jobs/pair-status.js';
import type { RunRecord } from '../../jobs/run-record.js';
import { healthPhrase } from '../alerts/health-labels.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackDate } from '../slack-date.js';

/** One pair in detail: the pipeline, its last builds and the bot's last run. */
export function pairStatusMessage(status: PairStatus): string {
  const { target, pipeline, lastRun, activeRunId } = status;
  const lines = [`*${target.app} ${target.env}*: ${pipelineLine(status)}`];
  if ('status' in pipeline) {
    for (const build of pipeline.status.builds.slice(0, 5)) {
      const when = build.endTime ?? build.startTime;
      lines.push(
        `   • <${build.url}|build ${escapeMrkdwn(build.name)}>: ${build.status}${when ? `, ${slackDate(when)}` : ''}`,
      );
    }
  }
  const active = activeRunId && activeRunId !== lastRun?.id ? ` (active: \`${activeRunId}\`)` : '';
  lines.push(`   LMS commands: ${escapeMrkdwn(describeTransport(target))}`);
  lines.push(`   Last bot run: ${lastRun ? runLine(lastRun) : 'none'}${active}`);
  lines.push(`   Health: ${healthPhrase(status.health)}`);
  return lines.join('\n');
}

/** Every configured pair, one line each. */
export function allPairsStatusMessage(statuses: PairStatus[]): string {
  const rows = statuses.map((status) => {
    const latest = 'status' in status.pipeline ? status.pipeline.status.builds[0] : undefined;
    const build = latest ? `, last build ${latest.status}` : '';
    const run = status.lastRun ? runLine(status.lastRun) : 'none';
    return `• *${status.target.app} ${status.target.env}*: ${pipelineLine(status)}${build} · ${escapeMrkdwn(transportTarget(status.target))} · last run: ${run} · health: ${healthPhrase(status.health)}`;
  });
  return ['*Retirement pipelines*', ...rows].join('\n');
}

export function runLine(run: RunRecord): string {
  return `\`${run.id}\` ${run.kind} ${run.status} (<@${run.requestedBy}>, ${slackDate(run.updatedAt)})`;
}

function pipelineLine({
  target,
  pipeline,
}: {
  target: PairStatus['target'];
  pipeline: PipelineReading;
}): string {
  if ('error' in pipeline) return `Concourse could not be read: ${escapeMrkdwn(pipeline.error)}`;
  const { status } = pipeline;
  if (!status.exists) {
    return `pipeline \`${target.concourse.pipeline}\` does not exist in team \`${target.concourse.team}\``;
  }
  return `<${status.url}|${target.concourse.pipeline}> is ${status.paused ? 'paused' : 'active'}`;
}
