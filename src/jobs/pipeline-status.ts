import type { Target } from '../config/catalog.js';

export interface BuildSummary {
  name: string;
  status: string;
  startTime?: number;
  endTime?: number;
  url: string;
}

export interface PipelineStatus {
  exists: boolean;
  paused?: boolean;
  /** The pipeline's page in Concourse. */
  url: string;
  builds: BuildSummary[];
}

/** Reads a pair's pipeline state from Concourse (the status command's only remote call). */
export type PipelineStatusReader = (target: Target) => Promise<PipelineStatus>;
