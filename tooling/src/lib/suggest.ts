// "Did you mean ...?" suggestions for mistyped ids, by edit distance.
import { distance } from 'fastest-levenshtein';

/** The candidate closest to `input`, or undefined when nothing is reasonably close. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A suggestion further away than half the input is noise, not help.
  if (best === undefined || bestDistance > Math.max(2, Math.ceil(input.length / 2))) return undefined;
  return best;
}

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : ` Did you mean "${match}"?`;
}
