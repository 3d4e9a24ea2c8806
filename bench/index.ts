import { benchAckLatency, describeAckLatency } from './ack-latency.js';
import {
  benchCatalogPairs,
  benchSlowSlack,
  describeCatalogPairs,
  describeSlowSlack,
} from './catalog-pairs.js';
import { benchManyRuns, describeManyRuns } from './many-runs.js';
import { benchSetupOverhead, describeSetupOverhead } from './setup-overhead.js';

/** `npm run bench`: prints figures; nothing here asserts, the README records what it printed. */
async function main(): Promise<void> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(`retirement-bot benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
  out('Slash-command ack latency, 1000 signed requests, 50 concurrent:');
  out(describeAckLatency(await benchAckLatency()));
  out('\nFull qa setup against the simulated edx-worker and zero-latency emulators:');
  out(describeSetupOverhead(await benchSetupOverhead()));
  out(
    '\nEvery catalog pair (12) set up at once, two workers, Slack with its published limits (scripted steps):',
  );
  out(describeCatalogPairs(await benchCatalogPairs()));
  out('\nA run with Slack answering in 0 ms, then 500 ms per call (scripted steps):');
  out(describeSlowSlack(await benchSlowSlack()));
  out('\n100 setup runs for different pairs, two workers, Slack with its published limits:');
  out(describeManyRuns(await benchManyRuns()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
