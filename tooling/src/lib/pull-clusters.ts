// Which clusters an open promotion pull request moves: the clusters whose pointer file its branch changes
// (read from origin), not the scope its branch name claims. A `promote/all/<id>` branch opened before a cluster
// was added does not move that cluster, and a branch reused by hand may move fewer than it says.
import { clusterOfPointerFile } from './ci/changes.ts';
import { changedFiles, fetchBranch, fetchBranches, git } from './git.ts';
import type { PullRequest } from './github.ts';
import { parsePromotionBranch } from './promote/plan.ts';
import type { PromotionPull } from './promote/state.ts';

/**
 * For each branch, the clusters whose pointer it changes on origin since it left `baseCommit`'s history; the
 * branches are fetched together (one ls-remote, one fetch). A branch maps to undefined when it cannot be read
 * from origin (deleted, or in a fork), so the caller can fall back to its name.
 */
export async function clustersChangedOnBranches(root: string, baseCommit: string, branches: readonly string[]): Promise<Map<string, string[] | undefined>> {
  const out = new Map<string, string[] | undefined>(branches.map((b) => [b, undefined]));
  let heads: Map<string, string>;
  try {
    heads = await fetchBranches(root, 'origin', branches);
  } catch {
    // One branch deleted or moved between ls-remote and fetch fails them all: ask for each on its own.
    heads = new Map();
    for (const branch of branches) {
      const head = await fetchBranch(root, 'origin', branch).catch(() => undefined);
      if (head) heads.set(branch, head);
    }
  }
  for (const [branch, head] of heads) {
    const base = await git(root, ['merge-base', '--', baseCommit, head], { nothrow: true });
    if (base.exitCode !== 0 || !base.stdout.trim()) continue;
    const files = await changedFiles(root, base.stdout.trim(), head, 'clusters').catch(() => undefined);
    if (files !== undefined) out.set(branch, [...new Set(files.map(clusterOfPointerFile).filter((n): n is string => n !== undefined))].sort());
  }
  return out;
}

/** Open promotion pull requests by the cluster they move, judged by what each branch changes. */
export async function promotionPullsByCluster(root: string, baseCommit: string, open: readonly PullRequest[], clusters: readonly string[]): Promise<Map<string, PromotionPull[]>> {
  const out = new Map<string, PromotionPull[]>(clusters.map((c) => [c, []]));
  const promotions = open.flatMap((pull) => {
    const named = parsePromotionBranch(pull.head);
    return named ? [{ pull, named }] : [];
  });
  const changedBy = await clustersChangedOnBranches(root, baseCommit, promotions.map(({ pull }) => pull.head));
  for (const { pull, named } of promotions) {
    const changed = changedBy.get(pull.head);
    const entry: PromotionPull = { number: pull.number, url: pull.url, branch: pull.head, exercise: named.exercise, draft: pull.draft };
    for (const cluster of clusters) {
      // What the branch changes decides; its name only when origin cannot show the branch.
      const moves = changed !== undefined ? changed.includes(cluster) : named.scope === 'all' || named.scope.includes(cluster);
      if (moves) out.get(cluster)?.push(entry);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.number - b.number);
  return out;
}
