// Every exercise in the repository, rendered with the real kustomize, keeps the promise of its
// exercise.yaml `expect:` list; plus the validate analyzer that enforces it in CI.
import { describe, expect, it } from 'vitest';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { renderTarget, resolveTarget } from '../../tooling/src/lib/targets.ts';
import { checkExercise, compareExpectations, exerciseExpectationAnalyzer } from '../../tooling/src/lib/simulate/analyzer.ts';
import { simulate } from '../../tooling/src/lib/simulate/engine.ts';
import { REPO, bookinfo, callGraph } from './helpers.ts';

const exercises = await loadExercises(REPO);

async function rendered(id: string) {
  const text = await renderTarget(REPO, await resolveTarget(REPO, id));
  return parseManifests(text, `exercises/${id}`).resources;
}

describe('exercise expectations against the rendered repository', () => {
  it('covers the exercises issue 7 names', () => {
    const ids = exercises.map((e) => e.id);
    for (const id of ['baseline', 'route-v1', 'route-jason', 'shift-50-v3', 'shift-v3', 'fault-delay', 'fault-delay-fixed', 'fault-abort']) {
      expect(ids).toContain(id);
    }
  });

  it.each(exercises.map((e) => [e.id, e] as const))('%s does what its exercise.yaml expects', async (id, exercise) => {
    expect(exercise.expect.length).toBeGreaterThan(0);
    expect(checkExercise(id, await rendered(id), exercise.expect, await callGraph())).toEqual([]);
  });

  it('fault-delay predicts the seed\'s bug: jason fails after 6s', async () => {
    const r = simulate(await rendered('fault-delay'), await callGraph(), { target: 'fault-delay' });
    const jason = r.users.find((u) => u.user === 'jason')!;
    expect(jason.outcomes.map((o) => [o.outcome, o.probability, o.latencyMs])).toEqual([['reviews-error', 1, 6000]]);
  });
});

describe('exercise-expectation analyzer', () => {
  it('reports each mismatch with user, outcome, expected and predicted, on exercise.yaml', async () => {
    const resources = bookinfo('all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-delay-7s.yaml');
    const findings = checkExercise('fault-delay', resources, [
      { user: 'jason', outcomes: [{ outcome: 'reviews-error', probability: 1, latencyMs: { min: 6500 } }] },
      { user: 'anonymous', outcomes: [{ outcome: 'red-stars', probability: 1 }] },
    ], await callGraph());
    expect(findings.map((f) => [f.rule, f.severity, f.file])).toEqual(Array(3).fill(['exercise-expectation', 'error', 'exercises/fault-delay/exercise.yaml']));
    expect(findings.map((f) => f.message)).toEqual([
      'Exercise fault-delay, user jason, outcome reviews-error: expected latency 6.5s.., predicted 6s via productpage v1 -> reviews v2 -> ratings v1 (delay 7s) (productpage gave reviews 3s x 2 attempts; ratings answered after 7s).',
      'Exercise fault-delay, user anonymous, outcome red-stars: expected probability 100%, predicted 0%.',
      'Exercise fault-delay, user anonymous, outcome no-stars: expected probability 0%, predicted 100%.',
    ]);
  });

  it('tolerates 1/3 written as 0.333 but not 0.33', async () => {
    const r = simulate(bookinfo(), await callGraph(), { target: 'baseline' });
    const third = (p: number) => [{ user: 'anonymous', outcomes: (['no-stars', 'black-stars', 'red-stars'] as const).map((outcome) => ({ outcome, probability: p })) }];
    expect(compareExpectations(r, third(0.333))).toEqual([]);
    expect(compareExpectations(r, third(0.33))).toHaveLength(3);
  });

  it('runs on exercise kustomization units and ignores the rest', async () => {
    const resources = await rendered('fault-abort');
    expect(await exerciseExpectationAnalyzer({ source: 'exercises/fault-abort', kind: 'kustomization', resources }, { root: REPO })).toEqual([]);
    expect(await exerciseExpectationAnalyzer({ source: 'apps/bookinfo', kind: 'kustomization', resources }, { root: REPO })).toEqual([]);
    // fault-abort's resources under another exercise's name break that exercise's promise.
    const wrong = await exerciseExpectationAnalyzer({ source: 'exercises/fault-delay', kind: 'kustomization', resources }, { root: REPO });
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((f) => f.rule === 'exercise-expectation' && f.file === 'exercises/fault-delay/exercise.yaml')).toBe(true);
  });
});
