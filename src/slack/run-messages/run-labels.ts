import type { ApprovalRecord, RunRecord, RunStatus, StepRecord } from '../../jobs/run-record.js';

export const STATUS_LABEL: Record<RunStatus, string> = {
  queued: ':hourglass_flowing_sand: Queued',
  running: ':arrows_counterclockwise: Running',
  awaiting_approval: ':raised_hand: Waiting for approval',
  succeeded: ':white_check_mark: Succeeded',
  failed: ':x: Failed',
  cancelled: ':no_entry_sign: Cancelled',
  rejected: ':no_entry: Rejected',
  expired: ':alarm_clock: Expired (no decision in time)',
};

export const STEP_ICON: Record<StepRecord['status'], string> = {
  pending: ':white_circle:',
  running: ':arrows_counterclockwise:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

/** A plan changes nothing: its steps either would change something or are already in place. */
export const PLAN_STEP_ICON = {
  wouldChange: ':pencil2:',
  inPlace: ':heavy_check_mark:',
} as const;

export const PHASE_LABEL: Record<ApprovalRecord['phase'], string> = {
  lms: 'LMS changes (retirement states, worker user)',
  credentials: 'Credentials (Vault tubular_oauth_client, then the LMS OAuth application)',
  concourse: 'Concourse changes (set, unpause and trigger the pipeline)',
};

export function runTitle(run: RunRecord): string {
  return `Retirement ${run.kind} · ${run.app} ${run.env}`;
}

export function stepTitle(run: RunRecord, stepId: string): string {
  return run.steps.find((s) => s.id === stepId)?.title ?? stepId;
}
