import type { Target } from '../config/catalog.js';
import { toBotError } from '../errors.js';
import { escapeMrkdwn } from '../integrations/slack/mrkdwn.js';
import { slackDate } from '../integrations/slack/run-blocks.js';
import type { PipelineStatus, PipelineStatusReader } from './pipeline-status.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

export interface StatusDeps {
  readPipeline: PipelineStatusReader;
  store: RunStore;
}

/** One pair in detail: the pipeline (exists, paused, last builds) and the bot's last run. */
export async function pairStatus(target: Target, deps: StatusDeps): Promise<string> {
  const [pipeline, lastRun, activeRunId] = await Promise.all([
    readSafely(target, deps.readPipeline),
    deps.store.history({ app: target.app, env: target.env, limit: 1 }).then((runs) => runs[0]),
    deps.store.activeRunId(target.app, target.env),
  ]);
  const lines = [`*${target.app} ${target.env}*: ${pipelineLine(target, pipeline)}`];
  if ('status' in pipeline) {
    for (const build of pipeline.status.builds.slice(0, 5)) {
      const when = build.endTime ?? build.startTime;
      lines.push(
        `   • <${build.url}|build ${escapeMrkdwn(build.name)}>: ${build.status}${when ? `, ${slackDate(when)}` : ''}`,
      );
    }
  }
  lines.push(
    `   Last bot run: ${lastRun ? runLine(lastRun) : 'none'}${activeRunId && activeRunId !== lastRun?.id ? ` (active: \`${activeRunId}\`)` : ''}`,
  );
  return lines.join('\n');
}

/** Every configured pair, one line each, read in parallel (each read has its own timeout). */
export async function allPairsStatus(targets: Target[], deps: StatusDeps): Promise<string> {
  const rows = await Promise.all(
    targets.map(async (target) => {
      const [pipeline, lastRun] = await Promise.all([
        readSafely(target, deps.readPipeline),
        deps.store.history({ app: target.app, env: target.env, limit: 1 }).then((runs) => runs[0]),
      ]);
      const latest = 'status' in pipeline ? pipeline.status.builds[0] : undefined;
      const build = latest ? `, last build ${latest.status}` : '';
      return `• *${target.app} ${target.env}*: ${pipelineLine(target, pipeline)}${build} · last run: ${lastRun ? runLine(lastRun) : 'none'}`;
    }),
  );
  return ['*Retirement pipelines*', ...rows].join('\n');
}

async function readSafely(
  target: Target,
  read: PipelineStatusReader,
): Promise<{ status: PipelineStatus } | { error: string }> {
  try {
    return { status: await read(target) };
  } catch (error) {
    return { error: toBotError(error).userMessage };
  }
}

function pipelineLine(target: Target, pipeline: { status: PipelineStatus } | { error: string }): string {
  if ('error' in pipeline) return `Concourse could not be read: ${escapeMrkdwn(pipeline.error)}`;
  const { status } = pipeline;
  if (!status.exists)
    return `pipeline \`${target.concourse.pipeline}\` does not exist in team \`${target.concourse.team}\``;
  return `<${status.url}|${target.concourse.pipeline}> is ${status.paused ? 'paused' : 'active'}`;
}

export function runLine(run: RunRecord): string {
  return `\`${run.id}\` ${run.kind} ${run.status} (<@${run.requestedBy}>, ${slackDate(run.updatedAt)})`;
}
