import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, startBotHarness } from '../support/bot-harness.js';

/** A `worker` container is probed like the others: /healthz and /metrics on WORKER_HEALTH_PORT. */
let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ role: 'worker', env: { WORKER_HEALTH_PORT: '0' } });
});
afterAll(() => h.stop());

describe('the worker role', () => {
  it('serves /healthz with the Redis check and /metrics, and nothing from Slack', async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { redis: 'ok' } });
    const metrics = await fetch(`${h.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/retirement_bot_queue_jobs\{state="waiting"\} \d+/);
    expect((await fetch(`${h.url}/slack/events`, { method: 'POST' })).status).toBe(404);
  });
});
