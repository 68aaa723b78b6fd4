// Step 1 of verify: has the GitOps engine applied the base-branch commit that carries the pointer? Reads the
// engine's own status as its API documents it and names every condition that is not met yet:
//   Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1): `status.lastAppliedRevision` (`<branch>@sha1:<sha>`;
//     Flux < 2.0 wrote `<branch>/<sha>`), the `Ready` condition, and `status.observedGeneration`.
//   Argo CD `Application` (argoproj.io/v1alpha1): `status.sync.revision`, `status.sync.status` (`Synced`) and
//   `status.health.status` (`Healthy`).
// A revision counts when the pointer commit is it or an ancestor of it (the engine may already run a newer commit).
import { KINDS, type KindRef, type LiveObject, type KubeReader } from './kube.ts';

export type Engine = 'flux' | 'argocd';

/** The engine object verify waits for: `Kustomization flux-system/exercise` or `Application argocd/exercise`. */
export interface EngineObject {
  engine: Engine;
  kind: KindRef;
  namespace: string;
  name: string;
}

export function engineObjectName(o: EngineObject): string {
  return `${o.kind.kind} ${o.namespace}/${o.name}`;
}

export interface SyncState {
  /** The 40-hex commit the engine reports, if any. */
  revision?: string;
  /** Conditions not met yet, each a sentence; empty when synced. */
  unmet: string[];
}

type Status = Record<string, unknown>;

function statusOf(object: LiveObject): Status {
  const status = object.status;
  return status && typeof status === 'object' ? (status as Status) : {};
}

/** The commit in a Flux (`main@sha1:<sha>`, `main/<sha>`, `sha1:<sha>`) or Argo CD (`<sha>`) revision string. */
export function commitOfRevision(revision: unknown): string | undefined {
  if (typeof revision !== 'string') return undefined;
  const m = /(?:^|[@/:])([0-9a-f]{40})$/.exec(revision.trim());
  return m?.[1];
}

/** The engine's applied revision, before the ancestry check. */
export function reportedRevision(engine: Engine, object: LiveObject): string | undefined {
  const status = statusOf(object);
  if (engine === 'flux') return commitOfRevision(status.lastAppliedRevision);
  return commitOfRevision((status.sync as Status | undefined)?.revision);
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function conditionText(c: Condition | undefined): string {
  if (!c) return 'no Ready condition yet';
  const why = [c.reason, c.message].filter(Boolean).join(': ');
  return `Ready is ${c.status ?? 'unset'}${why ? ` (${why.replace(/\s+/g, ' ').slice(0, 300)})` : ''}`;
}

/**
 * What is still missing. `contains` says whether the reported commit contains the pointer commit (undefined:
 * the commit is not in the local clone, so it cannot be told).
 */
export function evaluateSync(engine: Engine, object: LiveObject, pointer: string, contains: boolean | undefined): SyncState {
  const status = statusOf(object);
  const revision = reportedRevision(engine, object);
  const unmet: string[] = [];
  const short = pointer.slice(0, 12);
  const revisionText = (raw: unknown) => (typeof raw === 'string' && raw ? raw : 'none');
  const revisionUnmet = (field: string, raw: unknown) => {
    if (revision === undefined) unmet.push(`${field} is ${revisionText(raw)}, not a commit containing ${short}`);
    else if (contains === undefined) unmet.push(`${field} ${revision.slice(0, 12)} is not in this clone, so it cannot be told whether it contains ${short} (run git fetch)`);
    else if (!contains) unmet.push(`${field} ${revision.slice(0, 12)} does not contain the pointer commit ${short} yet`);
  };
  if (engine === 'flux') {
    revisionUnmet('status.lastAppliedRevision', status.lastAppliedRevision);
    const generation = object.metadata?.generation;
    if (typeof generation === 'number' && typeof status.observedGeneration === 'number' && status.observedGeneration < generation) {
      unmet.push(`status.observedGeneration ${status.observedGeneration} is behind metadata.generation ${generation}`);
    }
    const ready = (Array.isArray(status.conditions) ? (status.conditions as Condition[]) : []).find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') unmet.push(conditionText(ready));
    return { ...(revision ? { revision } : {}), unmet };
  }
  const sync = (status.sync ?? {}) as Status;
  const health = (status.health ?? {}) as Status;
  revisionUnmet('status.sync.revision', sync.revision);
  if (sync.status !== 'Synced') unmet.push(`status.sync.status is ${typeof sync.status === 'string' ? sync.status : 'unset'}, not Synced`);
  if (health.status !== 'Healthy') {
    const message = typeof health.message === 'string' && health.message ? ` (${health.message.replace(/\s+/g, ' ').slice(0, 300)})` : '';
    unmet.push(`status.health.status is ${typeof health.status === 'string' ? health.status : 'unset'}, not Healthy${message}`);
  }
  const operation = (status.operationState ?? {}) as Status;
  if (operation.phase === 'Failed' || operation.phase === 'Error') {
    unmet.push(`the last sync operation ${operation.phase === 'Failed' ? 'failed' : 'errored'}${typeof operation.message === 'string' ? `: ${operation.message.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
  }
  return { ...(revision ? { revision } : {}), unmet };
}

export interface WaitOptions {
  reader: KubeReader;
  /** Candidates in order; the first that exists is the engine. */
  candidates: EngineObject[];
  /** The base-branch commit that carries the pointer. */
  pointer: string;
  /** Whether `commit` contains `pointer`; undefined when `commit` is unknown locally. */
  contains: (commit: string) => Promise<boolean | undefined>;
  timeoutMs: number;
  intervalMs: number;
  progress: (line: string) => void;
  /** Injectable clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SyncResult {
  ok: boolean;
  engine?: Engine;
  object?: string;
  revision?: string;
  waitedMs: number;
  /** Unmet conditions at the end (empty when ok), or why no engine object was found. */
  unmet: string[];
  message: string;
}

/** The engine object that exists, first in `candidates` order, or undefined. */
async function findEngine(reader: KubeReader, candidates: EngineObject[]): Promise<{ target: EngineObject; object: LiveObject } | undefined> {
  for (const target of candidates) {
    const object = await reader.get(target.kind, target.namespace, target.name);
    if (object) return { target, object };
  }
  return undefined;
}

/** Polls the engine object until it reports the pointer commit applied and healthy, or the timeout passes. */
export async function waitForSync(options: WaitOptions): Promise<SyncResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = now();
  const short = options.pointer.slice(0, 12);
  let last = '';
  for (;;) {
    const found = await findEngine(options.reader, options.candidates);
    const waited = now() - start;
    if (!found) {
      const names = options.candidates.map(engineObjectName).join(' or ');
      return { ok: false, waitedMs: waited, unmet: [`neither ${names} exists`], message: `Neither ${names} exists on context ${options.reader.context}.` };
    }
    const name = engineObjectName(found.target);
    const revision = reportedRevision(found.target.engine, found.object);
    const contains = revision === undefined ? false : await options.contains(revision);
    const state = evaluateSync(found.target.engine, found.object, options.pointer, contains);
    const base = { engine: found.target.engine, object: name, ...(state.revision ? { revision: state.revision } : {}) };
    if (state.unmet.length === 0) {
      return { ok: true, ...base, waitedMs: waited, unmet: [], message: `${name} applied ${state.revision?.slice(0, 12)} (contains the pointer commit ${short}) and is ready.` };
    }
    if (waited >= options.timeoutMs) {
      return {
        ok: false,
        ...base,
        waitedMs: waited,
        unmet: state.unmet,
        message: `Timed out after ${Math.round(waited / 1000)}s waiting for ${name} to apply ${short}: ${state.unmet.join('; ')}.`,
      };
    }
    const line = `waiting for ${name}: ${state.unmet.join('; ')}`;
    if (line !== last) options.progress(`${line} (${Math.round(waited / 1000)}s)`);
    last = line;
    await sleep(Math.min(options.intervalMs, Math.max(1, options.timeoutMs - waited)));
  }
}

/** The candidates for a cluster folder, Flux first; names and namespaces as the repository's engine objects set them. */
export function defaultCandidates(flux?: { namespace?: string; name?: string }, argocd?: { namespace?: string; name?: string }): EngineObject[] {
  return [
    { engine: 'flux', kind: KINDS.Kustomization, namespace: flux?.namespace ?? 'flux-system', name: flux?.name ?? 'exercise' },
    { engine: 'argocd', kind: KINDS.Application, namespace: argocd?.namespace ?? 'argocd', name: argocd?.name ?? 'exercise' },
  ];
}
