/*
 * How KV v2 reads its request fields and writes its times, after the Vault SDK's field types:
 * TypeDurationSecond (seconds, or a Go duration string), TypeCommaIntSlice (a list or "1,2"),
 * the weakly decoded `cas` option, and Go's time.Duration.String() for durations it reports.
 */

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seconds from a number, a numeric string or a Go duration such as `1h30m`; undefined if neither. */
export function durationSeconds(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? Math.trunc(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text === '') return 0;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  const unsigned = text.replace(/^[-+]/, '');
  const parts = [...unsigned.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== unsigned) return undefined;
  const seconds = parts.reduce(
    (sum, part) => sum + Number(part[1]) * (UNIT_SECONDS[part[2] as string] as number),
    0,
  );
  return (text.startsWith('-') ? -1 : 1) * Math.trunc(seconds);
}

/** Go's Duration.String() for whole seconds: `0s`, `45s`, `1m30s`, `1h0m0s`. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.abs(seconds);
  const h = Math.floor(total / 3_600);
  const m = Math.floor((total % 3_600) / 60);
  const s = total % 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  return m > 0 ? `${sign}${m}m${s}s` : `${sign}${s}s`;
}

/** Version numbers from `versions`; an unreadable list counts as none, which the caller rejects. */
export function versionNumbers(raw: unknown): number[] {
  const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [raw];
  return items
    .map((item) => (typeof item === 'string' && item.trim() !== '' ? Number(item) : item))
    .filter((item): item is number => typeof item === 'number' && Number.isInteger(item) && item > 0);
}

/** path_data.go validateCheckAndSetOption: the error text for a write, or undefined when it may go ahead. */
export function checkAndSetError(
  options: unknown,
  required: boolean,
  currentVersion: number,
): string | undefined {
  const raw = isRecord(options) ? options.cas : undefined;
  if (raw === undefined) return required ? 'check-and-set parameter required for this call' : undefined;
  const cas = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof cas !== 'number' || !Number.isInteger(cas)) return 'error parsing check-and-set parameter';
  return cas === currentVersion ? undefined : 'check-and-set parameter did not match the current version';
}

/** Vault prints unset timestamps as "" rather than null. */
export function timestamp(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}
