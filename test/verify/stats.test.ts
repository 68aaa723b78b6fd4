// The exact test verify runs on page outcomes: known values, its false-alarm rate on samples drawn from the
// prediction itself (seeded, so every run draws the same samples), and its power against a wrong mix.
import { describe, expect, it } from 'vitest';
import { binomialTest, multinomialTest, sampleCounts, seededRandom, vectorCount } from '../../tooling/src/lib/verify/stats.ts';

/** Share of `trials` samples of size `n` drawn from `truth` that the test rejects against `predicted` at `alpha`. */
function rejectionRate(truth: number[], predicted: number[], n: number, alpha: number, trials: number, seed: number): number {
  const random = seededRandom(seed);
  let rejected = 0;
  for (let t = 0; t < trials; t++) if (multinomialTest(sampleCounts(n, truth, random), predicted).pValue < alpha) rejected += 1;
  return rejected / trials;
}

describe('exact binomial test', () => {
  it('matches R binom.test two-sided p-values', () => {
    // binom.test(682, 925, p = 0.75)$p.value = 0.3824916; binom.test(3, 10)$p.value = 0.34375;
    // binom.test(0, 20, 0.1): P(0) = 0.9^20 = 0.1215767; P(1..3) are larger, P(X >= 4) = 0.1329533 is not,
    // so p = 0.2545300.
    expect(binomialTest(682, 925, 0.75)).toBeCloseTo(0.3824916, 6);
    expect(binomialTest(3, 10, 0.5)).toBeCloseTo(0.34375, 10);
    expect(binomialTest(0, 20, 0.1)).toBeCloseTo(0.25453, 5);
    expect(binomialTest(5, 10, 0.5)).toBeCloseTo(1, 10);
  });

  it('gives p = 0 for an outcome predicted impossible and p = 1 for the only possible one', () => {
    expect(binomialTest(1, 10, 0)).toBe(0);
    expect(binomialTest(10, 10, 1)).toBe(1);
  });
});

describe('exact multinomial test', () => {
  it('treats an observed outcome with predicted probability 0 as impossible', () => {
    expect(multinomialTest([20, 20], [1, 0])).toEqual({ pValue: 0, method: 'impossible-outcome' });
  });

  it('equals the binomial test with two outcomes', () => {
    expect(multinomialTest([682, 243], [0.75, 0.25]).pValue).toBeCloseTo(binomialTest(682, 925, 0.75), 10);
  });

  it('sums the probability of every count vector at most as likely as the observed one', () => {
    // Three fair outcomes, n = 3: (1,1,1) has probability 6/27 and every other vector is less likely.
    expect(multinomialTest([1, 1, 1], [1 / 3, 1 / 3, 1 / 3]).pValue).toBeCloseTo(1, 10);
    // (3,0,0) has probability 1/27; the three vectors like it sum to 3/27.
    expect(multinomialTest([3, 0, 0], [1 / 3, 1 / 3, 1 / 3]).pValue).toBeCloseTo(3 / 27, 10);
  });

  it('falls back to Bonferroni-corrected binomial tests when enumeration is too large', () => {
    expect(vectorCount(200, 7)).toBeGreaterThan(2_000_000);
    const probs = [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1];
    const result = multinomialTest([60, 40, 20, 20, 20, 20, 20], probs);
    expect(result.method).toBe('binomial-bonferroni');
    expect(result.pValue).toBe(1);
  });

  it('raises false alarms at most at the stated significance on samples drawn from the prediction', () => {
    // 2,000 seeded samples each; the bound allows three standard errors of the sampled rate above alpha.
    const bound = (alpha: number, trials: number) => alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / trials);
    const baseline = rejectionRate([1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], 60, 0.05, 2000, 1);
    const split = rejectionRate([0.5, 0.5], [0.5, 0.5], 100, 0.05, 2000, 2);
    const skewed = rejectionRate([0.9, 0.1], [0.9, 0.1], 100, 0.01, 2000, 3);
    expect(baseline).toBeLessThanOrEqual(bound(0.05, 2000));
    expect(split).toBeLessThanOrEqual(bound(0.05, 2000));
    expect(skewed).toBeLessThanOrEqual(bound(0.01, 2000));
    // An exact test is conservative but not blind: it does reject some true samples.
    expect(baseline).toBeGreaterThan(0.01);
    expect(split).toBeGreaterThan(0.01);
  });

  it('the Bonferroni fallback keeps the false-alarm rate under the significance too', () => {
    const probs = [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1];
    expect(rejectionRate(probs, probs, 200, 0.05, 300, 4)).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 300));
  });

  it('finds a wrong mix: 50/50 served where 90/10 is predicted, and a third of the pages where 100% is predicted', () => {
    expect(rejectionRate([0.5, 0.5], [0.9, 0.1], 40, 0.01, 500, 5)).toBeGreaterThan(0.99);
    expect(rejectionRate([2 / 3, 1 / 3], [1, 0], 30, 0.01, 200, 6)).toBe(1);
  });

  it('draws the same samples for the same seed', () => {
    expect(sampleCounts(50, [0.2, 0.3, 0.5], seededRandom(42))).toEqual(sampleCounts(50, [0.2, 0.3, 0.5], seededRandom(42)));
    expect(sampleCounts(50, [0.2, 0.3, 0.5], seededRandom(42)).reduce((a, b) => a + b)).toBe(50);
  });
});
