/** Percentile of a sample, by nearest rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight; returns each latency in ms. */
export async function measureConcurrent(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await task(index);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return latencies;
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}
