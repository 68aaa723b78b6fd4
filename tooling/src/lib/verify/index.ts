// `npm run verify` as a library: after a promotion merges, (1) wait until the GitOps engine has applied the
// base-branch commit that carries the cluster's pointer, (2) compare the live routing and workloads with the
// render of that commit, (3) with a URL, load the page as each user and test what they see against the
// simulator's prediction, (4) for a Canary, compare Flagger's phase and weight with the predicted timeline.
// The render and the prediction come from the project's render and simulator libraries, run on a temporary
// worktree of the pointer commit, so they describe exactly what the engine was asked to apply.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { findCluster, loadClusters, pointerFileOf } from '../clusters.ts';
import { ToolkitError, UsageError } from '../errors.ts';
import { checkRef, commitExists, isAncestor, logOfFile, revParse } from '../git.ts';
import { withWorktree } from '../worktree.ts';
import { parseManifests } from '../manifests.ts';
import { resolveBase } from '../promote/state.ts';
import { loadCallGraph, simulate, type CanaryTimeline, type SimulationResult } from '../simulate/index.ts';
import { renderTarget, resolveTarget } from '../targets.ts';
import { judgeCanary, judgeUser, type CanaryVerdict, type UserVerdict } from './judge.ts';
import { KINDS, type LiveObject, type KubeReader } from './kube.ts';
import { fetchAndCompare, type LiveReport } from './live.ts';
import { defaultCandidates, waitForSync, type EngineObject, type SyncResult } from './sync.ts';
import { samplePages } from './traffic.ts';

export interface VerifyRequest {
  root: string;
  cluster?: string;
  /** A commit or ref whose pointer to verify; default: origin's base branch. */
  revision?: string;
  /** The base branch on origin; default: origin's default branch. */
  base?: string;
  timeoutMs: number;
  intervalMs: number;
  url?: string;
  requests: number;
  concurrency: number;
  /** Overall significance; each user's test gets alpha / users (Bonferroni). */
  alpha: number;
  latencySlackMs: number;
  pageTimeoutMs: number;
  progress: (line: string) => void;
}

export interface VerifyReport {
  ok: boolean;
  cluster: string;
  context: string;
  exercise: string;
  /** The commit that last changed the pointer, which the engine must have applied. */
  pointerCommit: string;
  sync: SyncResult;
  live?: LiveReport;
  canaries: CanaryVerdict[];
  traffic?: { url: string; alpha: number; users: UserVerdict[]; skipped?: string };
  /** Steps not run, and why. */
  skipped: string[];
}

interface Prepared {
  exercise: string;
  rendered: LiveObject[];
  prediction: SimulationResult;
  candidates: EngineObject[];
}

async function chooseCluster(root: string, name: string | undefined): Promise<string> {
  const all = await loadClusters(root);
  if (name !== undefined) return findCluster(all, name).name;
  const clusters = all.map((c) => c.name);
  if (clusters.length === 1) return clusters[0]!;
  if (clusters.includes('workshop')) return 'workshop';
  throw new UsageError('Name the cluster to verify.', `Clusters: ${clusters.join(', ') || '(none)'}. Example: npm run verify -- ${clusters[0] ?? 'workshop'}.`);
}

/** `metadata.name` and `.namespace` of the engine object in a cluster folder's YAML file, if it is there. */
async function engineMeta(dir: string, file: string, kind: string): Promise<{ name?: string; namespace?: string } | undefined> {
  const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    for (const doc of yaml.loadAll(text)) {
      const o = doc as LiveObject | undefined;
      if (o?.kind === kind && o.metadata?.name) return { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
    }
  } catch {
    /* an unreadable engine file: the defaults apply */
  }
  return undefined;
}

async function prepare(dir: string, cluster: string): Promise<Prepared> {
  const target = await resolveTarget(dir, cluster);
  if (target.kind !== 'cluster') throw new UsageError(`${JSON.stringify(cluster)} is an exercise, not a cluster.`, 'verify checks a cluster: npm run verify -- <cluster>.');
  const text = await renderTarget(dir, target);
  const parsed = parseManifests(text, target.dir);
  const broken = parsed.findings.find((f) => f.severity === 'error');
  if (broken) throw new ToolkitError(`${target.dir} renders to manifests that do not parse: ${broken.message}`, { hint: `Run \`npm run validate -- ${target.dir}\`.` });
  const prediction = simulate(parsed.resources, await loadCallGraph(dir), { target: cluster });
  const flux = await engineMeta(dir, `clusters/${cluster}/flux/exercise.yaml`, 'Kustomization');
  const argocd = await engineMeta(dir, `clusters/${cluster}/argocd/exercise.yaml`, 'Application');
  return { exercise: target.cluster.exerciseId, rendered: parsed.resources.map((r) => r.object as LiveObject), prediction, candidates: defaultCandidates(flux, argocd) };
}

/** The commit to verify and the commit in it that last changed the pointer. */
async function pointerCommitOf(req: VerifyRequest, cluster: string): Promise<{ ref: string; pointerCommit: string }> {
  let ref: string;
  if (req.revision !== undefined) {
    const resolved = await revParse(req.root, checkRef(req.revision, '--revision'));
    if (!resolved) throw new UsageError(`Unknown revision ${JSON.stringify(req.revision)}.`, 'Give a commit or branch this clone has (git fetch first).');
    ref = resolved;
  } else {
    ref = (await resolveBase(req.root, req.base, (line) => req.progress(`warning: ${line}`))).commit;
  }
  const file = pointerFileOf(cluster);
  const [last] = await logOfFile(req.root, ref, file);
  if (!last) throw new ToolkitError(`${file} is not in commit ${ref.slice(0, 12)}.`, { hint: 'Check the cluster name (`npm run exercises` lists clusters).' });
  return { ref, pointerCommit: last.commit };
}

async function containsPointer(root: string, pointer: string, commit: string): Promise<boolean | undefined> {
  return (await commitExists(root, commit)) ? isAncestor(root, pointer, commit) : undefined;
}

export async function verify(req: VerifyRequest, reader: KubeReader, doFetch?: typeof fetch): Promise<VerifyReport> {
  const cluster = await chooseCluster(req.root, req.cluster);
  const { ref, pointerCommit } = await pointerCommitOf(req, cluster);
  const prepared = await withWorktree(req.root, ref, (dir) => prepare(dir, cluster));
  const exercise = prepared.exercise;
  req.progress(`verifying cluster ${cluster} (exercise ${exercise}, pointer commit ${pointerCommit.slice(0, 12)}) on context ${reader.context}`);
  const report: VerifyReport = { ok: false, cluster, context: reader.context, exercise, pointerCommit, sync: { ok: false, waitedMs: 0, unmet: [], message: '' }, canaries: [], skipped: [] };
  report.sync = await waitForSync({
    reader,
    candidates: prepared.candidates,
    pointer: pointerCommit,
    contains: (commit) => containsPointer(req.root, pointerCommit, commit),
    timeoutMs: req.timeoutMs,
    intervalMs: req.intervalMs,
    progress: req.progress,
  });
  req.progress(report.sync.message);
  if (!report.sync.ok) {
    report.skipped.push('live, canary and page checks: the engine has not applied the pointer commit');
    return report;
  }
  report.live = await fetchAndCompare(reader, prepared.rendered);
  report.canaries = await checkCanaries(reader, prepared.prediction.canaries);
  if (req.url === undefined) report.skipped.push('page checks: no --url');
  else report.traffic = await checkTraffic(req, prepared.prediction, report.canaries, doFetch);
  report.ok = report.sync.ok && report.live.ok && report.canaries.every((c) => c.ok) && (report.traffic?.users.every((u) => u.ok) ?? true);
  return report;
}

async function checkCanaries(reader: KubeReader, timelines: CanaryTimeline[]): Promise<CanaryVerdict[]> {
  const out: CanaryVerdict[] = [];
  for (const timeline of timelines) {
    const [namespace = 'default', name = ''] = timeline.name.split('/');
    out.push(judgeCanary(await reader.get(KINDS.Canary, namespace, name), timeline));
  }
  return out;
}

async function checkTraffic(req: VerifyRequest, prediction: SimulationResult, canaries: CanaryVerdict[], doFetch?: typeof fetch): Promise<NonNullable<VerifyReport['traffic']>> {
  const url = req.url!;
  const moving = canaries.find((c) => c.inProgress);
  if (moving) return { url, alpha: req.alpha, users: [], skipped: `${moving.message} The prediction describes the converged state, so pages are not tested until the rollout ends.` };
  const perUser = req.alpha / Math.max(1, prediction.users.length);
  const users: UserVerdict[] = [];
  for (const predicted of prediction.users) {
    req.progress(`loading ${url} ${req.requests} times as ${predicted.user ?? 'anonymous'}`);
    const sample = await samplePages({ url, user: predicted.user, requests: req.requests, concurrency: req.concurrency, timeoutMs: req.pageTimeoutMs, ...(doFetch ? { fetch: doFetch } : {}) });
    users.push(judgeUser(sample, predicted, { alpha: perUser, latencySlackMs: req.latencySlackMs }));
  }
  return { url, alpha: req.alpha, users };
}
