// Go's time.ParseDuration, which is how istiod reads every duration of a VirtualService or DestinationRule
// (golang/protobuf's jsonpb decodes google.protobuf.Duration with it) and how Flagger reads its intervals:
// a sign, then one or more decimal numbers each with a unit (ns, us, µs, μs, ms, s, m, h), or "0" alone.
// Returns nanoseconds, or the error Go would give, word for word.

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 MICRO SIGN
  'μs': 1_000n, // U+03BC GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = (1n << 63n) - 1n;

export type ParsedDuration = { ok: true; ns: bigint } | { ok: false; error: string };

export function parseGoDuration(text: string): ParsedDuration {
  const quoted = JSON.stringify(text);
  const invalid = (): ParsedDuration => ({ ok: false, error: `time: invalid duration ${quoted}` });
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, ns: 0n };
  if (s === '') return invalid();
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) return invalid();
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const whole = number[1] as string;
    const fraction = number[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return invalid();
    s = s.slice(number[0].length);
    const unitMatch = /^[^0-9.]*/.exec(s) as RegExpExecArray;
    const unitText = unitMatch[0];
    if (unitText === '') return { ok: false, error: `time: missing unit in duration ${quoted}` };
    const unit = UNITS[unitText];
    if (unit === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}` };
    s = s.slice(unitText.length);
    let value = BigInt(whole === '' ? '0' : whole);
    if (value > MAX / unit) return invalid();
    value *= unit;
    if (fraction) {
      // Go adds float64(f) * (float64(unit) / scale), truncated; the same arithmetic here.
      const f = Number(fraction.slice(0, 18));
      const scale = 10 ** Math.min(fraction.length, 18);
      value += BigInt(Math.trunc(f * (Number(unit) / scale)));
      if (value > MAX) return invalid();
    }
    total += value;
    if (total > MAX) return invalid();
  }
  return { ok: true, ns: negative ? -total : total };
}

/** Nanoseconds as Go's Duration.String() prints them in the common cases: `1m30s`, `500ms`, `1.5s`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  if (abs < 1_000_000_000n) {
    if (abs % 1_000_000n === 0n) return `${sign}${abs / 1_000_000n}ms`;
    if (abs % 1_000n === 0n) return `${sign}${abs / 1_000n}µs`;
    return `${sign}${abs}ns`;
  }
  const h = abs / 3_600_000_000_000n;
  const m = (abs / 60_000_000_000n) % 60n;
  const rest = abs % 60_000_000_000n;
  const sec = rest / 1_000_000_000n;
  const frac = (rest % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const seconds = `${sec}${frac ? `.${frac}` : ''}s`;
  if (h > 0n) return `${sign}${h}h${m}m${seconds}`;
  if (m > 0n) return `${sign}${m}m${seconds}`;
  return `${sign}${seconds}`;
}
