import type { Logger } from '../logging/logger.js';
import type { RunScheduler } from './ports.js';
import type { PublishBacklog } from './publish-backlog.js';
import type { RunJournal } from './run-journal.js';
import { isFinal, type RunRecord } from './run-record.js';
import type { RunStore } from './run-store.js';
import { finishRun } from './run-transitions.js';

export interface RunReconcilerDeps {
  store: RunStore;
  journal: RunJournal;
  scheduler: RunScheduler;
  /** Slack runs whose shown revision lags their record (a crash between the two) are queued for it. */
  backlog?: PublishBacklog;
  logger: Logger;
  /** A run younger than this may still be between its request and its queueing: left alone. */
  graceMs: number;
  now?: () => number;
}

export type Reconciliation = 'released' | 'requeued' | 'ended' | 'alive';

/**
 * Makes every pair lock and its run one fact again after a crash: a lock whose run ended or
 * vanished is released; a Slack run whose job never reached the queue is queued; a run whose job
 * or terminal is gone ends, saying why, so its pair is free. Safe to run anywhere, any number of
 * times, concurrently: each action is idempotent.
 */
export async function reconcileRuns(deps: RunReconcilerDeps): Promise<Map<string, Reconciliation>> {
  const now = deps.now ?? Date.now;
  const outcomes = new Map<string, Reconciliation>();
  for (const lock of await deps.store.locks()) {
    const run = await deps.store.get(lock.runId).catch(() => undefined);
    if (!run || isFinal(run.status)) {
      await deps.store.releaseLockOf(lock.app, lock.env, lock.runId);
      outcomes.set(lock.runId, 'released');
    } else if (now() - run.updatedAt >= deps.graceMs) {
      outcomes.set(run.id, await reconcileActive(run, deps, now));
    }
  }
  if (deps.backlog) await showFinished(deps.backlog, deps, now());
  const changed = [...outcomes].filter(([, outcome]) => outcome !== 'alive');
  if (changed.length > 0) deps.logger.warn({ runs: Object.fromEntries(changed) }, 'reconciled orphaned runs');
  return outcomes;
}

/** How far back finished runs are checked for a final state Slack never got. */
export const RECENTLY_FINISHED_MS = 24 * 3600 * 1000;

/** The newest runs looked at for it: the history is newest first, by request. */
const RECENT_RUNS = 200;

/**
 * A run's final record and its mark in the publish backlog are two writes: a process that dies
 * between them leaves a finished run (whose pair lock is already released, so the loop over locks
 * never sees it) that Slack would show unfinished. Such a run is queued for publishing again.
 */
async function showFinished(backlog: PublishBacklog, deps: RunReconcilerDeps, now: number): Promise<void> {
  for (const run of await deps.store.history({ limit: RECENT_RUNS })) {
    if (!run.channel || !isFinal(run.status) || now - (run.finishedAt ?? 0) > RECENTLY_FINISHED_MS) continue;
    if (now - run.updatedAt < deps.graceMs) continue;
    if ((await backlog.shownRevision(run.id)) < (run.revision ?? 0)) await deps.journal.show(run);
  }
}

async function reconcileActive(
  run: RunRecord,
  deps: RunReconcilerDeps,
  now: () => number,
): Promise<Reconciliation> {
  if (!run.channel) {
    if (await deps.store.hasLease(run.id)) return 'alive';
    await end(
      run,
      deps,
      now,
      'The terminal running it stopped before it finished; run setup again to finish.',
    );
    return 'ended';
  }
  if (deps.backlog && (await deps.backlog.shownRevision(run.id)) < (run.revision ?? 0)) {
    await deps.journal.show(run);
  }
  const state = await deps.scheduler.jobState(run);
  if (state === 'live') return 'alive';
  if (state === 'missing') {
    await deps.scheduler.enqueue(run);
    return 'requeued';
  }
  await end(run, deps, now, 'Its job stopped without finishing the run; the details are in the bot logs.');
  return 'ended';
}

async function end(
  run: RunRecord,
  deps: RunReconcilerDeps,
  now: () => number,
  message: string,
): Promise<void> {
  const step = run.steps.find((s) => s.status === 'running')?.id ?? 'run';
  await deps.journal.record(run.id, finishRun('failed', { step, code: 'executor_lost', message }, now()));
}
