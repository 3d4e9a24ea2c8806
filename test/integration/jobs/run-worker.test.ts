import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunPlanFactory } from '../../../src/jobs/ports.js';
import { RunStore } from '../../../src/jobs/run-store.js';
import type { StepDefinition } from '../../../src/jobs/step-definition.js';
import { type BotHarness, startBotHarness } from '../../support/bot-harness.js';
import { REDIS_URL } from '../../support/redis.js';
import { testCatalog } from '../../support/test-catalog.js';
import { waitFor } from '../../support/wait-for.js';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function planOf(steps: StepDefinition[]): RunPlanFactory {
  return {
    create: () => ({
      plan: { steps, previewPhase: async () => ({ changes: true, summary: 'x' }) },
      close: async () => undefined,
    }),
  };
}

describe('the run worker', () => {
  it('drains on shutdown: a running step finishes before stop resolves', async () => {
    let release: () => void = () => undefined;
    const effects: string[] = [];
    const steps: StepDefinition[] = [
      {
        id: 'slow',
        title: 'Slow step',
        run: async () => {
          effects.push('started');
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          effects.push('finished');
          return { summary: 'finished' };
        },
      },
    ];
    harness = await startBotHarness({ catalog: testCatalog(), plans: planOf(steps) });
    const h = harness;
    const ack = await h.driver.slash('setup mitxonline qa');
    const runId = String(ack.json?.text).match(/run `(r[0-9a-z]{10})`/)?.[1];
    expect(runId).toBeDefined();
    await waitFor(() => effects.includes('started'), { what: 'the step to start' });

    const stopped = h.bot.stop(10_000).then(() => effects.push('stopped'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(effects).toEqual(['started']);
    release();
    await stopped;
    expect(effects).toEqual(['started', 'finished', 'stopped']);
    const redis = new Redis(REDIS_URL);
    expect((await new RunStore(redis, h.prefix).get(runId as string))?.status).toBe('succeeded');
    redis.disconnect();
  });
});
