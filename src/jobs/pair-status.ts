import type { Target } from '../config/catalog.js';
import { toBotError } from '../errors.js';
import type { PipelineStatus } from '../integrations/concourse/pipeline-status.js';
import type { PipelineStatusReader } from './ports.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import type { HealthStore } from './watch/health-store.js';
import type { HealthRecord } from './watch/pair-health.js';

export interface PairStatusDeps {
  readPipeline: PipelineStatusReader;
  store: RunStore;
  /** The drift watch's record of each pair's health. */
  health?: Pick<HealthStore, 'get'>;
}

/** The pipeline as Concourse shows it, or why it could not be read. */
export type PipelineReading = { status: PipelineStatus } | { error: string };

/** What `status` reports for one pair; each surface renders it its own way. */
export interface PairStatus {
  target: Target;
  pipeline: PipelineReading;
  lastRun?: RunRecord;
  /** The run holding the pair's lock, when there is one. */
  activeRunId?: string;
  health?: HealthRecord;
}

/** One pair: the pipeline (exists, paused, last builds) and the bot's last and active runs. */
export async function readPairStatus(target: Target, deps: PairStatusDeps): Promise<PairStatus> {
  const [pipeline, lastRun, activeRunId, health] = await Promise.all([
    readPipelineSafely(target, deps.readPipeline),
    deps.store.history({ app: target.app, env: target.env, limit: 1 }).then((runs) => runs[0]),
    deps.store.activeRunId(target.app, target.env),
    deps.health?.get(target.app, target.env).catch(() => undefined),
  ]);
  return {
    target,
    pipeline,
    ...(lastRun ? { lastRun } : {}),
    ...(activeRunId ? { activeRunId } : {}),
    ...(health ? { health } : {}),
  };
}

/** Every configured pair, read in parallel (each read has its own timeout). */
export function readAllPairStatuses(targets: Target[], deps: PairStatusDeps): Promise<PairStatus[]> {
  return Promise.all(targets.map((target) => readPairStatus(target, deps)));
}

async function readPipelineSafely(target: Target, read: PipelineStatusReader): Promise<PipelineReading> {
  try {
    return { status: await read(target) };
  } catch (error) {
    return { error: toBotError(error).userMessage };
  }
}
