import { expect } from 'vitest';
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
