/**
 * Go's time.ParseDuration and Duration.String (src/time/format.go), which the ATC goes through
 * for `check_every` (atc/config.go CheckEvery). Kept apart from the bot's own parser so the
 * emulator cannot agree with the bot just by sharing its mistakes.
 */
const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const SECOND = 1_000_000_000n;
const MAX = (1n << 63n) - 1n;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Nanoseconds, or throws the message Go's error carries. */
export function parseGoDuration(text: string): bigint {
  const invalid = () => new Error(`time: invalid duration "${text}"`);
  let rest = text;
  const negative = rest.startsWith('-');
  if (negative || rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let total = 0n;
  while (rest !== '') {
    if (!(rest[0] === '.' || isDigit(rest[0]))) throw invalid();
    const whole = /^\d*/.exec(rest)?.[0] ?? '';
    rest = rest.slice(whole.length);
    let fraction = '';
    const hasDot = rest.startsWith('.');
    if (hasDot) {
      fraction = /^\d*/.exec(rest.slice(1))?.[0] ?? '';
      rest = rest.slice(1 + fraction.length);
    }
    if (whole === '' && fraction === '') throw invalid();
    let end = 0;
    while (end < rest.length && rest[end] !== '.' && !isDigit(rest[end])) end += 1;
    if (end === 0) throw new Error(`time: missing unit in duration "${text}"`);
    const name = rest.slice(0, end);
    rest = rest.slice(end);
    const unit = UNITS[name];
    if (unit === undefined) throw new Error(`time: unknown unit "${name}" in duration "${text}"`);
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    if (fraction !== '') {
      // Go scales the fraction's digits through float64 and truncates, so `0.1s` is exact but
      // long fractions round the way Go's do.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / 10 ** fraction.length)));
    }
    total += value;
    if (total > MAX + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}

/** As Go prints it: `1m0s`, `168h0m0s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDuration(nanoseconds: bigint): string {
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u === 0n) return '0s';
  if (u < SECOND) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${decimal(u, 3)}µs`;
    return `${sign}${decimal(u, 6)}ms`;
  }
  const seconds = `${decimal(u % (60n * SECOND), 9)}s`;
  const minutes = u / (60n * SECOND);
  if (minutes === 0n) return `${sign}${seconds}`;
  const hours = minutes / 60n;
  return `${sign}${hours > 0n ? `${hours}h` : ''}${minutes % 60n}m${seconds}`;
}

function decimal(value: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  const fraction = (value % scale).toString().padStart(places, '0').replace(/0+$/, '');
  return `${value / scale}${fraction === '' ? '' : `.${fraction}`}`;
}
