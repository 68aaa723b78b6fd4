import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { findExercise, loadExercises, nextFreeOrder, parseExercise, scanExercises } from '../../tooling/src/lib/exercises.ts';
import { findCluster, loadClusters } from '../../tooling/src/lib/clusters.ts';
import { closest } from '../../tooling/src/lib/suggest.ts';

const ROOT = fileURLToPath(new URL('../fixtures/core/repo', import.meta.url));

describe('exercise catalog', () => {
  it('loads exercises in order with their metadata', async () => {
    const exercises = await loadExercises(ROOT);
    expect(exercises.map((e) => [e.id, e.section, e.order, e.dir])).toEqual([
      ['alpha', '1.1', 1, 'exercises/alpha'],
      ['beta', '1.2', 2, 'exercises/beta'],
    ]);
    expect(exercises[1]?.expect).toEqual([{ user: 'jason', outcomes: [{ outcome: 'black-stars', probability: 1, latencyMs: { max: 1000 } }] }]);
  });

  it('suggests the closest id for a typo and points at npm run exercises', async () => {
    const exercises = await loadExercises(ROOT);
    expect(() => findExercise(exercises, 'alpah')).toThrow('Unknown exercise "alpah". Did you mean "alpha"?');
    try {
      findExercise(exercises, 'zzzzzzzz');
    } catch (error) {
      expect((error as Error).message).toBe('Unknown exercise "zzzzzzzz".');
      expect((error as { hint?: string }).hint).toMatch(/npm run exercises/);
    }
  });

  it('quotes hostile ids instead of echoing them raw', async () => {
    const exercises = await loadExercises(ROOT);
    expect(() => findExercise(exercises, 'a\u001b[31mb')).toThrow(String.raw`Unknown exercise "a\u001b[31mb".`);
  });

  it('rejects an exercise.yaml whose id differs from its directory or has a bad outcome', () => {
    const good = { id: 'x', title: 't', section: '1', order: 1, summary: 's', afterMerge: { do: [], observe: [] }, expect: [] };
    expect(parseExercise(good, 'x', 'f').id).toBe('x');
    expect(() => parseExercise(good, 'y', 'f')).toThrow(/does not match its directory "y"/);
    const bad = { ...good, expect: [{ user: 'anonymous', outcomes: [{ outcome: 'gold-stars', probability: 1 }] }] };
    expect(() => parseExercise(bad, 'x', 'f')).toThrow(
      expect.objectContaining({
        name: 'ToolkitError',
        message: 'f /expect/0/outcomes/0/outcome: "outcome" is string "gold-stars", which is not one of: no-stars, black-stars, red-stars, ratings-unavailable, reviews-error, details-error, page-error. Did you mean "no-stars"?',
      }),
    );
  });
});

describe('clusters', () => {
  it('reads each cluster pointer', async () => {
    const clusters = await loadClusters(ROOT);
    expect(clusters).toEqual([
      { name: 'lab', dir: 'clusters/lab', pointerFile: 'clusters/lab/exercise/kustomization.yaml', exerciseId: 'alpha', pointerLine: 5 },
    ]);
    expect(() => findCluster(clusters, 'lap')).toThrow('Unknown cluster "lap". Did you mean "lab"?');
  });
});

describe('closest', () => {
  it('finds near misses and ignores far ones', () => {
    expect(closest('fualt-abort', ['fault-abort', 'fault-delay', 'route-v1'])).toBe('fault-abort');
    expect(closest('qqqqqqqqqq', ['fault-abort', 'route-v1'])).toBeUndefined();
  });
});

describe('catalog consistency', () => {
  it('reports two exercises at the same position and a folder without exercise.yaml, and still loads the rest', async () => {
    const { cp, mkdir, mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    await cp(ROOT, dir, { recursive: true });
    const file = join(dir, 'exercises/beta/exercise.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('order: 2', 'order: 1'));
    await mkdir(join(dir, 'exercises/timeout'));
    await writeFile(join(dir, 'exercises/timeout/kustomization.yaml'), 'resources: []\n');
    const scan = await scanExercises(dir);
    expect(scan.duplicateOrders).toEqual([{ order: 1, ids: ['alpha', 'beta'] }]);
    expect(scan.withoutMetadata).toEqual(['timeout']);
    // Every other command keeps working: the catalog still loads, in order (then by id).
    expect((await loadExercises(dir)).map((e) => [e.id, e.order])).toEqual([['alpha', 1], ['beta', 1]]);
    expect(nextFreeOrder(scan.exercises)).toBe(2);
    await rm(dir, { recursive: true, force: true });
  });

  it('finds nothing to report in a consistent catalog', async () => {
    const scan = await scanExercises(ROOT);
    expect([scan.duplicateOrders, scan.withoutMetadata]).toEqual([[], []]);
    expect(nextFreeOrder(scan.exercises)).toBe(3);
  });
});
