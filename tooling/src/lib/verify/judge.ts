// Steps 3 and 4 of verify as pure judgements: the pages one user saw against the simulator's prediction for that
// user (exact test at a stated significance, latency within the predicted range), and a live Flagger Canary's
// phase and weight against the predicted rollout timeline.
import { OUTCOMES, type Outcome } from '../exercises.ts';
import type { CanaryTimeline, UserResult } from '../simulate/index.ts';
import { pct } from '../simulate/units.ts';
import type { LiveObject } from './kube.ts';
import { multinomialTest, type TestResult } from './stats.ts';
import type { Sample } from './traffic.ts';

export interface OutcomeRow {
  outcome: Outcome;
  observed: number;
  predicted: number;
  /** Median latency of the loads with this outcome, ms. */
  medianMs?: number;
  /** The predicted latency (faults, timeouts, retries; the apps' own work counts as 0). */
  predictedMs?: number;
}

export interface UserVerdict {
  user: string | null;
  ok: boolean;
  requests: number;
  rows: OutcomeRow[];
  test?: TestResult & { alpha: number };
  /** One sentence per failure, each naming the user and the outcome. */
  failures: string[];
}

export interface JudgeOptions {
  /** Significance of this user's test (the caller divides the overall level among users). */
  alpha: number;
  /** How much slower than predicted a median page may be (the apps' own work and the network). */
  latencySlackMs: number;
  /** How much faster than predicted a median page may be (timer granularity). */
  latencyEarlyMs?: number;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}


export function userLabel(user: string | null): string {
  return user ?? 'anonymous';
}

/** Judges one user's sample against the prediction for that user. */
export function judgeUser(sample: Sample, predicted: UserResult, options: JudgeOptions): UserVerdict {
  const who = userLabel(sample.user);
  const n = sample.observations.length;
  const byOutcome = new Map<Outcome, number[]>();
  for (const o of sample.observations) byOutcome.set(o.outcome, [...(byOutcome.get(o.outcome) ?? []), o.latencyMs]);
  const predictedBy = new Map(predicted.outcomes.map((o) => [o.outcome, o]));
  const rows: OutcomeRow[] = OUTCOMES.filter((o) => byOutcome.has(o) || (predictedBy.get(o)?.probability ?? 0) > 0).map((outcome) => {
    const latencies = byOutcome.get(outcome) ?? [];
    const p = predictedBy.get(outcome);
    const row: OutcomeRow = { outcome, observed: latencies.length, predicted: p?.probability ?? 0 };
    const m = median(latencies);
    if (m !== undefined) row.medianMs = Math.round(m);
    if (p) row.predictedMs = p.latencyMs;
    return row;
  });
  const failures: string[] = [];
  if (sample.loginError) failures.push(`${who}: ${sample.loginError}`);
  if (n === 0) return { user: sample.user, ok: false, requests: 0, rows, failures: failures.length ? failures : [`${who}: no page was loaded`] };
  const test = { ...multinomialTest(rows.map((r) => r.observed), rows.map((r) => r.predicted)), alpha: options.alpha };
  if (test.pValue < options.alpha) {
    // Name the outcome that departs most: one predicted impossible, else the largest standardised residual.
    const worst = [...rows].sort((a, b) => score(b, n) - score(a, n))[0]!;
    failures.push(
      `${who}: ${worst.outcome} on ${worst.observed} of ${n} pages (${pct(worst.observed / n)}), predicted ${pct(worst.predicted)}; ` +
        `exact ${test.method === 'binomial-bonferroni' ? 'binomial (Bonferroni)' : 'multinomial'} test p = ${test.pValue.toPrecision(3)} < ${options.alpha}`,
    );
  }
  const early = options.latencyEarlyMs ?? 250;
  for (const row of rows) {
    if (row.medianMs === undefined || row.predictedMs === undefined || row.predicted === 0) continue;
    if (row.medianMs < row.predictedMs - early || row.medianMs > row.predictedMs + options.latencySlackMs) {
      failures.push(`${who}: ${row.outcome} pages took ${row.medianMs}ms (median), predicted ${row.predictedMs}ms to ${row.predictedMs + options.latencySlackMs}ms`);
    }
  }
  return { user: sample.user, ok: failures.length === 0, requests: n, rows, test, failures };
}

function score(row: OutcomeRow, n: number): number {
  if (row.predicted === 0) return row.observed > 0 ? Infinity : -Infinity;
  const expected = row.predicted * n;
  return Math.abs(row.observed - expected) / Math.sqrt(expected);
}

export type CanaryPhase = 'Initializing' | 'Initialized' | 'Waiting' | 'Progressing' | 'WaitingPromotion' | 'Promoting' | 'Finalising' | 'Succeeded' | 'Failed' | 'Terminating' | 'Terminated';

export interface CanaryVerdict {
  name: string;
  ok: boolean;
  phase?: string;
  weight?: number;
  failedChecks?: number;
  /** True while Flagger is shifting traffic: pages then mix primary and canary, which the converged prediction does not describe. */
  inProgress: boolean;
  message: string;
}

/** A live Canary's `status` (phase, canaryWeight, failedChecks) against the predicted timeline. */
export function judgeCanary(live: LiveObject | undefined, timeline: CanaryTimeline): CanaryVerdict {
  const name = timeline.name;
  if (!live) return { name, ok: false, inProgress: false, message: `Canary ${name} is not in the cluster.` };
  const status = (live.status ?? {}) as { phase?: string; canaryWeight?: number; failedChecks?: number };
  const phase = status.phase;
  const weight = typeof status.canaryWeight === 'number' ? status.canaryWeight : 0;
  const failedChecks = typeof status.failedChecks === 'number' ? status.failedChecks : 0;
  const base = { name, ...(phase ? { phase } : {}), weight, failedChecks };
  const weights = new Set(timeline.steps.map((s) => s.weight).filter((w) => w > 0));
  const promoted = timeline.result === 'promoted';
  switch (phase) {
    case 'Progressing':
    case 'Waiting':
    case 'WaitingPromotion':
    case 'Promoting':
    case 'Finalising': {
      const onTimeline = weight === 0 || weights.has(weight);
      const ok = onTimeline && failedChecks < timeline.threshold;
      const message = !onTimeline
        ? `Canary ${name} is ${phase} at ${weight}%, a weight the predicted timeline never uses (${[...weights].join(', ')}%).`
        : failedChecks >= timeline.threshold
          ? `Canary ${name} has ${failedChecks} failed checks, at the threshold ${timeline.threshold}: Flagger will roll back.`
          : `Canary ${name} is ${phase} at ${weight}% with ${failedChecks} failed checks, on the predicted timeline (${timeline.steps.map((s) => `${s.weight}%`).join(' -> ')}, ${timeline.totalMinutes} min).`;
      return { ...base, ok, inProgress: true, message };
    }
    case 'Failed':
      return { ...base, ok: !promoted, inProgress: false, message: `Canary ${name} failed and was rolled back${promoted ? ', where the prediction promotes it' : ', as predicted'}.` };
    case 'Succeeded':
    case 'Initialized':
      return { ...base, ok: promoted, inProgress: false, message: `Canary ${name} is ${phase}: all traffic on the primary${promoted ? ', as predicted' : ', where the prediction rolls back'}.` };
    case 'Initializing':
    case undefined:
      return { ...base, ok: false, inProgress: true, message: `Canary ${name} is ${phase ?? 'without a phase yet'}: Flagger has not set up the primary.` };
    default:
      return { ...base, ok: false, inProgress: false, message: `Canary ${name} is in phase ${JSON.stringify(phase)}, which the prediction does not describe.` };
  }
}
