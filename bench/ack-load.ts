import { SlackDriver } from '../emulators/slack/slack-driver.js';
import { SlackEmulator } from '../emulators/slack/slack-emulator.js';
import { measureConcurrent, percentile } from './latency-stats.js';

/**
 * The ack-latency load generator, run as its own process (bench/ack-latency.ts forks it), so
 * signing and sending requests does not share an event loop with the bots it measures.
 */
export interface LoadRequest {
  targets: { label: string; url: string; command: 'list' | 'help' | 'setup' }[];
  slackUrl: string;
  signingSecret: string;
  requests: number;
  concurrency: number;
}

export interface LoadResult {
  label: string;
  p50: number;
  p99: number;
}

const text = (command: LoadRequest['targets'][number]['command'], i: number) =>
  command === 'setup' ? `setup bench e${i}` : command;

async function generate(request: LoadRequest): Promise<LoadResult[]> {
  // Only its address is used: response_url values point at the parent's emulator.
  const emulator = new SlackEmulator();
  emulator.url = request.slackUrl;
  const results: LoadResult[] = [];
  for (const target of request.targets) {
    const driver = new SlackDriver({ botUrl: target.url, signingSecret: request.signingSecret, emulator });
    await measureConcurrent(
      100,
      10,
      async (i) => void (await driver.slash(text(target.command, request.requests + i))),
    );
    const latencies = await measureConcurrent(request.requests, request.concurrency, async (i) => {
      const response = await driver.slash(text(target.command, i));
      if (response.status !== 200) throw new Error(`${target.label}: HTTP ${response.status}`);
    });
    results.push({ label: target.label, p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
  }
  return results;
}

process.once('message', (message) => {
  generate(message as LoadRequest).then(
    (results) => process.send?.({ results }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});
