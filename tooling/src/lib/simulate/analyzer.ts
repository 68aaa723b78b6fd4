// The `exercise-expectation` rule for `npm run validate`: an exercise's rendered manifests must still do
// what its exercise.yaml `expect:` promises, as predicted by the simulator (so a broken step fails CI).
import { EXERCISE_ID, scanExercisesPerRun, type UserExpectation } from '../exercises.ts';
import type { Finding } from '../findings.ts';
import type { Analyzer } from '../validate/index.ts';
import { perRun } from '../validate/types.ts';
import { ToolkitError } from '../errors.ts';
import { simulate } from './engine.ts';
import type { SimulationResult } from './types.ts';
import { formatMs, pct } from './units.ts';
import { loadCallGraph, type CallGraph } from './callgraph.ts';
import type { SourcedResource } from '../manifests.ts';

export const EXPECTATION_RULE = 'exercise-expectation';
/** Probabilities are exact, so this only absorbs rounding (1/3 written as 0.333). */
export const PROBABILITY_TOLERANCE = 0.001;

/** Every way the prediction differs from the expectation, one message per mismatch. */
export function compareExpectations(result: SimulationResult, expect: readonly UserExpectation[]): string[] {
  const problems: string[] = [];
  for (const expected of expect) {
    const user = expected.user === 'anonymous' ? null : expected.user;
    const predicted = result.users.find((u) => u.user === user);
    const who = user ?? 'anonymous';
    if (!predicted) {
      problems.push(`user ${who}: not simulated.`);
      continue;
    }
    for (const e of expected.outcomes) {
      const matching = predicted.outcomes.filter((o) => o.outcome === e.outcome);
      const p = matching.reduce((sum, o) => sum + o.probability, 0);
      if (Math.abs(p - e.probability) > PROBABILITY_TOLERANCE) {
        problems.push(`user ${who}, outcome ${e.outcome}: expected probability ${pct(e.probability)}, predicted ${pct(p)}.`);
      }
      for (const o of matching) {
        const { min, max } = e.latencyMs ?? {};
        if ((min !== undefined && o.latencyMs < min) || (max !== undefined && o.latencyMs > max)) {
          const bound = `${min === undefined ? '' : formatMs(min)}..${max === undefined ? '' : formatMs(max)}`;
          problems.push(`user ${who}, outcome ${e.outcome}: expected latency ${bound}, predicted ${formatMs(o.latencyMs)} via ${o.path.join(' -> ')}${o.reason ? ` (${o.reason})` : ''}.`);
        }
      }
    }
    const listed = new Set(expected.outcomes.map((o) => o.outcome));
    const extra = new Map<string, number>();
    for (const o of predicted.outcomes) if (!listed.has(o.outcome)) extra.set(o.outcome, (extra.get(o.outcome) ?? 0) + o.probability);
    for (const [outcome, p] of extra) {
      if (p > PROBABILITY_TOLERANCE) problems.push(`user ${who}, outcome ${outcome}: expected probability 0%, predicted ${pct(p)}.`);
    }
  }
  return problems;
}

/** Simulates one exercise's resources and compares; returns findings in the validate shape. */
export function checkExercise(id: string, resources: readonly SourcedResource[], expect: readonly UserExpectation[], graph: CallGraph): Finding[] {
  const file = `exercises/${id}/exercise.yaml`;
  const users = expect.map((e) => (e.user === 'anonymous' ? null : e.user));
  let result: SimulationResult;
  try {
    result = simulate(resources, graph, { target: id, users });
  } catch (error) {
    return [{
      rule: EXPECTATION_RULE,
      severity: 'error',
      file,
      message: `Cannot simulate exercise ${id}: ${(error as Error).message}`,
      hint: error instanceof ToolkitError && error.hint ? error.hint : 'Run `npm run simulate -- ' + id + '` for details.',
      source: 'toolkit',
    }];
  }
  return compareExpectations(result, expect).map((message) => ({
    rule: EXPECTATION_RULE,
    severity: 'error' as const,
    file,
    message: `Exercise ${id}, ${message}`,
    hint: `Run \`npm run simulate -- ${id}\` to see the predicted pages; fix the overlay or the expect: list.`,
    source: 'toolkit' as const,
  }));
}

/** Validate analyzer: runs on units whose source is `exercises/<id>`; other units get no findings. */
export const exerciseExpectationAnalyzer: Analyzer = async (unit, ctx) => {
  const m = /^exercises\/([^/]+)\/?$/.exec(unit.source);
  if (!m || unit.kind !== 'kustomization' || !EXERCISE_ID.test(m[1]!)) return [];
  const id = m[1]!;
  let loaded: [Awaited<ReturnType<typeof scanExercisesPerRun>>, Awaited<ReturnType<typeof loadCallGraph>>];
  try {
    // The same scan the repository analyzer reads.
    loaded = await Promise.all([scanExercisesPerRun(ctx), perRun(ctx, 'callgraph', () => loadCallGraph(ctx.root))]);
  } catch {
    // An exercise.yaml or callgraph.yaml that does not load is the project-files analyzer's finding, once, on
    // that file (yaml, exercise-schema, callgraph-schema): not one "cannot check" per exercise here.
    return [];
  }
  const [{ exercises }, graph] = loaded;
  try {
    const exercise = exercises.find((e) => e.id === id);
    if (!exercise || exercise.expect.length === 0) return [];
    return checkExercise(id, unit.resources, exercise.expect, graph);
  } catch (error) {
    return [{
      rule: EXPECTATION_RULE,
      severity: 'error',
      file: `exercises/${id}/exercise.yaml`,
      message: `Cannot check exercise ${id}: ${(error as Error).message}`,
      hint: error instanceof ToolkitError && error.hint ? error.hint : 'Run `npm run simulate -- ' + id + '` for details.',
      source: 'toolkit',
    }];
  }
};
