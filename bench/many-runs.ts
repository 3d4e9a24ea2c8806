import { SLACK_PUBLISHED_LIMITS } from '../emulators/slack/slack-emulator.js';
import type { RunPlanFactory } from '../src/jobs/ports.js';
import { slackWrites, startBenchDeployment } from './bench-deployment.js';
import { describeRetries } from './catalog-pairs.js';

const RUNS = 100;
const STEP_MS = 50;

export interface ManyRunsResult {
  runs: number;
  succeeded: number;
  seconds: number;
  retriesPerLimitedWrite: number[];
  slackCalls: number;
  slack429: number;
  rssMbBefore: number;
  rssMbPeak: number;
}

/** Four steps that each stand for a remote call of STEP_MS. */
const plans: RunPlanFactory = {
  create: () => ({
    plan: {
      steps: ['preflight', 'lms', 'vault', 'concourse'].map((id) => ({
        id,
        title: `Step ${id}`,
        run: async () => {
          await new Promise((resolve) => setTimeout(resolve, STEP_MS));
          return { summary: `${id} done` };
        },
      })),
      previewPhase: async () => ({ changes: false, summary: '' }),
    },
    close: async () => undefined,
  }),
};

/** 100 setup runs for different pairs, queued at once, drained by two worker processes' worth of workers. */
export async function benchManyRuns(): Promise<ManyRunsResult> {
  const deployment = await startBenchDeployment({
    pairs: RUNS,
    plans,
    slack: { rateLimits: { ...SLACK_PUBLISHED_LIMITS } },
    label: 'many-runs',
  });
  const rssMbBefore = process.memoryUsage().rss / 1e6;
  let rssMbPeak = rssMbBefore;
  const sampler = setInterval(() => {
    rssMbPeak = Math.max(rssMbPeak, process.memoryUsage().rss / 1e6);
  }, 100);
  const started = performance.now();
  try {
    const ids = await Promise.all(
      // Ten channels (ten teams' ops channels): chat.postMessage is paced per channel.
      Array.from({ length: RUNS }, (_, i) => deployment.setup(i, `C0BENCH${i % 10}`)),
    );
    const runs = await deployment.settled(ids, 600_000);
    const writes = slackWrites(deployment.slack);
    return {
      runs: RUNS,
      succeeded: runs.filter((run) => run.status === 'succeeded').length,
      seconds: (performance.now() - started) / 1000,
      slackCalls: writes.writes,
      slack429: deployment.slack.rateLimited,
      retriesPerLimitedWrite: writes.retriesPerLimitedWrite,
      rssMbBefore,
      rssMbPeak,
    };
  } finally {
    clearInterval(sampler);
    await deployment.stop();
  }
}

export function describeManyRuns(r: ManyRunsResult): string {
  return [
    `  ${r.succeeded}/${r.runs} runs succeeded in ${r.seconds.toFixed(1)} s (2 workers × concurrency 4, steps of ${STEP_MS} ms)`,
    `  Slack: ${r.slackCalls} chat writes (${(r.slackCalls / r.runs).toFixed(1)} writes per run), ${r.slack429} answered 429 under Slack's published limits (chat.update 50/min, chat.postMessage 1/s per channel)${describeRetries(r.retriesPerLimitedWrite)}`,
    `  RSS (web + both workers in this process): ${r.rssMbBefore.toFixed(0)} MB before, ${r.rssMbPeak.toFixed(0)} MB peak`,
  ].join('\n');
}
