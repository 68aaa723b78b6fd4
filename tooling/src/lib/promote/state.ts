// What each cluster runs on the base branch and how it got there, read straight from git objects
// (`git show <commit>:<file>`), so `npm run status` and `npm run history` never depend on the checkout.
import yaml from 'js-yaml';
import { CLUSTER_NAME, pointerFileOf } from '../clusters.ts';
import { ToolkitError } from '../errors.ts';
import { checkBranchName, fetchBranch, listTree, logOfFile, remoteDefaultBranch, revParse, showFile } from '../git.ts';
import { readPointer } from '../rewriters/pointer.ts';

export interface ClusterState {
  name: string;
  file: string;
  /** Undefined when the pointer file is unreadable; `error` says why. */
  exercise?: string;
  title?: string;
  section?: string;
  error?: string;
}

export interface HistoryEntry {
  cluster: string;
  /** Committer date of the mainline commit, ISO 8601. */
  date: string;
  commit: string;
  subject: string;
  exercise: string;
  /** The exercise before this change; undefined for the cluster's first pointer. */
  previous?: string;
  /** Pull request number named by the commit subject (merge or squash), if any. */
  pr?: number;
}

export interface BaseRef {
  base: string;
  commit: string;
  /** Set when origin could not be reached and the local remote-tracking ref was used. */
  stale?: string;
}

/** The base branch's commit: fetched from origin (no local ref moves), else the last known origin/<base>. */
export async function resolveBase(root: string, base: string | undefined, warn: (line: string) => void): Promise<BaseRef> {
  let name = base;
  let fetchError: string | undefined;
  try {
    name ??= await remoteDefaultBranch(root, 'origin');
    name ??= 'main';
    checkBranchName(name, 'base branch');
    const commit = await fetchBranch(root, 'origin', name);
    if (commit) return { base: name, commit };
  } catch (error) {
    if (error instanceof ToolkitError && error.exitCode === 2) throw error;
    fetchError = (error as Error).message;
  }
  name ??= 'main';
  const local = await revParse(root, `refs/remotes/origin/${name}`);
  if (!local) {
    throw new ToolkitError(`Cannot read branch "${name}" from origin${fetchError ? `: ${fetchError}` : '.'}`, {
      hint: base === undefined
        ? 'Check the origin remote and the network, or pass --base <branch>.'
        : `Check that origin has a branch named "${name}" (\`git ls-remote --heads origin\` lists them) and that the network is up.`,
    });
  }
  // git's own words say why (offline, unknown host, no such repository).
  const stale = `Could not fetch origin/${name}${fetchError ? ` (${fetchError})` : ''}; using the last fetched state (${local.slice(0, 12)}).`;
  warn(stale);
  return { base: name, commit: local, stale };
}

function metaOf(text: string | undefined): { title?: string; section?: string } {
  if (!text) return {};
  try {
    const raw = yaml.load(text) as Record<string, unknown> | undefined;
    const out: { title?: string; section?: string } = {};
    if (typeof raw?.title === 'string') out.title = raw.title.trim();
    if (typeof raw?.section === 'string' || typeof raw?.section === 'number') out.section = String(raw.section);
    return out;
  } catch {
    return {};
  }
}

/** Every cluster at `commit`, with the exercise its pointer names. */
export async function clustersAt(root: string, commit: string): Promise<ClusterState[]> {
  const names = (await listTree(root, commit, 'clusters')).filter((n) => CLUSTER_NAME.test(n)).sort();
  const out: ClusterState[] = [];
  for (const name of names) {
    const file = pointerFileOf(name);
    const text = await showFile(root, commit, file);
    if (text === undefined) continue;
    try {
      const { exerciseId } = readPointer(text, file);
      out.push({ name, file, exercise: exerciseId, ...metaOf(await showFile(root, commit, `exercises/${exerciseId}/exercise.yaml`)) });
    } catch (error) {
      out.push({ name, file, error: (error as Error).message });
    }
  }
  return out;
}

/** The pull request number a mainline commit subject names: "Merge pull request #12 ..." or "... (#12)". */
export function prNumberOf(subject: string): number | undefined {
  const m = /^Merge pull request #(\d+)\b/.exec(subject) ?? /\(#(\d+)\)\s*$/.exec(subject);
  return m ? Number(m[1]) : undefined;
}

/** The promotions of one cluster, oldest first: each mainline commit at which its pointer named a new exercise. */
export async function historyOf(root: string, commit: string, cluster: string): Promise<HistoryEntry[]> {
  const file = pointerFileOf(cluster);
  const log = await logOfFile(root, commit, file);
  const entries: HistoryEntry[] = [];
  let previous: string | undefined;
  for (const c of [...log].reverse()) {
    const text = await showFile(root, c.commit, file);
    if (text === undefined) {
      previous = undefined;
      continue;
    }
    let exercise: string;
    try {
      exercise = readPointer(text, file).exerciseId;
    } catch {
      continue;
    }
    if (exercise === previous) continue;
    const entry: HistoryEntry = { cluster, date: c.date, commit: c.commit, subject: c.subject, exercise };
    if (previous !== undefined) entry.previous = previous;
    const pr = prNumberOf(c.subject);
    if (pr !== undefined) entry.pr = pr;
    entries.push(entry);
    previous = exercise;
  }
  return entries;
}

export interface PromotionPull {
  number: number;
  url: string;
  branch: string;
  exercise: string;
  draft: boolean;
}

