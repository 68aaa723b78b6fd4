// Which clusters an open promotion pull request moves: the clusters whose pointer file its branch changes
// (read from origin), not the scope its branch name claims. A `promote/all/<id>` branch opened before a cluster
// was added does not move that cluster, and a branch reused by hand may move fewer than it says.
import { clusterOfPointerFile } from './ci/changes.ts';
import { changedFiles, fetchBranch, git } from './git.ts';
import type { PullRequest } from './github.ts';
import { parsePromotionBranch } from './promote/plan.ts';
import type { PromotionPull } from './promote/state.ts';

/**
 * The clusters whose pointer `branch` on origin changes since it left `baseCommit`'s history; undefined when
 * the branch cannot be read from origin (deleted, or in a fork), so the caller can fall back to its name.
 */
export async function clustersChangedOnBranch(root: string, baseCommit: string, branch: string): Promise<string[] | undefined> {
  let head: string | undefined;
  try {
    head = await fetchBranch(root, 'origin', branch);
  } catch {
    return undefined;
  }
  if (!head) return undefined;
  const base = await git(root, ['merge-base', '--', baseCommit, head], { nothrow: true });
  if (base.exitCode !== 0 || !base.stdout.trim()) return undefined;
  const files = await changedFiles(root, base.stdout.trim(), head, 'clusters').catch(() => undefined);
  if (files === undefined) return undefined;
  return [...new Set(files.map(clusterOfPointerFile).filter((n): n is string => n !== undefined))].sort();
}

/** Open promotion pull requests by the cluster they move, judged by what each branch changes. */
export async function promotionPullsByCluster(root: string, baseCommit: string, open: readonly PullRequest[], clusters: readonly string[]): Promise<Map<string, PromotionPull[]>> {
  const out = new Map<string, PromotionPull[]>(clusters.map((c) => [c, []]));
  for (const pull of open) {
    const named = parsePromotionBranch(pull.head);
    if (!named) continue;
    const changed = await clustersChangedOnBranch(root, baseCommit, pull.head);
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
