/** Elapsed time as people read it in a thread: `850ms`, `42s`, `3m 05s`, `1h 02m`. */
export function formatElapsed(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** How long something between two instants took, when both are known. */
export function elapsedBetween(start: number | undefined, end: number | undefined): string | undefined {
  return start !== undefined && end !== undefined && end >= start ? formatElapsed(end - start) : undefined;
}
