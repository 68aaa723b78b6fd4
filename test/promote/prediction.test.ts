// The promotion PR body shows what users will see after the merge: the simulator's graph and outcome table,
// computed from the real repository's rendered cluster state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planInWorktree } from '../../tooling/src/lib/promote/apply.ts';
import { composeBody } from '../../tooling/src/lib/promote/body.ts';
import { summarize } from '../../tooling/src/lib/promote/gate.ts';
import { loadExercises, findExercise } from '../../tooling/src/lib/exercises.ts';
import { loadClusters, findCluster } from '../../tooling/src/lib/clusters.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'promote-prediction-'));
  for (const dir of ['apps', 'exercises', 'clusters']) await cp(join(REPO, dir), join(root, dir), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('promotion PR body prediction', () => {
  it('predicts the seed bug for jason when moving workshop to fault-delay', async () => {
    const exercise = findExercise(await loadExercises(root), 'fault-delay');
    const cluster = findCluster(await loadClusters(root), 'workshop');
    const draft = await planInWorktree(root, { exercise, clusters: [cluster], allClusters: false, base: 'main', baseCommit: 'a'.repeat(40), labels: [], draft: false });
    const prediction = draft.clusters[0]?.prediction ?? '';
    expect(prediction).toContain('```mermaid');
    // The outcome table, row by row: jason's own row shows the error after 6s, through the delayed ratings.
    const rows = prediction.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.slice(2, -2).split(' | '));
    expect(rows[0]).toEqual(['User', 'Page shows', 'Probability', 'Latency', 'Path']);
    const jason = rows.filter((r) => r[0] === 'jason');
    expect(jason).toHaveLength(1);
    const [user, outcome, probability, latency, path] = jason[0] as string[];
    expect([user, outcome, probability, latency]).toEqual(['jason', '`reviews-error`', '100%', '6s']);
    const [route, reason] = (path as string).split('<br>');
    expect(route).toBe('productpage v1 → reviews v2 → ratings v1 (delay 7s)');
    expect(reason).toMatch(/3s x 2 attempts.*7s/);
    // Everyone else is not affected by the delay.
    expect(rows.filter((r) => r[0] === 'anonymous').map((r) => r.slice(1, 4))).toEqual([['`no-stars`', '100%', '0ms']]);
    const body = composeBody(draft, summarize(['clusters/workshop/exercise'], []));
    expect(body).toContain('### What users will see');
    expect(body).toContain('#### Predicted traffic for `workshop`');
    // The plan was written into the temporary copy only.
    expect(await readFile(join(root, cluster.pointerFile), 'utf8')).toContain('../../../exercises/fault-delay');
  });

  it('says why there is no prediction when the repository has no call graph', async () => {
    await rm(join(root, 'apps/bookinfo/callgraph.yaml'));
    const exercise = findExercise(await loadExercises(root), 'route-v1');
    const cluster = findCluster(await loadClusters(root), 'workshop-b');
    const draft = await planInWorktree(root, { exercise, clusters: [cluster], allClusters: false, base: 'main', baseCommit: 'b'.repeat(40), labels: [], draft: false });
    expect(draft.clusters[0]?.prediction).toMatch(/^No traffic prediction: apps\/bookinfo\/callgraph.yaml is missing/);
  });

  it('names the cluster and the file when a selected cluster\'s pointer file is gone from the checkout', async () => {
    const exercise = findExercise(await loadExercises(root), 'route-v1');
    const cluster = findCluster(await loadClusters(root), 'workshop-b');
    await rm(join(root, cluster.pointerFile));
    await expect(planInWorktree(root, { exercise, clusters: [cluster], allClusters: false, base: 'main', baseCommit: 'c'.repeat(40), labels: [], draft: false }))
      .rejects.toThrow(`Cluster workshop-b has no pointer file ${cluster.pointerFile} on the base commit.`);
  });
});
