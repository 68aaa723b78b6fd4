// The rollout a Flagger Canary will run, from its own analysis settings, following Flagger's documented
// loop: each interval run the checks, then step the weight up; promote after the check at maxWeight passes;
// roll back at the first interval that finds the failed-check count at the threshold.
import type { CanaryInfo } from './mesh.ts';
import { parseDuration } from '../mesh/index.ts';

export interface CanaryStep {
  atMinute: number;
  /** Share of traffic (percent) on the canary from this minute on. */
  weight: number;
}

export interface CanaryEvent {
  atMinute: number;
  text: string;
}

export interface CanaryTimeline {
  /** `namespace/name` of the Canary. */
  name: string;
  intervalMinutes: number;
  threshold: number;
  steps: CanaryStep[];
  result: 'promoted' | 'rolled-back';
  totalMinutes: number;
  events: CanaryEvent[];
}

export interface CanaryOptions {
  /** Metric checks fail from this analysis (1 = the first interval) on. */
  failFrom?: number;
}

function minutes(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The weights Flagger steps through: stepWeights as given, or stepWeight up to maxWeight (capped). */
export function canaryWeights(analysis: Record<string, unknown>): number[] {
  if (Array.isArray(analysis.stepWeights) && analysis.stepWeights.length > 0) {
    return (analysis.stepWeights as unknown[]).map(Number).filter((w) => Number.isFinite(w) && w > 0 && w <= 100);
  }
  const maxWeight = Number(analysis.maxWeight ?? 100);
  const stepWeight = Number(analysis.stepWeight ?? 0);
  if (Number.isFinite(Number(analysis.iterations)) && Number(analysis.iterations) > 0 && !(stepWeight > 0)) {
    // A/B testing: the matched users get the canary for a fixed number of iterations.
    return Array.from({ length: Math.min(Number(analysis.iterations), 1000) }, () => 100);
  }
  if (!(stepWeight > 0) || !(maxWeight > 0)) return [];
  const weights: number[] = [];
  for (let w = stepWeight; weights.length < 1000; w += stepWeight) {
    weights.push(Math.min(w, maxWeight));
    if (w >= maxWeight) break;
  }
  return weights;
}

export function canaryTimeline(canary: Pick<CanaryInfo, 'name' | 'namespace' | 'target' | 'analysis'>, options: CanaryOptions = {}): CanaryTimeline {
  const analysis = canary.analysis;
  const intervalMs = parseDuration(analysis.interval ?? '60s') ?? 60_000;
  const interval = intervalMs / 60_000;
  const thresholdRaw = Number(analysis.threshold);
  const threshold = Number.isInteger(thresholdRaw) && thresholdRaw > 0 ? thresholdRaw : 1;
  const weights = canaryWeights(analysis);
  const name = `${canary.namespace}/${canary.name}`;
  const steps: CanaryStep[] = [];
  const events: CanaryEvent[] = [{ atMinute: 0, text: `New revision of ${canary.target} detected; canary analysis starts` }];
  if (weights.length === 0) {
    return { name, intervalMinutes: minutes(interval), threshold, steps, result: 'promoted', totalMinutes: 0, events: [...events, { atMinute: 0, text: 'No stepWeight, stepWeights or iterations: Flagger promotes without shifting traffic' }] };
  }
  let failed = 0;
  let index = 0;
  steps.push({ atMinute: 0, weight: weights[0]! });
  events.push({ atMinute: 0, text: `Advance canary weight to ${weights[0]}%` });
  for (let tick = 1; tick <= 10_000; tick++) {
    const at = minutes(tick * interval);
    if (failed >= threshold) {
      steps.push({ atMinute: at, weight: 0 });
      events.push({ atMinute: at, text: `Failed checks reached the threshold (${threshold}): rolling back, all traffic to primary, canary scaled to zero` });
      return { name, intervalMinutes: minutes(interval), threshold, steps, result: 'rolled-back', totalMinutes: at, events };
    }
    const current = weights[index]!;
    if (options.failFrom !== undefined && tick >= options.failFrom) {
      failed += 1;
      steps.push({ atMinute: at, weight: current });
      events.push({ atMinute: at, text: `Analysis ${tick} failed at ${current}% (${failed} of ${threshold} failed checks); weight held` });
      continue;
    }
    if (index + 1 < weights.length) {
      index += 1;
      steps.push({ atMinute: at, weight: weights[index]! });
      events.push({ atMinute: at, text: `Analysis ${tick} passed at ${current}%; advance canary weight to ${weights[index]}%` });
      continue;
    }
    steps.push({ atMinute: at, weight: 0 });
    events.push({ atMinute: at, text: `Analysis ${tick} passed at ${current}%; promote: copy the canary template to primary, then route all traffic to primary and scale the canary to zero` });
    return { name, intervalMinutes: minutes(interval), threshold, steps, result: 'promoted', totalMinutes: at, events };
  }
  /* c8 ignore next */
  throw new Error('canary timeline did not terminate');
}

/** Timelines for every Canary in the manifests. */
export function canaryTimelines(canaries: readonly CanaryInfo[], options: CanaryOptions = {}): CanaryTimeline[] {
  return canaries.map((c) => canaryTimeline(c, options));
}
