import type { Target } from '../config/catalog.js';
import type { PipelineStatus } from '../integrations/concourse/pipeline-status.js';
import type { ApprovalRecord, RunRecord } from './run-record.js';
import type { RunChange } from './run-store.js';
import type { RunPlan } from './step-definition.js';

/**
 * What the run engine calls but does not own. Surfaces (Slack, the terminal) and the composition
 * root implement these; the engine never imports them.
 */

/**
 * Shows a run to people: the Slack status card and thread, or a terminal. `changed` is told of
 * every change meant to be shown and must not wait on Slack: Slack's messages are written apart
 * from the run, from the run record. `announce` shows the run's first message at once (Slack's
 * status card, in the request path) and returns the change that records it, throwing a BotError
 * with code AUDIENCE_UNREACHABLE when nobody could see the run.
 */
export interface RunReporter {
  changed(run: RunRecord): Promise<void>;
  announce(run: RunRecord): Promise<RunChange | undefined>;
}

/**
 * The code of the BotError a reporter throws when the run's audience cannot be reached at all
 * (the bot is not in the channel, or it is archived): the run could never show its card or its
 * approval buttons.
 */
export const AUDIENCE_UNREACHABLE = 'run_audience_unreachable';

/** How a run waits for a human: park the job (Slack) or ask on the terminal (CLI). */
export interface ApprovalGate {
  /** 'wait' means the caller parks the run until `expiresAt` or a decision wakes it. */
  awaitDecision(run: RunRecord, approval: ApprovalRecord): Promise<'wait' | 'decided'>;
}

/** Builds the steps for one run; `close` releases what they opened (one SSH connection per run). */
export interface RunPlanFactory {
  create(run: RunRecord, target: Target): { plan: RunPlan; close(): Promise<void> };
}

/** Hands runs to workers: queue an attempt, or wake one parked for an approval. */
export interface RunScheduler {
  enqueue(run: RunRecord): Promise<void>;
  wake(run: RunRecord): Promise<void>;
  /** Whether the run's current attempt has a job that will still run it, had one that ended, or none. */
  jobState(run: RunRecord): Promise<'live' | 'ended' | 'missing'>;
}

/** The members of a Slack user group (usergroups.users.list). */
export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

/** Reads a pair's pipeline state (the status command's only remote call). */
export type PipelineStatusReader = (target: Target) => Promise<PipelineStatus>;
