import { BotError } from '../../errors.js';
import type { StepContext } from '../step-definition.js';
import { maxBuildAgeMs } from '../watch/build-schedule.js';
import { failedInEarlierAttempt } from './failed-earlier-build.js';
import type { ConcourseOperations } from './setup-services.js';
import type { SetupStep } from './setup-step.js';
import { buildLink } from './target-links.js';

const FINISHED_OK = 'succeeded';
/** A build someone else started is followed rather than doubled. */
const RUNNING = ['pending', 'started'];

/**
 * A success older than the pipeline's schedule allows means its timer stopped firing: such a
 * build does not count as in place (the drift check calls the pair degraded for it).
 */
function recentSuccess(build: { status: string; end_time?: number } | undefined): boolean {
  return build?.status === FINISHED_OK && Date.now() - (build.end_time ?? 0) * 1000 <= maxBuildAgeMs();
}

/**
 * Triggers the job once and follows the build to its end; a job whose latest build succeeded
 * recently is left alone, so re-running setup does not start builds. The newest build id is
 * checkpointed before triggering, so a resumed step adopts the build its predecessor started
 * instead of starting a second one.
 */
export const firstBuildStep: SetupStep = {
  id: 'first-build',
  title: 'Concourse: trigger and follow the first build',
  phase: 'concourse',
  async apply(context, services) {
    const { target } = context;
    const concourse = services.concourse(target);
    const { pipeline, job } = target.concourse;
    const build = await triggerOnce(context, concourse);
    if (build === 'already-succeeded')
      return {
        summary: `The latest build of \`${pipeline}/${job}\` succeeded; nothing to trigger.`,
        changed: false,
      };
    await context.progress(['Build ', buildLink(target, build.name), ` ${build.status}…`]);
    const finished = await concourse.waitForBuild(build.id, {
      ...services.buildTiming,
      onStatus: (current) => {
        void context.progress(['Build ', buildLink(target, current.name), ` ${current.status}…`]);
      },
      cancelled: context.cancelRequested,
    });
    const link = buildLink(target, finished.name);
    if (finished.status === FINISHED_OK)
      return { summary: ['Build ', link, ` of \`${pipeline}/${job}\` succeeded.`], changed: true };
    throw new BotError({
      code: 'concourse_build_failed',
      userMessage: `Build #${finished.name} of \`${pipeline}/${job}\` ended ${finished.status}; its log in Concourse says why.`,
      links: [link],
      detail: `build ${finished.id} status ${finished.status}`,
    });
  },
  async preview({ target }, services) {
    const { pipeline, job } = target.concourse;
    const [latest] = await services
      .concourse(target)
      .listJobBuilds(pipeline, job, 1)
      .catch(() => []);
    if (latest && recentSuccess(latest)) {
      return {
        changes: false,
        summary: `The latest build (#${latest.name}) succeeded; no build would be triggered.`,
      };
    }
    const why =
      latest?.status === FINISHED_OK ? ' (its latest success is older than its weekly schedule)' : '';
    return { changes: true, summary: `Would trigger \`${job}\` and follow the build${why}.` };
  },
};

async function triggerOnce(context: StepContext, concourse: ConcourseOperations) {
  const { pipeline, job } = context.target.concourse;
  const known = context.checkpoint.buildId;
  if (typeof known === 'number') {
    const [adopted] = (await concourse.listJobBuilds(pipeline, job, 20)).filter((b) => b.id === known);
    if (adopted && !failedInEarlierAttempt(context, adopted)) return adopted;
    // A retry: what was triggered after the failed build (by anyone) counts, else a new build.
    if (adopted) await context.saveCheckpoint({ newestBuildBefore: adopted.id });
  }
  let before = context.checkpoint.newestBuildBefore;
  if (typeof before !== 'number') {
    const [latest] = await concourse.listJobBuilds(pipeline, job, 1);
    if (recentSuccess(latest)) return 'already-succeeded';
    if (latest && RUNNING.includes(latest.status)) {
      await context.saveCheckpoint({ buildId: latest.id, buildAttempt: context.run.attempt });
      return latest;
    }
    before = latest?.id ?? 0;
    await context.saveCheckpoint({ newestBuildBefore: before });
  } else {
    const newer = (await concourse.listJobBuilds(pipeline, job, 20)).filter((b) => b.id > (before as number));
    const oldest = newer.at(-1);
    if (oldest) {
      await context.saveCheckpoint({ buildId: oldest.id, buildAttempt: context.run.attempt });
      return oldest;
    }
  }
  const build = await concourse.triggerJob(pipeline, job);
  await context.saveCheckpoint({ buildId: build.id, buildAttempt: context.run.attempt });
  return build;
}
