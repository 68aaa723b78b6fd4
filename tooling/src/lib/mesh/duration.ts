// Durations as Istio's CRD validation and Flagger read them: Go's time.ParseDuration grammar.

/** `1m30s`, `1.5s`, `500ms`, `-2s`, or the bare `0`. */
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
/** One number and unit of a duration. */
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration string, or undefined when it is not one (numbers included: YAML `7` is no duration). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(DURATION_PART)) total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return text.startsWith('-') ? -total : total;
}
