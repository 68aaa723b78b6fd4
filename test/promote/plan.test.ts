// promote's plan is pure (the file updates, branch, title and labels from texts in memory), and the read-only
// commands reach only the plan side: checked on the real import graph, as esbuild resolves it for the bundle.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../tooling/src/lib/clusters.ts';
import { NotFoundError } from '../../tooling/src/lib/errors.ts';
import type { Exercise } from '../../tooling/src/lib/exercises.ts';
import { branchFor, fileUpdates, movedClusters, parsePromotionBranch, planPromotion, unchangedClusters } from '../../tooling/src/lib/promote/plan.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const exercise: Exercise = {
  id: 'fault-abort', section: '4.2', title: 'Abort ratings for jason', order: 7, summary: '', afterMerge: { do: [], observe: [] }, expect: [], dir: 'exercises/fault-abort',
};
const cluster = (name: string, exerciseId: string): Cluster => ({
  name, dir: `clusters/${name}`, pointerFile: `clusters/${name}/exercise/kustomization.yaml`, exerciseId, pointerLine: 4,
});
const pointer = (id: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../../exercises/${id} # the pointer\n`;

describe('planPromotion', () => {
  it('plans from pointer texts alone: the new pointer, its diff, branch, title and the files to write', () => {
    const a = cluster('room-a', 'fault-delay');
    const b = cluster('room-b', 'fault-abort');
    const plan = planPromotion({
      pointers: new Map([[a.pointerFile, pointer('fault-delay')], [b.pointerFile, pointer('fault-abort')]]),
      exercise, clusters: [a, b], allClusters: false, base: 'main', baseCommit: 'c'.repeat(40), labels: ['room'], draft: true,
    });
    expect(plan).toMatchObject({
      branch: 'promote/room-a+room-b/fault-abort', title: 'promote(room-a, room-b): fault-abort (4.2 Abort ratings for jason)',
      labels: ['promotion', 'room'], draft: true, noop: false,
    });
    expect(movedClusters(plan).map((c) => c.name)).toEqual(['room-a']);
    expect(unchangedClusters(plan).map((c) => [c.name, c.diff])).toEqual([['room-b', '']]);
    expect(fileUpdates(plan)).toEqual([{ path: a.pointerFile, text: pointer('fault-abort') }]);
    const diff = movedClusters(plan)[0]!.diff.split('\n');
    expect(diff.filter((l) => /^[-+] /.test(l))).toEqual(['-  - ../../../exercises/fault-delay # the pointer', '+  - ../../../exercises/fault-abort # the pointer']);
  });

  it('reads a promotion branch name back as branchFor wrote it, and nothing else', () => {
    const a = cluster('room-a', 'baseline');
    const b = cluster('room-b', 'baseline');
    expect(parsePromotionBranch(branchFor([a, b], false, 'fault-abort'))).toEqual({ scope: ['room-a', 'room-b'], exercise: 'fault-abort' });
    expect(parsePromotionBranch(branchFor([a], true, 'canary'))).toEqual({ scope: 'all', exercise: 'canary' });
    for (const head of ['main', 'promote/room-a', 'promote/room-a/x/y', 'feature/room-a/canary']) expect(parsePromotionBranch(head)).toBeUndefined();
  });

  it('names the cluster and file when a pointer text is missing', () => {
    const a = cluster('room-a', 'fault-delay');
    const call = () => planPromotion({ pointers: new Map(), exercise, clusters: [a], allClusters: false, base: 'main', baseCommit: 'c'.repeat(40), labels: [], draft: false });
    expect(call).toThrow(NotFoundError);
    expect(call).toThrow(`Cluster room-a has no pointer file ${a.pointerFile}`);
  });
});

/** Every tooling/src module reachable from `entry`, and every node: builtin they import. */
async function reach(entry: string): Promise<{ modules: string[]; builtins: string[] }> {
  const result = await build({
    entryPoints: [`${REPO}/${entry}`], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
    packages: 'external', logLevel: 'silent', absWorkingDir: REPO,
  });
  const inputs = result.metafile.inputs;
  const modules = Object.keys(inputs).filter((f) => f.startsWith('tooling/src/'));
  const builtins = [...new Set(Object.values(inputs).flatMap((i) => i.imports).filter((i) => i.path.startsWith('node:')).map((i) => i.path))];
  return { modules, builtins };
}

describe('the plan side of promote', () => {
  it('plan.ts reaches no git, GitHub, worktree, render, simulator or process module', async () => {
    const { modules, builtins } = await reach('tooling/src/lib/promote/plan.ts');
    expect(modules).toContain('tooling/src/lib/rewriters/pointer.ts');
    const io = modules.filter((m) => /lib\/(git|github|worktree|kustomize)\.ts$|lib\/(render|simulate)\/|promote\/(apply|preview|gate|state)\.ts$/.test(m));
    expect(io).toEqual([]);
    expect(builtins).not.toContain('node:child_process');
  });

  it.each(['tooling/src/cli/status.ts', 'tooling/src/cli/history.ts'])('%s reaches neither apply.ts nor preview.ts', async (entry) => {
    const { modules } = await reach(entry);
    expect(modules).toContain('tooling/src/lib/promote/state.ts');
    expect(modules.filter((m) => /promote\/(apply|preview|failure)\.ts$|lib\/worktree\.ts$/.test(m))).toEqual([]);
  });
});
