/**
 * The authoritative state of one run, kept in Redis (never in BullMQ job data, which only carries
 * the run id). It holds no secret: checkpoints store ids, versions and paths only.
 */
export type RunKind = 'setup' | 'plan';

export type RunStatus =
  | 'queued'
  | 'running'
  | 'awaiting_approval'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'rejected'
  | 'expired';

export const FINAL_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
  'expired',
];

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export type Checkpoint = Record<string, string | number | boolean>;

export interface StepRecord {
  id: string;
  title: string;
  status: StepStatus;
  /** One line for the thread: what happened, or what would change for a plan. */
  summary?: string;
  /** Extra lines (a config diff, a state list), trimmed to Slack's limits when shown. */
  details?: string;
  startedAt?: number;
  finishedAt?: number;
  /** Side effects already done inside the step, so a resumed step does not repeat them. */
  checkpoint?: Checkpoint;
  /** The step's thread message, edited in place as the step moves. */
  messageTs?: string;
}

export type ApprovalPhase = 'lms' | 'vault' | 'concourse';
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export interface ApprovalRecord {
  phase: ApprovalPhase;
  status: ApprovalStatus;
  /** What this phase will change, shown to approvers. */
  changes: string;
  requestedAt: number;
  expiresAt: number;
  decidedBy?: string;
  decidedAt?: number;
  messageTs?: string;
}

export interface RunError {
  step: string;
  code: string;
  message: string;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  app: string;
  env: string;
  requestedBy: string;
  /** Where the status card lives; absent for terminal (CLI) runs. */
  channel?: string;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  /** The status card; its thread holds the steps. */
  cardTs?: string;
  /** The closing message in the thread (result, and Retry on failure). */
  finalTs?: string;
  steps: StepRecord[];
  approvals: ApprovalRecord[];
  /** Increases with each Retry; names the BullMQ job of that attempt. */
  attempt: number;
  error?: RunError;
  cancelRequestedBy?: string;
  finishedAt?: number;
}

export function pairKey(app: string, env: string): string {
  return `${app}:${env}`;
}

/** A run as first stored: queued, no steps yet, first attempt. */
export function newRunRecord(options: {
  id: string;
  kind: RunKind;
  app: string;
  env: string;
  requestedBy: string;
  channel?: string;
  now: number;
}): RunRecord {
  const { id, kind, app, env, requestedBy, channel, now } = options;
  return {
    id,
    kind,
    app,
    env,
    requestedBy,
    ...(channel ? { channel } : {}),
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    steps: [],
    approvals: [],
    attempt: 1,
  };
}
