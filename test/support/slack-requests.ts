import { expect } from 'vitest';
import type { RunRecord } from '../../src/jobs/run-record.js';
import type { BotHarness } from './bot-harness.js';
import { waitFor } from './wait-for.js';

export const REQUESTER = { id: 'U0REQUESTER' };

/** Sends `/retirement setup <pair>` and returns the run id from the acknowledgement. */
export async function requestSetup(harness: BotHarness, pair: string, user = REQUESTER): Promise<string> {
  const ack = await harness.driver.slash(`setup ${pair}`, { user });
  const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1];
  if (!runId) throw new Error(`no run id in ${ack.body}`);
  return runId;
}

/** The "only visible to you" messages `user` has been shown. */
export function ephemeralTo(harness: BotHarness, user: string) {
  return harness.slack.messages.filter((m) => m.ephemeral && m.user === user);
}

/** Clicks as `user` and returns the "only visible to you" answer the click produced. */
export async function click(
  harness: BotHarness,
  actionId: string,
  value: string,
  messageTs: string,
  user: string,
) {
  const before = ephemeralTo(harness, user).length;
  const response = await harness.driver.click(actionId, { user: { id: user }, value, messageTs });
  expect(response.status).toBe(200);
  return waitFor(() => ephemeralTo(harness, user)[before]?.text, { what: 'the ephemeral answer' });
}

/** Sends `/retirement <text>` and waits until the run it queued has ended and shown its result. */
export async function runToEnd(harness: BotHarness, text: string, user = REQUESTER): Promise<RunRecord> {
  const ack = await harness.driver.slash(text, { user });
  const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1] as string;
  return waitFor(
    async () => {
      const current = (await harness.bot.store.get(runId)) as RunRecord;
      return current.finishedAt && (await shownFinal(harness, current)) ? current : undefined;
    },
    { what: `${text} to end`, timeoutMs: 90_000 },
  );
}

/** What a run's step said, or '' when it has no such step. */
export function stepSummary(run: RunRecord, step: string): string {
  return run.steps.find((s) => s.id === step)?.summary ?? '';
}

/** The ts of the closing message of the run's current attempt, once posted. */
export function finalTs(run: RunRecord): string | undefined {
  return run.thread?.[`final:${run.attempt}`];
}

/** Whether Slack shows everything the run recorded so far (its card, thread and result). */
export async function shownInSlack(harness: BotHarness, run: RunRecord): Promise<boolean> {
  return (await harness.bot.backlog.shownRevision(run.id)) >= (run.revision ?? 0);
}

/** The run's result is posted and Slack is up to date with its record. */
export async function shownFinal(harness: BotHarness, run: RunRecord): Promise<boolean> {
  return Boolean(finalTs(run)) && (await shownInSlack(harness, run));
}
