import type { RunRecord } from '../../jobs/run-record.js';
import { CARD_KEY, type RunMessage } from './run-thread.js';

/** Where the run record keeps the ts of one of its messages, once posted. */
export function tsOf(run: RunRecord, message: RunMessage): string | undefined {
  if (message.key === CARD_KEY) return run.cardTs;
  if (message.approval) return findApproval(run, message)?.messageTs;
  return run.thread?.[message.key];
}

function findApproval(run: RunRecord, message: RunMessage) {
  const wanted = message.approval;
  return run.approvals.find(
    (a) => a.phase === wanted?.phase && a.attempt === wanted.attempt && a.requestedAt === wanted.requestedAt,
  );
}

/** Stores a posted message's ts where the record keeps it (approvals keep theirs: clicks bind to it). */
export function recordTs(run: RunRecord, message: RunMessage, ts: string): RunRecord | undefined {
  if (tsOf(run, message)) return undefined;
  if (message.approval) {
    const wanted = findApproval(run, message);
    return { ...run, approvals: run.approvals.map((a) => (a === wanted ? { ...a, messageTs: ts } : a)) };
  }
  return { ...run, thread: { ...run.thread, [message.key]: ts } };
}
