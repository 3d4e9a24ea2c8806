import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import type { ApprovalRecord, RunRecord } from '../../src/jobs/run-record.js';
import { ACTION_APPROVE, ACTION_RETRY } from '../../src/slack/actions/action-ids.js';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';
import { type RemoteWorld, startRemoteWorld } from '../support/remote-world.js';
import { scriptedPlan } from '../support/scripted-plan.js';
import { click, finalTs, REQUESTER, requestSetup, shownFinal } from '../support/slack-requests.js';
import { APPROVER, APPROVER_GROUP, SECOND_APPROVER, testCatalog } from '../support/test-catalog.js';
import { waitFor } from '../support/wait-for.js';

/** An approval covers exactly what was approved: in this attempt, for this preview, every field. */
let h: BotHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const PHASE_STEPS = [
  ['lms', 'lms'],
  ['vault', 'credentials'],
  ['concourse', 'concourse'],
] as const;

const run = (harness: BotHarness, id: string) => harness.bot.store.get(id) as Promise<RunRecord>;

function pending(harness: BotHarness, runId: string, phase: string, attempt = 1): Promise<ApprovalRecord> {
  return waitFor(
    async () =>
      (await run(harness, runId)).approvals.find(
        (a) => a.phase === phase && a.attempt === attempt && a.status === 'pending' && a.messageTs,
      ),
    { what: `a pending ${phase} approval in attempt ${attempt}`, timeoutMs: 60_000 },
  );
}

describe('approvals bound to the attempt and the preview', () => {
  async function start(
    effects: string[],
    failOnce = new Set<string>(),
    previews: Record<string, string> = {},
  ) {
    h = await startBotHarness({
      catalog: testCatalog(),
      plans: scriptedPlan(effects, { steps: PHASE_STEPS, failOnce, previews }),
      usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
    });
    return h;
  }

  it('asks again after a Retry for the phase that failed, instead of reusing its approval', async () => {
    const effects: string[] = [];
    const harness = await start(effects, new Set(['vault']));
    const runId = await requestSetup(harness, 'mitxonline production');
    for (const phase of ['lms', 'credentials']) {
      const approval = await pending(harness, runId, phase);
      await click(harness, ACTION_APPROVE, `${runId}:${phase}`, approval.messageTs as string, APPROVER);
    }
    const failed = await waitFor(async () => {
      const current = await run(harness, runId);
      return current.status === 'failed' && (await shownFinal(harness, current)) ? current : undefined;
    });
    expect(await click(harness, ACTION_RETRY, runId, finalTs(failed) as string, REQUESTER.id)).toContain(
      'Retrying',
    );
    const again = await pending(harness, runId, 'credentials', 2);
    expect(effects).toEqual(['lms']);
    // The old vault approval's button decides nothing any more.
    const old = failed.approvals.find((a) => a.phase === 'credentials' && a.attempt === 1) as ApprovalRecord;
    expect(
      await click(harness, ACTION_APPROVE, `${runId}:credentials`, old.messageTs as string, APPROVER),
    ).not.toContain('You approved');
    expect(effects).toEqual(['lms']);
    await click(harness, ACTION_APPROVE, `${runId}:credentials`, again.messageTs as string, APPROVER);
    const concourse = await pending(harness, runId, 'concourse', 2);
    await click(harness, ACTION_APPROVE, `${runId}:concourse`, concourse.messageTs as string, APPROVER);
    await waitFor(async () => (await run(harness, runId)).status === 'succeeded', { what: 'success' });
    expect(effects).toEqual(['lms', 'vault', 'concourse']);
  });

  it('asks again when what the phase would change moved on after it was approved', async () => {
    const effects: string[] = [];
    const previews: Record<string, string> = { lms: 'Would add state RETIRING_NOTES.' };
    const harness = await start(effects, new Set(), previews);
    const runId = await requestSetup(harness, 'mitxonline production');
    const first = await pending(harness, runId, 'lms');
    previews.lms = 'Would add states RETIRING_NOTES and NOTES_COMPLETE.';
    await click(harness, ACTION_APPROVE, `${runId}:lms`, first.messageTs as string, APPROVER);
    const second = await waitFor(async () =>
      (await run(harness, runId)).approvals.find(
        (a) => a.phase === 'lms' && a.status === 'pending' && a.messageTs,
      ),
    );
    expect(second.changes).toBe('Would add states RETIRING_NOTES and NOTES_COMPLETE.');
    expect((await run(harness, runId)).approvals[0]?.status).toBe('superseded');
    expect(effects).toEqual([]);
    expect(JSON.stringify(harness.slack.messages.find((m) => m.ts === first.messageTs)?.blocks)).toContain(
      'Superseded',
    );
  });

  it('stops asking when what a phase would change keeps moving', async () => {
    const effects: string[] = [];
    const previews: Record<string, string> = {};
    const harness = await start(effects, new Set(), previews);
    const runId = await requestSetup(harness, 'mitxonline production');
    for (let round = 1; round <= 3; round += 1) {
      const asking = await waitFor(async () =>
        (await run(harness, runId)).approvals.find(
          (a) => a.phase === 'lms' && a.status === 'pending' && a.messageTs,
        ),
      );
      previews.lms = `lms: moved ${round}`;
      await click(harness, ACTION_APPROVE, `${runId}:lms`, asking.messageTs as string, APPROVER);
    }
    const ended = await waitFor(async () => {
      const current = await run(harness, runId);
      return current.finishedAt ? current : undefined;
    });
    expect(ended.error?.code).toBe('preview_unstable');
    expect(effects).toEqual([]);
  });
});

describe.skipIf(!canHostEdxWorker())('against the simulated world', () => {
  let world: RemoteWorld;
  beforeAll(async () => {
    world = await startRemoteWorld();
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  });

  async function bot(): Promise<BotHarness> {
    h = await startBotHarness({
      catalog: world.catalog,
      env: world.env,
      realIntegrations: true,
      usergroups: { [APPROVER_GROUP]: [SECOND_APPROVER] },
    });
    return h;
  }

  /** Approves each phase that asks, until the run ends. */
  async function approveAll(harness: BotHarness, runId: string): Promise<RunRecord> {
    for (;;) {
      const next = await waitFor(
        async () => {
          const current = await run(harness, runId);
          if (current.finishedAt && (await shownFinal(harness, current)))
            return { ended: current, asking: undefined };
          const asking = current.approvals.find((a) => a.status === 'pending' && a.messageTs);
          return asking ? { ended: undefined, asking } : undefined;
        },
        { what: 'an approval or the end of the run', timeoutMs: 90_000 },
      );
      if (next.ended) return next.ended;
      const { phase, messageTs } = next.asking as ApprovalRecord;
      await click(harness, ACTION_APPROVE, `${runId}:${phase}`, messageTs as string, APPROVER);
    }
  }

  it('leaves an application that already matches alone, and asks approval when only the secret in Vault differs', async () => {
    const harness = await bot();
    const first = await requestSetup(harness, 'mitxonline qa');
    await waitFor(async () => (await run(harness, first)).status === 'succeeded', { timeoutMs: 90_000 });
    const [before] = await world.edx.applications();

    const again = await requestSetup(harness, 'mitxonline qa');
    const rerun = await waitFor(
      async () => {
        const current = await run(harness, again);
        return current.status === 'succeeded' ? current : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(rerun.steps.find((s) => s.id === 'dot-application')?.summary).toContain('Already in place');
    expect((await world.edx.applications())[0]?.updated).toBe(before?.updated);

    const production = await requestSetup(harness, 'mitxonline production');
    expect((await approveAll(harness, production)).status).toBe('succeeded');
    const path = 'mitxonline/tubular_oauth_client';
    const response = await fetch(`${world.vault.url}/v1/secret-concourse/data/${path}`, {
      headers: { 'X-Vault-Token': world.vault.rootToken },
    });
    const stored = ((await response.json()) as { data: { data: Record<string, string> } }).data.data;
    world.vault.writeAsOther('secret-concourse', path, {
      ...stored,
      secret: 'a-different-secret-of-the-same-shape',
    });

    const secretOnly = await requestSetup(harness, 'mitxonline production');
    // Vault is the record: the LMS application is converged to the secret Vault holds, with approval.
    const vault = await pending(harness, secretOnly, 'credentials');
    expect(vault.changes).toContain('Would converge application `retirement`');
    expect(vault.changes).not.toContain('a-different-secret');
    expect(vault.changes).not.toContain(stored.secret);
  }, 240_000);
});
