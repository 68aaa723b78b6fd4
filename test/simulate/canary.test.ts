// Flagger's analysis loop as a timeline: steps to maxWeight then promotion, and rollback at the threshold.
import { describe, expect, it } from 'vitest';
import { canaryTimeline, canaryWeights } from '../../tooling/src/lib/simulate/canary.ts';

const seed = { name: 'reviews', namespace: 'bookinfo', target: 'reviews', analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 } };

describe('canary timeline', () => {
  it('without failures steps 10..50% a minute apart and promotes after interval x maxWeight/stepWeight', () => {
    const t = canaryTimeline(seed);
    expect(t.steps).toEqual([
      { atMinute: 0, weight: 10 },
      { atMinute: 1, weight: 20 },
      { atMinute: 2, weight: 30 },
      { atMinute: 3, weight: 40 },
      { atMinute: 4, weight: 50 },
      { atMinute: 5, weight: 0 },
    ]);
    expect(t.result).toBe('promoted');
    expect(t.totalMinutes).toBe(5);
    expect(t.name).toBe('bookinfo/reviews');
  });

  it('failing from interval 3 holds the weight and rolls back threshold intervals later', () => {
    const t = canaryTimeline(seed, { failFrom: 3 });
    expect(t.result).toBe('rolled-back');
    expect(t.totalMinutes).toBe(8);
    expect(t.steps.map((s) => s.weight)).toEqual([10, 20, 30, 30, 30, 30, 30, 30, 0]);
    expect(t.events.at(-1)!.text).toMatch(/threshold \(5\): rolling back/);
  });

  it('failing from the first interval rolls back after interval x threshold of failures', () => {
    const t = canaryTimeline(seed, { failFrom: 1 });
    expect(t.totalMinutes).toBe(6);
    expect(t.steps.at(-1)).toEqual({ atMinute: 6, weight: 0 });
  });

  it('the check at maxWeight counts: failing from interval 5 still rolls back, from 6 it promotes', () => {
    expect(canaryTimeline(seed, { failFrom: 5 }).result).toBe('rolled-back');
    expect(canaryTimeline(seed, { failFrom: 6 }).result).toBe('promoted');
  });

  it('scales with the interval and caps the last step at maxWeight', () => {
    const t = canaryTimeline({ ...seed, analysis: { interval: '30s', threshold: 2, maxWeight: 50, stepWeight: 20 } });
    expect(t.steps).toEqual([
      { atMinute: 0, weight: 20 },
      { atMinute: 0.5, weight: 40 },
      { atMinute: 1, weight: 50 },
      { atMinute: 1.5, weight: 0 },
    ]);
    expect(t.totalMinutes).toBe(1.5);
  });

  it('uses stepWeights when given', () => {
    expect(canaryWeights({ stepWeights: [1, 5, 25, 50] })).toEqual([1, 5, 25, 50]);
    expect(canaryTimeline({ ...seed, analysis: { interval: '2m', threshold: 1, stepWeights: [5, 50] } }).totalMinutes).toBe(4);
  });
});
