// The exact test behind "users see the prediction": given the simulator's outcome probabilities and the counts
// observed in N page loads, the p-value is the probability, under the prediction, of a sample at most as likely
// as the one observed (the exact multinomial test; with two outcomes it is the two-sided exact binomial test as
// R's binom.test computes it). Nothing is approximated: every count vector over the predicted outcomes is
// enumerated, from log-factorials. An outcome observed although predicted with probability 0 makes the
// p-value 0. When the enumeration would exceed MAX_VECTORS (many outcomes and many requests), each outcome gets
// an exact binomial test instead, Bonferroni-corrected, which is also exact and only more conservative.

export interface TestResult {
  pValue: number;
  method: 'multinomial' | 'binomial-bonferroni' | 'impossible-outcome';
}

const MAX_VECTORS = 2_000_000;
/** Relative tolerance when comparing probabilities, as binom.test uses (1 + 1e-7). */
const RELATIVE = 1 + 1e-7;

const logFactorials: number[] = [0];
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

/** The number of count vectors of `k` non-negative parts summing to `n`: C(n + k - 1, k - 1). */
export function vectorCount(n: number, k: number): number {
  if (k <= 1) return 1;
  let c = 1;
  for (let i = 1; i < k; i++) {
    c = (c * (n + i)) / i;
    if (c > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return Math.round(c);
}

/** Every count vector's probability under `probs` (all > 0), sorted ascending, with running sums. Cached per (n, probs). */
const tables = new Map<string, { sorted: Float64Array; cumulative: Float64Array }>();
function table(n: number, probs: readonly number[]): { sorted: Float64Array; cumulative: Float64Array } {
  const id = `${n}:${probs.join(',')}`;
  const cached = tables.get(id);
  if (cached) return cached;
  const logP = probs.map(Math.log);
  const values: number[] = [];
  const counts = new Array<number>(probs.length).fill(0);
  const walk = (i: number, left: number, acc: number) => {
    if (i === probs.length - 1) {
      counts[i] = left;
      values.push(Math.exp(logFactorial(n) + acc - logFactorial(left) + left * logP[i]!));
      return;
    }
    for (let c = 0; c <= left; c++) {
      counts[i] = c;
      walk(i + 1, left - c, acc - logFactorial(c) + c * logP[i]!);
    }
  };
  walk(0, n, 0);
  const sorted = Float64Array.from(values).sort();
  const cumulative = new Float64Array(sorted.length);
  let sum = 0;
  sorted.forEach((v, i) => {
    sum += v;
    cumulative[i] = sum;
  });
  if (tables.size > 32) tables.clear();
  const made = { sorted, cumulative };
  tables.set(id, made);
  return made;
}

function pmf(n: number, counts: readonly number[], probs: readonly number[]): number {
  let log = logFactorial(n);
  counts.forEach((c, i) => {
    log += -logFactorial(c) + c * Math.log(probs[i]!);
  });
  return Math.exp(log);
}

/** Sum of the table's probabilities that are <= `p` (with binom.test's relative tolerance). */
function tailAtMost(t: { sorted: Float64Array; cumulative: Float64Array }, p: number): number {
  const limit = p * RELATIVE;
  let lo = 0;
  let hi = t.sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.sorted[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : Math.min(1, t.cumulative[lo - 1]!);
}

/** Two-sided exact binomial p-value of `x` successes in `n` with success probability `p`. */
export function binomialTest(x: number, n: number, p: number): number {
  if (p <= 0) return x === 0 ? 1 : 0;
  if (p >= 1) return x === n ? 1 : 0;
  return tailAtMost(table(n, [p, 1 - p]), pmf(n, [x, n - x], [p, 1 - p]));
}

/**
 * Exact test of observed counts against predicted probabilities (same order; probabilities sum to 1).
 * Outcomes predicted with probability 0 must have count 0, else the p-value is 0.
 */
export function multinomialTest(counts: readonly number[], probs: readonly number[]): TestResult {
  if (counts.length !== probs.length) throw new Error('counts and probabilities differ in length');
  const n = counts.reduce((a, b) => a + b, 0);
  if (counts.some((c, i) => c > 0 && !(probs[i]! > 0))) return { pValue: 0, method: 'impossible-outcome' };
  const keep = probs.map((p, i) => i).filter((i) => probs[i]! > 0);
  const total = keep.reduce((a, i) => a + probs[i]!, 0);
  const p = keep.map((i) => probs[i]! / total);
  const c = keep.map((i) => counts[i]!);
  if (n === 0 || p.length <= 1) return { pValue: 1, method: 'multinomial' };
  if (vectorCount(n, p.length) <= MAX_VECTORS) {
    return { pValue: tailAtMost(table(n, p), pmf(n, c, p)), method: 'multinomial' };
  }
  const smallest = Math.min(...c.map((x, i) => binomialTest(x, n, p[i]!)));
  return { pValue: Math.min(1, smallest * p.length), method: 'binomial-bonferroni' };
}

/** A small seeded PRNG (mulberry32) for reproducible simulated samples in tests and the docs' examples. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts of `n` draws from `probs` using `random`. */
export function sampleCounts(n: number, probs: readonly number[], random: () => number): number[] {
  const counts = new Array<number>(probs.length).fill(0);
  for (let i = 0; i < n; i++) {
    let u = random();
    let k = 0;
    while (k < probs.length - 1 && u >= probs[k]!) {
      u -= probs[k]!;
      k++;
    }
    counts[k]! += 1;
  }
  return counts;
}
