// Exact probability distributions over the simulator's branches: a list of (probability, value) pairs.
import { SimulationError } from './routing.ts';

export interface Branch<T> {
  p: number;
  v: T;
}
export type Dist<T> = Branch<T>[];

const MAX_BRANCHES = 20_000;

/** Adds up identical values; fails when the routing has too many distinct branches to enumerate. */
export function merge<T>(dist: Dist<T>): Dist<T> {
  const byKey = new Map<string, Branch<T>>();
  for (const b of dist) {
    if (b.p <= 0) continue;
    const key = JSON.stringify(b.v);
    const seen = byKey.get(key);
    if (seen) seen.p += b.p;
    else byKey.set(key, { p: b.p, v: b.v });
  }
  const out = [...byKey.values()];
  if (out.length > MAX_BRANCHES) {
    throw new SimulationError(
      `The routing has more than ${MAX_BRANCHES} distinct branches, too many to enumerate exactly.`,
      'Simplify the weights, retries or fault percentages, or simulate fewer users at once.',
    );
  }
  return out;
}

/** `yes` with `probability`, else `no`. */
export function split<T>(probability: number, yes: () => Dist<T>, no: () => Dist<T>): Dist<T> {
  if (probability >= 1) return yes();
  if (probability <= 0) return no();
  return [...yes().map((b) => ({ p: b.p * probability, v: b.v })), ...no().map((b) => ({ p: b.p * (1 - probability), v: b.v }))];
}

/** Rounds away float noise from sums of products of probabilities. */
export function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}
