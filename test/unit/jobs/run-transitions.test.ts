import { describe, expect, it } from 'vitest';
import {
  type ApprovalPhase,
  type ApprovalRecord,
  newRunRecord,
  type RunRecord,
} from '../../../src/jobs/run-record.js';
import {
  beginRun,
  completeStep,
  expireApproval,
  failStep,
  finishRun,
  recordDecision,
  requestApproval,
  requestCancel,
  retryRun,
  saveStepCheckpoint,
  startStep,
} from '../../../src/jobs/run-transitions.js';

const STEPS = [
  { id: 'preflight', title: 'Preflight' },
  { id: 'lms-states', title: 'LMS states' },
];

function queued(): RunRecord {
  return newRunRecord({
    id: 'r0000000001',
    kind: 'setup',
    app: 'mitxonline',
    env: 'qa',
    requestedBy: 'U1',
    now: 1,
  });
}

function pendingApproval(phase: ApprovalPhase, expiresAt: number): ApprovalRecord {
  return {
    phase,
    status: 'pending',
    attempt: 1,
    changes: 'c',
    previewDigest: 'd',
    requestedAt: 1,
    expiresAt,
  };
}

function apply(
  run: RunRecord,
  ...transitions: { apply(run: RunRecord): RunRecord | undefined }[]
): RunRecord {
  return transitions.reduce((current, transition) => transition.apply(current) ?? current, run);
}

describe('run transitions', () => {
  it('begin a queued run once: steps added, status running; beginning again changes nothing', () => {
    const running = apply(queued(), beginRun(STEPS));
    expect(running.status).toBe('running');
    expect(running.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'pending'],
      ['lms-states', 'pending'],
    ]);
    expect(beginRun(STEPS).apply(running)).toBeUndefined();
  });

  it('keep a step’s first start time and merge its checkpoints across attempts', () => {
    const run = apply(
      queued(),
      beginRun(STEPS),
      startStep('preflight', 10),
      saveStepCheckpoint('preflight', { a: 1 }),
      startStep('preflight', 20),
      saveStepCheckpoint('preflight', { b: 'x' }),
    );
    expect(run.steps[0]).toMatchObject({ status: 'running', startedAt: 10, checkpoint: { a: 1, b: 'x' } });
  });

  it('record a step’s outcome with its audit entry', () => {
    const done = completeStep('preflight', { summary: 'ok' }, 30);
    const run = apply(queued(), beginRun(STEPS), startStep('preflight', 10), done);
    expect(run.steps[0]).toMatchObject({ status: 'done', summary: 'ok', finishedAt: 30 });
    expect(done.audit?.(run)).toEqual({
      type: 'step_finished',
      runId: run.id,
      step: 'preflight',
      outcome: 'done',
      summary: 'ok',
    });
    const failed = apply(run, failStep('lms-states', { code: 'x', message: 'broke' }, 40));
    expect(failed.steps[1]).toMatchObject({ status: 'failed', summary: 'broke', finishedAt: 40 });
  });

  it('finish a run once, closing its pending approvals', () => {
    const approval = pendingApproval('lms', 99);
    const waiting = apply(queued(), beginRun(STEPS), requestApproval(approval));
    expect(waiting.status).toBe('awaiting_approval');
    const cancelled = apply(waiting, finishRun('cancelled', undefined, 50));
    expect(cancelled).toMatchObject({ status: 'cancelled', finishedAt: 50 });
    expect(cancelled.approvals[0]?.status).toBe('cancelled');
    expect(finishRun('succeeded', undefined, 60).apply(cancelled)).toBeUndefined();
  });

  it('ask for a phase’s approval once, decide it once, and refuse a decision after expiry', () => {
    const approval = pendingApproval('credentials', 100);
    const waiting = apply(queued(), requestApproval(approval));
    expect(requestApproval(approval).apply(waiting)).toBeUndefined();
    expect(recordDecision('credentials', 'approved', 'U2', 100).apply(waiting)).toBeUndefined();
    const approved = apply(waiting, recordDecision('credentials', 'approved', 'U2', 99));
    expect(approved.approvals[0]).toMatchObject({ status: 'approved', decidedBy: 'U2', decidedAt: 99 });
    expect(recordDecision('credentials', 'rejected', 'U3', 99).apply(approved)).toBeUndefined();
    expect(apply(waiting, expireApproval('credentials')).approvals[0]?.status).toBe('expired');
  });

  it('cancel once, and retry only a failed run, as its next attempt from the failed step', () => {
    const run = apply(queued(), beginRun(STEPS));
    const cancelling = apply(run, requestCancel('U1'));
    expect(cancelling.cancelRequestedBy).toBe('U1');
    expect(requestCancel('U2').apply(cancelling)).toBeUndefined();
    expect(retryRun('U1', 1_000).apply(run)).toBeUndefined();

    const failed = apply(
      run,
      failStep('preflight', { code: 'x', message: 'broke' }, 5),
      finishRun('failed', { step: 'preflight', code: 'x', message: 'broke' }, 6),
    );
    const retried = apply(failed, retryRun('U1', 1_000));
    expect(retried).toMatchObject({ status: 'queued', attempt: 2 });
    expect(retried.error).toBeUndefined();
    expect(retried.finishedAt).toBeUndefined();
    expect(retried.steps[0]?.status).toBe('pending');
    expect(retried.retried).toEqual([
      {
        attempt: 1,
        retriedBy: 'U1',
        retriedAt: 1_000,
        error: { step: 'preflight', code: 'x', message: 'broke' },
        failedStep: expect.objectContaining({ id: 'preflight', status: 'failed', summary: 'broke' }),
      },
    ]);
  });
});
