import { z } from 'zod';
import { BotError } from '../errors.js';
import { summaryLinkSchema, summaryPartSchema } from './step-summary.js';

/**
 * The authoritative state of one run, kept in Redis (never in BullMQ job data, which only carries
 * the run id). It holds no secret: checkpoints store ids, versions and paths only. Records carry a
 * schema version, so a record written by another version of the bot is refused, not misread.
 */
export const RUN_RECORD_SCHEMA_VERSION = 2;

const RUN_KINDS = ['setup', 'plan', 'rotate'] as const;
const RUN_STATUSES = [
  'queued',
  'running',
  'awaiting_approval',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
  'expired',
] as const;
const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
/** The runbook's mutating phases, in order: the LMS, the credentials (Vault, then the LMS application), Concourse. */
const APPROVAL_PHASES = ['lms', 'credentials', 'concourse'] as const;
/**
 * `superseded`: what the phase would change moved on after the approval was given, so it was asked
 * again; `not_needed`: the phase had nothing to change in that attempt.
 */
const APPROVAL_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'cancelled',
  'superseded',
  'not_needed',
] as const;

export const approvalPhaseSchema = z.enum(APPROVAL_PHASES);

const checkpointSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const stepRecordSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(STEP_STATUSES),
  /** One line for the thread: what happened, or what would change for a plan. */
  summary: z.string().optional(),
  /** The summary with its links kept apart (step-summary.ts), when it has any; `summary` is its plain text. */
  summaryParts: z.array(summaryPartSchema).optional(),
  /**
   * Whether the step changed something (setup, rotate) or would (plan); absent on records written
   * before it was kept, and while the step has not finished.
   */
  changed: z.boolean().optional(),
  /** Extra lines (a config diff, a state list), trimmed to Slack's limits when shown. */
  details: z.string().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** Side effects already done inside the step, so a resumed step does not repeat them. */
  checkpoint: checkpointSchema.optional(),
  /**
   * Set while the step is parked waiting for something outside the bot (a pull request's merge):
   * until when. Nothing moves meanwhile, so where it stands is shown at once.
   */
  waitingUntil: z.number().optional(),
  /** The phase whose thread message lists this step (a step outside any phase joins its neighbours'). */
  phase: approvalPhaseSchema.optional(),
});

const approvalRecordSchema = z.object({
  phase: approvalPhaseSchema,
  status: z.enum(APPROVAL_STATUSES),
  /** The attempt it was asked in: a Retry asks again for every phase not yet completed. */
  attempt: z.number().int().min(1),
  /** What this phase will change, shown to approvers. */
  changes: z.string(),
  /** SHA-256 of `changes`: the approval covers exactly this preview and nothing else. */
  previewDigest: z.string(),
  /** When the phase started on it; an approval is used once, in its own attempt. */
  usedAt: z.number().optional(),
  requestedAt: z.number(),
  expiresAt: z.number(),
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
  messageTs: z.string().optional(),
});

const runErrorSchema = z.object({
  step: z.string(),
  code: z.string(),
  message: z.string(),
  /** Set when a Retry cannot help: what to do instead (BotError.remedy). */
  remedy: z.string().optional(),
  /** Where to look, such as the failed build. */
  links: z.array(summaryLinkSchema).optional(),
});

/** A failed attempt that someone retried: what it showed stays in the thread, marked as retried. */
const retriedAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  retriedBy: z.string(),
  retriedAt: z.number(),
  error: runErrorSchema.optional(),
  /** The failed step as that attempt left it; the retry then runs it again. */
  failedStep: stepRecordSchema.optional(),
});

export const runRecordSchema = z.object({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  id: z.string(),
  kind: z.enum(RUN_KINDS),
  app: z.string(),
  env: z.string(),
  requestedBy: z.string(),
  /** Where the status card lives; absent for terminal (CLI) runs. */
  channel: z.string().optional(),
  status: z.enum(RUN_STATUSES),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** The status card; its thread holds the steps. */
  cardTs: z.string().optional(),
  /** The card's thread messages by key (phase, retry and summary messages; see run-thread.ts). */
  thread: z.record(z.string(), z.string()).optional(),
  /**
   * Counts the changes meant to be shown; the publisher records which revision Slack shows, so a
   * run whose shown revision lags is published again, even after a restart.
   */
  revision: z.number().int().min(0).optional(),
  steps: z.array(stepRecordSchema),
  approvals: z.array(approvalRecordSchema),
  /** Increases with each Retry; names the BullMQ job of that attempt. */
  attempt: z.number().int().min(1),
  error: runErrorSchema.optional(),
  retried: z.array(retriedAttemptSchema).optional(),
  cancelRequestedBy: z.string().optional(),
  finishedAt: z.number().optional(),
  /** `setup --break-glass` on a sops pair: Vault written directly as well as the pull request. */
  breakGlass: z.literal(true).optional(),
});

export type RunKind = (typeof RUN_KINDS)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StepStatus = (typeof STEP_STATUSES)[number];
export type ApprovalPhase = (typeof APPROVAL_PHASES)[number];
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type Checkpoint = z.infer<typeof checkpointSchema>;
export type StepRecord = z.infer<typeof stepRecordSchema>;
export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;
export type RunError = z.infer<typeof runErrorSchema>;
export type RetriedAttempt = z.infer<typeof retriedAttemptSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;

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

/** setup and rotate change things (they hold the pair's lock and ask for approvals); plan only reads. */
export function changesThings(kind: RunKind): boolean {
  return kind !== 'plan';
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
  breakGlass?: boolean;
}): RunRecord {
  const { id, kind, app, env, requestedBy, channel, now } = options;
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
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
    ...(options.breakGlass ? { breakGlass: true as const } : {}),
  };
}

/** Reads a stored record; anything that is not a record of this schema version is a typed error. */
export function parseRunRecord(json: string, key: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw unreadable(key, 'not JSON');
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RUN_RECORD_SCHEMA_VERSION) {
    throw unreadable(
      key,
      `schema version ${String(version ?? 'missing')}, expected ${RUN_RECORD_SCHEMA_VERSION}`,
    );
  }
  const parsed = runRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw unreadable(key, `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function unreadable(key: string, detail: string): BotError {
  return new BotError({
    code: 'run_record_unreadable',
    userMessage: 'A run record in Redis was written by another version of the bot and cannot be read.',
    detail: `${key}: ${detail}`,
  });
}
