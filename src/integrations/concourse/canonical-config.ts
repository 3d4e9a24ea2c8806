/**
 * The form the bot compares pipeline configs in. The ATC does not give back the config it was
 * sent: it decodes it into Go structs and GET …/config marshals those again (atc/config.go,
 * atc/job_config.go, atc/steps.go, atc/task.go, atc/db/pipeline.go). Both the generated config
 * and the one read back are brought to this form, so an unchanged pipeline compares equal.
 * Only the fields the generated pipeline uses (pipeline-schema.ts) are canonicalised; anything
 * else is compared as it is, so a field someone added by hand still shows as a difference.
 */

const NANOSECONDS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const SECOND = NANOSECONDS.s as bigint;
const DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g;

/** Nanoseconds in a Go duration (`60s`, `1h30m`, `1.5h`, `500ms`), or undefined if it is not one. */
export function parseDuration(text: string): bigint | undefined {
  if (/^[-+]?0$/.test(text)) return 0n;
  if (!DURATION.test(text)) return undefined;
  let total = 0n;
  for (const [, whole = '', fraction = '', unit = ''] of text.matchAll(DURATION_PART)) {
    const scale = NANOSECONDS[unit] as bigint;
    total += BigInt(whole || '0') * scale;
    if (fraction !== '') total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  }
  return text.startsWith('-') ? -total : total;
}

/** As Go's Duration.String() writes it, which is how the ATC shows `check_every`: `1m0s`, `168h0m0s`. */
export function formatDuration(nanoseconds: bigint): string {
  const sign = nanoseconds < 0n ? '-' : '';
  const size = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (size === 0n) return '0s';
  if (size < 1_000n) return `${sign}${size}ns`;
  if (size < 1_000_000n) return `${sign}${decimal(size, 3)}µs`;
  if (size < SECOND) return `${sign}${decimal(size, 6)}ms`;
  const seconds = `${decimal(size % (60n * SECOND), 9)}s`;
  const minutes = size / (60n * SECOND);
  if (minutes === 0n) return `${sign}${seconds}`;
  const hours = minutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ''}${minutes % 60n}m${seconds}`;
}

function decimal(value: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const fraction = (value % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${value / scale}${fraction === '' ? '' : `.${fraction}`}`;
}

export function canonicalConfig(config: unknown): unknown {
  if (!isObject(config)) return config;
  const canonical = { ...config };
  // GET lists resources by name (atc/db/pipeline.go resources), whatever order they were sent in.
  if (Array.isArray(config.resources)) canonical.resources = byName(config.resources.map(resource));
  // Jobs come back in the order they were first created (Jobs orders by id), so a reordered job
  // list is never given back and cannot be compared.
  if (Array.isArray(config.jobs)) canonical.jobs = byName(config.jobs.map(job));
  return canonical;
}

function resource(value: unknown): unknown {
  if (!isObject(value)) return value;
  // ResourceConfig.Icon is omitempty, so an empty icon is never given back; CheckEvery writes ""
  // for an empty interval, which means the default, as if it were not set.
  const canonical = withoutZero(value, ['icon', 'check_every']);
  if (typeof canonical.check_every !== 'string') return canonical;
  // CheckEvery keeps the parsed interval and writes it with Duration.String() (`60s` → `1m0s`),
  // and a zero interval as "".
  const interval = parseDuration(canonical.check_every);
  if (interval === 0n) delete canonical.check_every;
  else if (interval !== undefined) canonical.check_every = formatDuration(interval);
  return canonical;
}

function job(value: unknown): unknown {
  if (!isObject(value)) return value;
  // JobConfig.RawMaxInFlight is omitempty: 0 (no limit) is never given back.
  const canonical = withoutZero(value, ['max_in_flight']);
  if (Array.isArray(value.plan)) canonical.plan = value.plan.map(step);
  return canonical;
}

function step(value: unknown): unknown {
  if (!isObject(value)) return value;
  // GetStep.Trigger and LoadVarStep.Reveal are omitempty: false is never given back.
  const canonical = withoutZero(value, ['trigger', 'reveal']);
  if (isObject(value.config)) canonical.config = taskConfig(value.config);
  return canonical;
}

function taskConfig(value: Record<string, unknown>): Record<string, unknown> {
  // TaskConfig.Params, Inputs and Outputs are omitempty: empty ones are never given back.
  const canonical = withoutZero(value, ['params', 'inputs', 'outputs']);
  if (isObject(value.image_resource)) {
    // ImageResource.Name has no omitempty, so an image without a name comes back with "name": "".
    canonical.image_resource = withoutZero(value.image_resource, ['name']);
  }
  // TaskRunConfig.Args is omitempty: an empty argument list is never given back.
  if (isObject(value.run)) canonical.run = withoutZero(value.run, ['args']);
  return canonical;
}

/** The object without those keys whose value is the zero value Go reads as unset. */
function withoutZero(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const canonical = { ...value };
  for (const key of keys) if (isZero(canonical[key])) delete canonical[key];
  return canonical;
}

function isZero(value: unknown): boolean {
  if (value === null || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

function byName(items: unknown[]): unknown[] {
  const name = (item: unknown) => (isObject(item) && typeof item.name === 'string' ? item.name : '');
  return [...items].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
