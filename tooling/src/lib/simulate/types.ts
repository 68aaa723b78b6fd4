// What the simulator predicts: the shapes `simulate` returns and takes.
import type { Outcome } from '../exercises.ts';
import type { CanaryTimeline } from './canary.ts';

export interface PredictedOutcome {
  outcome: Outcome;
  probability: number;
  latencyMs: number;
  /** Hops that decided the outcome, e.g. `["productpage v1", "reviews v2", "ratings v1 (delay 7s)"]`. */
  path: string[];
  /** Why a call failed, e.g. `productpage gave reviews 3s x 2 attempts; ratings answered after 7s`. */
  reason?: string;
}

/** One arrow of the route picture: per call from `from`, the share that goes to `to`. */
export interface RouteEdge {
  from: string;
  to: string;
  probability: number;
  fault?: string;
}

export interface UserResult {
  /** null for the anonymous user (no user header). */
  user: string | null;
  outcomes: PredictedOutcome[];
  edges: RouteEdge[];
}

export interface SimulationOptions {
  target: string;
  /** User names; null (or "anonymous") is the anonymous user. Defaults to defaultUsers(). */
  users?: (string | null)[];
  /** Flagger metric checks fail from this analysis interval on (1-based). */
  failFrom?: number;
}

export interface SimulationResult {
  target: string;
  users: UserResult[];
  /** The rollout of every Flagger Canary in the manifests. */
  canaries: CanaryTimeline[];
  /** Things the model had to assume, e.g. a version missing from the call graph. */
  warnings: string[];
}
