// Durations in the mesh model (timeouts, delays, Flagger intervals) in milliseconds, read with the one Go
// time.ParseDuration of the toolkit (lib/go-duration.ts), the parser istiod and Flagger use.
import { parseGoDuration } from '../go-duration.ts';

/** Milliseconds in a Go duration string, or undefined when it is not one (numbers included: YAML `7` is no duration). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = parseGoDuration(text);
  return parsed.ok ? Number(parsed.ns) / 1e6 : undefined;
}
