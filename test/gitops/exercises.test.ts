// The exercise catalog of issue 2: ids, order, seed sections and the traffic each step must produce
// (`expect:`, which the simulator checks later). A typo or a 0.3333 for a third fails here.
import { describe, expect, it } from 'vitest';
import { loadExercises, type UserExpectation } from '../../tooling/src/lib/exercises.ts';
import { ROOT } from './support.ts';

const THIRD = 1 / 3;
const one = (outcome: string, latencyMs?: { min?: number; max?: number }) => [{ outcome, probability: 1, ...(latencyMs ? { latencyMs } : {}) }];

const CATALOG: [id: string, section: string, expect: Record<string, { outcome: string; probability: number; latencyMs?: object }[]>][] = [
  ['baseline', 'setup', { anonymous: [{ outcome: 'no-stars', probability: THIRD }, { outcome: 'black-stars', probability: THIRD }, { outcome: 'red-stars', probability: THIRD }] }],
  ['route-v1', '1.1', { anonymous: one('no-stars') }],
  ['route-jason', '1.2', { jason: one('black-stars'), anonymous: one('no-stars') }],
  ['shift-v1', '2.1', { anonymous: one('no-stars') }],
  ['shift-50-v3', '2.2', { anonymous: [{ outcome: 'no-stars', probability: 0.5 }, { outcome: 'red-stars', probability: 0.5 }] }],
  ['shift-v3', '2.3', { anonymous: one('red-stars') }],
  ['fault-delay', '3.1', { jason: one('reviews-error', { min: 5500, max: 6500 }), anonymous: one('no-stars') }],
  ['fault-delay-fixed', '3.1', { jason: one('ratings-unavailable', { min: 2000, max: 3500 }), anonymous: one('red-stars') }],
  ['fault-abort', '3.2', { jason: one('ratings-unavailable', { max: 1000 }), anonymous: one('no-stars') }],
  ['canary', '4', { anonymous: one('no-stars') }],
  ['canary-v2', '4', { anonymous: one('black-stars') }],
];

function asRecord(expectations: UserExpectation[]) {
  return Object.fromEntries(expectations.map((e) => [e.user, e.outcomes]));
}

describe('exercise catalog', () => {
  it('lists the seed\u2019s eleven steps in workshop order with their sections, each at a position of its own', async () => {
    // Read from the catalog: an author may add steps (`npm run exercise -- new`) between or after these.
    const exercises = await loadExercises(ROOT);
    const seed = exercises.filter((e) => CATALOG.some(([id]) => id === e.id));
    expect(seed.map((e) => [e.id, e.section])).toEqual(CATALOG.map(([id, section]) => [id, section]));
    expect(exercises[0]?.id).toBe('baseline');
    const orders = exercises.map((e) => e.order);
    expect(orders.every((o) => Number.isInteger(o) && o > 0)).toBe(true);
    expect(new Set(orders).size).toBe(orders.length);
  });

  for (const [id, , want] of CATALOG) {
    it(`${id} expects the traffic outcomes of its step`, async () => {
      const exercise = (await loadExercises(ROOT)).find((e) => e.id === id);
      const got = asRecord(exercise?.expect ?? []);
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [user, outcomes] of Object.entries(want)) {
        const actual = got[user] ?? [];
        expect(actual.map((o) => o.outcome), `${id}/${user}`).toEqual(outcomes.map((o) => o.outcome));
        actual.forEach((o, i) => {
          // The simulator compares with a tolerance of 0.001, so a written third must be that precise.
          expect(Math.abs(o.probability - (outcomes[i]?.probability ?? NaN)), `${id}/${user}/${o.outcome}`).toBeLessThan(1e-6);
          expect(o.latencyMs, `${id}/${user}/${o.outcome}`).toEqual(outcomes[i]?.latencyMs);
        });
        const total = actual.reduce((sum, o) => sum + o.probability, 0);
        expect(Math.abs(total - 1), `${id}/${user}: probabilities sum to 1`).toBeLessThan(1e-6);
      }
    });
  }

  it('tells the learner what to do and what to see after the merge', async () => {
    for (const e of await loadExercises(ROOT)) {
      expect(e.afterMerge.do.length, e.id).toBeGreaterThan(0);
      expect(e.afterMerge.observe.length, e.id).toBeGreaterThan(0);
      expect(e.summary.length, e.id).toBeGreaterThan(20);
    }
  });

  it('says in canary-v2 that its expectation is the state after Flagger promotes v2', async () => {
    const canaryV2 = (await loadExercises(ROOT)).find((e) => e.id === 'canary-v2');
    expect(canaryV2?.summary).toMatch(/promotes v2/);
  });
});
