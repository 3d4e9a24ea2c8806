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
