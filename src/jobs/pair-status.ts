import type { Target } from '../config/catalog.js';
import { toBotError } from '../errors.js';
import type { PipelineStatus } from '../integrations/concourse/pipeline-status.js';
import type { PipelineStatusReader } from './ports.js';
import type { RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';

export interface PairStatusDeps {
  readPipeline: PipelineStatusReader;
  store: RunStore;
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
}

/** One pair: the pipeline (exists, paused, last builds) and the bot's last and active runs. */
export async function readPairStatus(target: Target, deps: PairStatusDeps): Promise<PairStatus> {
  const [pipeline, lastRun, activeRunId] = await Promise.all([
    readPipelineSafely(target, deps.readPipeline),
    deps.store.history({ app: target.app, env: target.env, limit: 1 }).then((runs) => runs[0]),
    deps.store.activeRunId(target.app, target.env),
  ]);
  return {
    target,
    pipeline,
    ...(lastRun ? { lastRun } : {}),
    ...(activeRunId ? { activeRunId } : {}),
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
