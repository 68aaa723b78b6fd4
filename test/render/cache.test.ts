// Each distinct input rendered once: the content hash covers everything a build reads (a patch two bases
// down included), an unchanged tree is not rebuilt (in the process, or from the on-disk cache), a damaged
// cache entry is ignored and rebuilt, and the pointer shortcut gives kustomize's own bytes on every cluster.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomizeBuild } from '../../tooling/src/lib/kustomize.ts';
import { RenderCache, Renderer, wrappedDir } from '../../tooling/src/lib/render/index.ts';
import { InputHasher } from '../../tooling/src/lib/render/inputs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let work: string;
let cacheDir: string;

function write(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

/** top -> middle -> base, with the patch in base: two bases below the directory that is built. */
function tree(dir: string): string {
  write(join(dir, 'base/kustomization.yaml'), 'resources:\n  - deployment.yaml\npatches:\n  - path: patches/replicas.yaml\n');
  write(join(dir, 'base/deployment.yaml'), [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', 'spec:', '  replicas: 1',
    '  selector:', '    matchLabels: {app: web}', '  template:', '    metadata:', '      labels: {app: web}',
    '    spec:', '      containers:', '        - name: web', '          image: registry.example/web:1.0.0', '',
  ].join('\n'));
  write(join(dir, 'base/patches/replicas.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n');
  write(join(dir, 'middle/kustomization.yaml'), 'resources:\n  - ../base\nnamePrefix: mid-\n');
  write(join(dir, 'top/kustomization.yaml'), 'resources:\n  - ../middle\nnamespace: demo\n');
  return join(dir, 'top');
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'render-cache-'));
  cacheDir = join(work, 'cache');
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

const fresh = () => new Renderer({ cache: new RenderCache(cacheDir) });
const yamlOf = (r: Awaited<ReturnType<Renderer['render']>>) => (r.ok ? r.yaml : `failed: ${r.error}`);

describe('the render cache', () => {
  it('renders an unchanged tree once: later requests and later processes (a new renderer) build nothing', async () => {
    const top = tree(join(work, 'repo'));
    const first = fresh();
    const a = await first.render(top);
    expect(yamlOf(a)).toContain('name: mid-web');
    expect(first.stats).toMatchObject({ requested: 1, builds: 1, cached: 0 });
    // Concurrent and repeated requests in one process share the build.
    const again = await Promise.all([first.render(top), first.render(top), first.run().render(top)]);
    expect(again.map(yamlOf)).toEqual([yamlOf(a), yamlOf(a), yamlOf(a)]);
    expect(first.stats.builds).toBe(1);

    const second = fresh();
    expect(yamlOf(await second.render(top))).toBe(yamlOf(a));
    expect(second.stats).toMatchObject({ requested: 1, builds: 0, cached: 1 });
    // The same content in another place (another checkout) is the same input.
    const copy = join(work, 'copy');
    cpSync(join(work, 'repo'), copy, { recursive: true });
    expect(yamlOf(await second.render(join(copy, 'top')))).toBe(yamlOf(a));
    expect(second.stats).toMatchObject({ requested: 2, distinct: 1, builds: 0 });
  });

  it('rebuilds when a patch file two bases down changes, in the same process and from disk', async () => {
    const top = tree(join(work, 'repo'));
    const r = fresh();
    expect(yamlOf(await r.render(top))).toContain('replicas: 2');
    write(join(work, 'repo/base/patches/replicas.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n');
    const changed = yamlOf(await r.render(top));
    expect(changed).toContain('replicas: 5');
    expect(r.stats).toMatchObject({ requested: 2, distinct: 2, builds: 2 });
    const later = fresh();
    expect(yamlOf(await later.render(top))).toBe(changed);
    expect(later.stats).toMatchObject({ builds: 0, cached: 1 });
  });

  it('ignores a damaged cache entry, rebuilds it and writes it again', async () => {
    const top = tree(join(work, 'repo'));
    const good = yamlOf(await fresh().render(top));
    const [entry] = readdirSync(cacheDir).filter((f) => f.endsWith('.yaml'));
    expect(entry).toBeDefined();
    const file = join(cacheDir, entry as string);
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 9'));
    const cache = new RenderCache(cacheDir);
    const r = new Renderer({ cache });
    expect(yamlOf(await r.render(top))).toBe(good);
    expect(cache.corrupt).toBe(1);
    expect(r.stats).toMatchObject({ builds: 1, cached: 0 });
    const after = fresh();
    expect(yamlOf(await after.render(top))).toBe(good);
    expect(after.stats).toMatchObject({ builds: 0, cached: 1 });
  });

  it('with no cache (--no-cache) writes nothing to disk', async () => {
    const top = tree(join(work, 'repo'));
    const r = new Renderer({ cache: false });
    expect(yamlOf(await r.render(top))).toContain('mid-web');
    expect(() => readdirSync(cacheDir)).toThrow();
  });

  it('prunes the least recently used entries past its size', async () => {
    const cache = new RenderCache(cacheDir, 1000);
    for (let i = 0; i < 6; i++) cache.set(String(i).repeat(64), 'x'.repeat(300));
    cache.prune();
    const left = readdirSync(cacheDir).filter((f) => f.endsWith('.yaml'));
    expect(left.length).toBeLessThanOrEqual(2);
    expect(left).toContain(`${'5'.repeat(64)}.yaml`);
  });

  it('keys a kustomization by its content, not its comments: two clusters\' pointers to one exercise are one input', async () => {
    tree(join(work, 'repo'));
    write(join(work, 'repo/clusters/a/exercise/kustomization.yaml'), '# cluster a\nresources:\n  - ../../../top # the pointer\n');
    write(join(work, 'repo/clusters/b/exercise/kustomization.yaml'), '# cluster b runs this\nresources:\n- ../../../top\n');
    write(join(work, 'repo/clusters/c/exercise/kustomization.yaml'), 'resources:\n- ../../../middle\n');
    const hasher = new InputHasher();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => hasher.hashDir(join(work, 'repo/clusters', name, 'exercise')).hash);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const r = fresh();
    const run = r.run();
    await run.render(join(work, 'repo/clusters/a/exercise'));
    await run.render(join(work, 'repo/clusters/b/exercise'));
    expect(run.stats).toMatchObject({ requested: 2, distinct: 1, builds: 1 });
  });

  it('hashes a kustomization whose strings are too long to be paths (a generator literal) without failing or printing them', async () => {
    const dir = join(work, 'literal');
    const secret = 'x'.repeat(400);
    write(join(dir, 'kustomization.yaml'), `configMapGenerator:\n  - name: settings\n    literals:\n      - token=${secret}\n`);
    expect(new InputHasher().hashDir(dir).local).toBe(true);
    const r = await new Renderer({ cache: new RenderCache(cacheDir) }).render(dir);
    expect(r.ok && r.yaml).toContain(`token: ${secret}`);
  });

  it('never caches on disk a build that reads remote inputs', () => {
    write(join(work, 'remote/kustomization.yaml'), 'resources:\n  - https://github.com/example/repo//deploy?ref=v1.0.0\n');
    write(join(work, 'local/kustomization.yaml'), 'resources:\n  - ../remote\n');
    const hasher = new InputHasher();
    expect(hasher.hashDir(join(work, 'remote')).local).toBe(false);
    expect(hasher.hashDir(join(work, 'local')).local).toBe(false);
    expect(new InputHasher().hashDir(tree(join(work, 'repo'))).local).toBe(true);
  });
});

describe('validate and the cache', () => {
  it('reads renders from the cache on the next run, and with --no-cache builds afresh and writes nothing', () => {
    const validate = (...args: string[]) => {
      const out = spawnSync(process.execPath, [join(ROOT, 'tooling/bin/toolkit.mjs'), 'validate', '--output', 'json', '--no-kubeconform', 'apps/bookinfo/namespace', ...args], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, TOOLKIT_RENDER_CACHE: cacheDir },
      });
      expect(out.status, out.stderr).toBe(0);
      return (JSON.parse(out.stdout) as { summary: { kustomize: { builds: number; cached: number } } }).summary.kustomize;
    };
    expect(validate()).toMatchObject({ builds: 1, cached: 0 });
    const entries = readdirSync(cacheDir);
    expect(entries).toHaveLength(1);
    expect(validate()).toMatchObject({ builds: 0, cached: 1 });
    rmSync(cacheDir, { recursive: true });
    expect(validate('--no-cache')).toMatchObject({ builds: 1, cached: 0 });
    expect(() => readdirSync(cacheDir)).toThrow();
  });
});

describe('the pointer shortcut', () => {
  const clusters = readdirSync(join(ROOT, 'clusters')).map((c) => join(ROOT, 'clusters', c, 'exercise'));

  it('gives kustomize\'s own bytes on every cluster of the repository', async () => {
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    const r = new Renderer({ cache: false });
    for (const dir of clusters) {
      expect(wrappedDir(dir), relative(ROOT, dir)).toBeDefined();
      const [short, real] = await Promise.all([r.render(dir), kustomizeBuild(dir)]);
      expect(real.ok, relative(ROOT, dir)).toBe(true);
      expect(yamlOf(short)).toBe(yamlOf(real));
    }
    expect(r.stats.reused).toBeGreaterThanOrEqual(clusters.length);
  });

  it('is not taken when the wrapper does more than list, or the listed directory sets sortOptions', async () => {
    const fixture = join(ROOT, 'test/fixtures/render/v5-sort-options');
    write(join(work, 'sorted/kustomization.yaml'), `resources:\n  - ${relative(join(work, 'sorted'), fixture)}\n`);
    write(join(work, 'labelled/kustomization.yaml'), `resources:\n  - ${relative(join(work, 'labelled'), fixture)}\nnamespace: other\n`);
    expect(wrappedDir(join(work, 'sorted'))).toBeUndefined();
    expect(wrappedDir(join(work, 'labelled'))).toBeUndefined();
    const r = new Renderer({ cache: false });
    const [sorted, real] = await Promise.all([r.render(join(work, 'sorted')), kustomizeBuild(join(work, 'sorted'))]);
    expect(yamlOf(sorted)).toBe(yamlOf(real));
    // The top kustomization sorts: the wrapper's output is in kind order, unlike the fifo fixture's.
    expect([...yamlOf(sorted).matchAll(/^kind: (\w+)$/gm)].map((m) => m[1])).toEqual(['Namespace', 'ConfigMap', 'Deployment']);
    expect(r.stats.reused).toBe(0);
  });
});
