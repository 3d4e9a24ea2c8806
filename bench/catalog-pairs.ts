import { SLACK_PUBLISHED_LIMITS } from '../emulators/slack/slack-emulator.js';
import type { RunRecord } from '../src/jobs/run-record.js';
import { runbookShapedPlan, slackWrites, startBenchDeployment } from './bench-deployment.js';
import { percentile } from './latency-stats.js';

/** The catalog's 12 pairs: 4 apps × ci, qa, production. */
const PAIRS = 12;
const CHANNEL = 'C0OPS';

export interface CatalogPairsResult {
  runs: number;
  succeeded: number;
  seconds: number;
  writes: number;
  rateLimited: number;
  retriesPerLimitedWrite: number[];
  /** Per run: how long after the run ended its card showed the final state. */
  cardLagMs: number[];
  writesPerRun: number[];
}

/** Steps of 0.3 to 2.1 s, varied per pair, as SSH commands, Vault and Concourse calls take. */
const stepMs = (pair: number) => (step: number) => 300 + ((pair * 7 + step * 13) % 10) * 200;

/**
 * Every catalog pair set up at once from one channel, two workers, Slack emulated with its
 * published limits (chat.update 50/min per workspace, chat.postMessage 1/s per channel, bursts of
 * 3, 429 with Retry-After beyond them). Scripted runbook-shaped plans: the remote calls are sleeps.
 */
export async function benchCatalogPairs(): Promise<CatalogPairsResult> {
  const deployment = await startBenchDeployment({
    pairs: PAIRS,
    label: 'pairs',
    slack: { rateLimits: { ...SLACK_PUBLISHED_LIMITS } },
    plans: {
      create: (run, target) => runbookShapedPlan(stepMs(Number(target.env.slice(1)))).create(run, target),
    },
  });
  const started = performance.now();
  try {
    const ids = await Promise.all(Array.from({ length: PAIRS }, (_, i) => deployment.setup(i, CHANNEL)));
    const runs = await deployment.settled(ids, 300_000);
    const { writes, rateLimited, retriesPerLimitedWrite } = slackWrites(deployment.slack);
    return {
      runs: PAIRS,
      succeeded: runs.filter((r) => r.status === 'succeeded').length,
      seconds: (performance.now() - started) / 1000,
      writes,
      rateLimited,
      retriesPerLimitedWrite,
      cardLagMs: runs.map((run) => cardLag(deployment.slack.calls, run)),
      writesPerRun: runs.map((run) => writesOf(deployment.slack.calls, run)),
    };
  } finally {
    await deployment.stop();
  }
}

type Calls = { method: string; params: Record<string, unknown>; at: number }[];

/** From the run's end to the last write of its card (the one that shows the final state). */
function cardLag(calls: Calls, run: RunRecord): number {
  // A card posted late (its first post waited out the channel's limit) may be posted final.
  const writes = calls.filter(
    (c) =>
      (c.method === 'chat.update' && c.params.ts === run.cardTs) ||
      (c.method === 'chat.postMessage' &&
        !c.params.thread_ts &&
        JSON.stringify(c.params.metadata ?? '').includes(run.id)),
  );
  return Math.max(0, (writes.at(-1)?.at ?? Number.NaN) - (run.finishedAt ?? 0));
}

/** Posts into the run's thread, the card's post and every edit of the run's messages. */
function writesOf(calls: Calls, run: RunRecord): number {
  const ts = new Set([run.cardTs, ...Object.values(run.thread ?? {})]);
  return calls.filter(
    (c) =>
      (c.method === 'chat.update' && ts.has(String(c.params.ts))) ||
      (c.method === 'chat.postMessage' &&
        (c.params.thread_ts === run.cardTs || JSON.stringify(c.params.metadata ?? '').includes(run.id))),
  ).length;
}

export function describeCatalogPairs(r: CatalogPairsResult): string {
  return [
    `  ${r.succeeded}/${r.runs} runs succeeded; all shown in Slack after ${r.seconds.toFixed(1)} s (steps of 0.3-2.1 s, 9 per run)`,
    `  Slack: ${r.writes} writes (posts and edits, 429s included), ${r.rateLimited} answered 429${describeRetries(r.retriesPerLimitedWrite)}`,
    `  writes per run: max ${Math.max(...r.writesPerRun)}, median ${percentile(r.writesPerRun, 50)}`,
    `  card final after the run ended: median ${(percentile(r.cardLagMs, 50) / 1000).toFixed(1)} s, max ${(Math.max(...r.cardLagMs) / 1000).toFixed(1)} s`,
  ].join('\n');
}

/** How many times the writes Slack refused were sent again, at most. */
export function describeRetries(retries: number[]): string {
  return retries.length === 0
    ? ''
    : ` (${retries.length} writes refused, each sent again at most ${Math.max(...retries)} times)`;
}

export interface SlowSlackResult {
  fastMs: number;
  slowMs: number;
}

/** One qa-shaped run's duration (first step started to run ended) with Slack answering at once, then in 500 ms. */
export async function benchSlowSlack(): Promise<SlowSlackResult> {
  const duration = async (latencyMs: number): Promise<number> => {
    const deployment = await startBenchDeployment({
      pairs: 1,
      label: `slow-${latencyMs}`,
      slack: { latencyMs },
      plans: runbookShapedPlan(() => 300),
    });
    try {
      const id = await deployment.setup(0, CHANNEL);
      const [run] = await deployment.settled([id], 120_000);
      const first = run?.steps[0]?.startedAt ?? 0;
      return (run?.finishedAt ?? Number.NaN) - first;
    } finally {
      await deployment.stop();
    }
  };
  return { fastMs: await duration(0), slowMs: await duration(500) };
}

export function describeSlowSlack(r: SlowSlackResult): string {
  return `  run (9 steps of 300 ms): ${r.fastMs} ms with Slack at 0 ms, ${r.slowMs} ms at 500 ms per call: ratio ${(r.slowMs / r.fastMs).toFixed(3)}`;
}
