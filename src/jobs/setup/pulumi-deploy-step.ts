import { BotError } from '../../errors.js';
import { failedInEarlierAttempt } from './failed-earlier-build.js';
import type { SetupStep } from './setup-step.js';
import { proposedPullNumber, sopsRecordOf } from './sops-record.js';
import { buildLink } from './target-links.js';

/**
 * Where Pulumi does not deploy the merged file on its own (production), triggers the job that
 * does, as the runbook asks, and follows its build to the end. The newest build before the
 * trigger is checkpointed first, so a resumed step adopts its own build instead of starting another.
 */
export const pulumiDeployStep: SetupStep = {
  id: 'pulumi-deploy',
  title: 'Concourse: the job that deploys the merged secrets',
  phase: 'credentials',
  async apply(context, services) {
    const { target, run, checkpoint } = context;
    const record = sopsRecordOf(target);
    const job = record.afterMerge?.concourse;
    if (!job || proposedPullNumber(run) === 0) return { summary: 'Nothing was merged; nothing to deploy.' };
    const deployer = { ...target, concourse: job };
    const concourse = services.concourse(deployer);
    const link = (name: string) => buildLink(deployer, name);
    let buildId = typeof checkpoint.buildId === 'number' ? checkpoint.buildId : undefined;
    if (buildId !== undefined && checkpoint.buildAttempt !== run.attempt) {
      const known = buildId;
      const [earlier] = (await concourse.listJobBuilds(job.pipeline, job.job, 20)).filter(
        (b) => b.id === known,
      );
      if (earlier && failedInEarlierAttempt(context, earlier)) {
        await context.saveCheckpoint({ newestBuildBefore: earlier.id });
        buildId = undefined;
      }
    }
    if (buildId === undefined) {
      let before = checkpoint.newestBuildBefore;
      if (typeof before !== 'number') {
        before = (await concourse.listJobBuilds(job.pipeline, job.job, 1))[0]?.id ?? 0;
        await context.saveCheckpoint({ newestBuildBefore: before });
      }
      const newer = (await concourse.listJobBuilds(job.pipeline, job.job, 20)).filter(
        (b) => b.id > (before as number),
      );
      buildId = newer.at(-1)?.id ?? (await concourse.triggerJob(job.pipeline, job.job)).id;
      await context.saveCheckpoint({ buildId, buildAttempt: run.attempt });
    }
    const finished = await concourse.waitForBuild(buildId, {
      ...services.buildTiming,
      onStatus: (build) =>
        void context.progress(['Build ', link(build.name), ` of \`${job.job}\` ${build.status}…`]),
      cancelled: context.cancelRequested,
    });
    if (finished.status === 'succeeded') {
      return {
        summary: [
          'Build ',
          link(finished.name),
          ` of \`${job.pipeline}/${job.job}\` deployed the merged secrets.`,
        ],
      };
    }
    throw new BotError({
      code: 'concourse_build_failed',
      userMessage: `Build #${finished.name} of \`${job.pipeline}/${job.job}\` ended ${finished.status}, so Pulumi may not have written Vault; its log in Concourse says why. Retry follows a new build.`,
      links: [link(finished.name)],
      detail: `build ${finished.id} status ${finished.status}`,
    });
  },
  async preview({ target }) {
    const job = sopsRecordOf(target).afterMerge?.concourse;
    return {
      changes: false,
      summary: job
        ? `After the merge, would trigger \`${job.pipeline}/${job.job}\` in team \`${job.team}\` at ${job.url} and follow its build.`
        : 'Nothing to trigger.',
    };
  },
};
