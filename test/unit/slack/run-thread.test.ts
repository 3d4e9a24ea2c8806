import { describe, expect, it } from 'vitest';
import { newRunRecord, type RunRecord } from '../../../src/jobs/run-record.js';
import {
  beginRun,
  completeStep,
  failStep,
  finishRun,
  parkStep,
  recordDecision,
  requestApproval,
  retryRun,
  setRunStatus,
  startStep,
  type Transition,
} from '../../../src/jobs/run-transitions.js';
import { cardMessage, runThread } from '../../../src/slack/run-messages/run-thread.js';

const STEPS = [
  { id: 'preflight', title: 'Preflight' },
  { id: 'lms-states', title: 'LMS states', phase: 'lms' as const },
  { id: 'credentials', title: 'Credentials', phase: 'credentials' as const },
  { id: 'verify', title: 'Verify' },
  { id: 'concourse', title: 'Concourse', phase: 'concourse' as const },
];

function apply(run: RunRecord, ...transitions: Transition[]): RunRecord {
  return transitions.reduce((r, t) => t.apply(r) ?? r, run);
}

function started(): RunRecord {
  const run = newRunRecord({
    id: 'r0000000001',
    kind: 'setup',
    app: 'mitxonline',
    env: 'qa',
    requestedBy: 'U1',
    now: 1,
  });
  return apply(run, beginRun(STEPS));
}

const done = (id: string, at: number) => [
  startStep(id, at),
  completeStep(id, { summary: `${id} ok` }, at + 1),
];
const keys = (run: RunRecord) =>
  runThread(run, '<@U2>').map((m) => `${m.key}${m.settled ? '' : ' (progress)'}`);

describe('the thread of a run', () => {
  it('shows a step parked for something outside the bot at once, and progress again once it resumes', () => {
    const running = apply(
      started(),
      ...done('preflight', 10),
      ...done('lms-states', 20),
      startStep('credentials', 30),
    );
    expect(cardMessage(running).settled).toBe(false);
    const parked = apply(
      running,
      parkStep('credentials', 'Waiting for pull request #1 to be merged', 90_000),
    );
    expect(keys(parked)).toEqual(['phase:1:lms', 'phase:1:credentials']);
    expect(cardMessage(parked).settled).toBe(true);
    const resumed = apply(parked, startStep('credentials', 95_000));
    expect(keys(resumed)).toEqual(['phase:1:lms', 'phase:1:credentials (progress)']);
    expect(cardMessage(resumed).settled).toBe(false);
  });

  it('lists steps under their phase; a step outside any phase joins its neighbours', () => {
    const run = apply(
      started(),
      ...done('preflight', 10),
      ...done('lms-states', 20),
      startStep('credentials', 30),
    );
    expect(keys(run)).toEqual(['phase:1:lms', 'phase:1:credentials (progress)']);
    const lms = runThread(run, '').find((m) => m.key === 'phase:1:lms');
    expect(lms?.message.text).toBe('LMS: 1. Preflight: done; 2. LMS states: done');
    const finished = apply(
      run,
      completeStep('credentials', { summary: 'kept' }, 31),
      ...done('verify', 40),
      ...done('concourse', 50),
      finishRun('succeeded', undefined, 60),
    );
    expect(keys(finished)).toEqual(['phase:1:lms', 'phase:1:credentials', 'phase:1:concourse', 'final:1']);
    expect(runThread(finished, '')[1]?.message.text).toBe(
      'Credentials: 3. Credentials: done; 4. Verify: done',
    );
    expect(cardMessage(finished).settled).toBe(true);
    expect(cardMessage(run).settled).toBe(false);
  });

  it('puts each approval just before its phase, settled, and shows its decision', () => {
    const approval = {
      phase: 'lms' as const,
      status: 'pending' as const,
      attempt: 1,
      changes: 'lms: 1 change',
      previewDigest: 'd',
      requestedAt: 15,
      expiresAt: 10_000,
    };
    const waiting = apply(started(), ...done('preflight', 10), requestApproval(approval));
    expect(keys(apply(waiting, setRunStatus('awaiting_approval')))).toEqual([
      'approval:lms:1:15',
      'phase:1:lms',
    ]);
    const decided = apply(waiting, recordDecision('lms', 'approved', 'U2', 16));
    expect(runThread(decided, '')[0]?.message.text).toBe('Approval for mitxonline qa (lms): approved');
  });

  it('keeps a retried attempt as it ended, marked retried, and shows the retry below it', () => {
    const failed = apply(
      started(),
      ...done('preflight', 10),
      ...done('lms-states', 20),
      startStep('credentials', 30),
      failStep('credentials', { code: 'x', message: 'Vault is sealed.' }, 31),
      finishRun('failed', { step: 'credentials', code: 'x', message: 'Vault is sealed.' }, 32),
    );
    const retried = apply(failed, retryRun('U3', 100));
    expect(keys(retried)).toEqual(['phase:1:lms', 'phase:1:credentials', 'final:1']);
    const again = apply(retried, startStep('credentials', 110));
    expect(keys(again)).toEqual([
      'phase:1:lms',
      'phase:1:credentials',
      'final:1',
      'phase:2:credentials (progress)',
    ]);
    const thread = runThread(again, '');
    expect(thread[1]?.message.text).toBe('Credentials: 3. Credentials: failed');
    expect(JSON.stringify(thread[2]?.message.blocks)).toContain('Retried by <@U3> at <!date^0^');
    expect(JSON.stringify(thread[2]?.message.blocks)).toContain('Vault is sealed.');
    expect(JSON.stringify(thread[2]?.message.blocks)).not.toContain('retirement_retry');
    expect(thread[3]?.message.text).toBe('Credentials: 3. Credentials: running');
  });
});
