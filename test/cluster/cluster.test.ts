// `npm run cluster -- add|list|remove`: the template is the repository's own clusters, every engine and
// profile it writes renders and validates clean, a hand copy is caught, and removing a cluster leaves the
// rest of the repository valid.
import { existsSync, readFileSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cluster } from '../../tooling/src/cli/cluster.ts';
import { clusterFiles, engineUrlFromRemote } from '../../tooling/src/lib/cluster/template.ts';
import { kustomizeBuild } from '../../tooling/src/lib/kustomize.ts';
import { captureIo } from '../support/io.ts';
import { ROOT } from '../gitops/support.ts';
import { copyRepo, findingsOf } from './support.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';

const PLACEHOLDER = 'https://github.com/example-org/mesh-workshop-gitops.git';

describe('the cluster template', () => {
  it.each(['workshop', 'workshop-b'])('is clusters/%s byte for byte, for its name', (name) => {
    const files = clusterFiles({ name, repoURL: PLACEHOLDER, branch: 'main', engines: ['flux', 'argocd'], profile: 'cloud', exercise: 'baseline' });
    expect(files).toHaveLength(15);
    for (const f of files) expect(f.text, f.path).toBe(readFileSync(join(ROOT, f.path), 'utf8'));
  });

  it('takes an https URL for the engines from origin, never with credentials', () => {
    expect(engineUrlFromRemote('git@github.com:acme/workshop.git')).toBe('https://github.com/acme/workshop.git');
    expect(engineUrlFromRemote('ssh://git@github.com/acme/workshop.git')).toBe('https://github.com/acme/workshop.git');
    expect(engineUrlFromRemote('https://x-access-token:ghs_SECRET@github.com/acme/workshop.git')).toBe('https://github.com/acme/workshop.git');
    expect(engineUrlFromRemote('/tmp/origin.git')).toBeUndefined();
  });

  it('refuses names and URLs that could escape the folder or the YAML', () => {
    const base = { repoURL: PLACEHOLDER, branch: 'main', engines: ['flux'] as const, profile: 'cloud' as const, exercise: 'baseline' };
    expect(() => clusterFiles({ ...base, name: '../evil' })).toThrow(/Invalid cluster name/);
    expect(() => clusterFiles({ ...base, name: 'ok', repoURL: 'https://github.com/a/b.git\n  evil: true' })).toThrow(/repository URL/);
    expect(() => clusterFiles({ ...base, name: 'ok', repoURL: 'https://user:pw@github.com/a/b.git' })).toThrow(/credentials/);
  });
});

describe('npm run cluster', () => {
  let copy: { root: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    copy = await copyRepo();
  });
  afterAll(() => copy.cleanup());

  const combos = [['flux', 'cloud'], ['flux', 'local'], ['argocd', 'cloud'], ['argocd', 'local'], ['both', 'local']] as const;
  it.each(combos)('add --engine %s --profile %s writes a cluster that renders and validates clean', async (engine, profile) => {
    const name = `learner-${engine}-${profile}`;
    const io = captureIo(copy.root);
    expect(await cluster(['add', name, '--engine', engine, '--profile', profile, '--exercise', 'route-v1'], io)).toBe(0);
    expect(io.stdoutText).toContain(`Wrote `);
    const dirs = ['exercise', ...(engine === 'argocd' ? [] : ['flux']), ...(engine === 'flux' ? [] : ['argocd', 'argocd/bootstrap'])].map((d) => `clusters/${name}/${d}`);
    for (const d of ['flux', 'argocd']) expect(existsSync(join(copy.root, 'clusters', name, d))).toBe(engine === 'both' || engine === d);
    const { findings, resources } = await findingsOf(copy.root, dirs);
    expect(findings).toEqual([]);
    expect(resources).toBeGreaterThan(5);
    // Every path the engines sync is the cluster's own, and the pointer names the exercise asked for.
    for (const d of dirs.filter((x) => !x.endsWith('/exercise'))) {
      const built = await kustomizeBuild(join(copy.root, d));
      expect(built.ok && built.yaml).toMatch(new RegExp(`clusters/${name}/`));
      expect(built.ok && built.yaml).not.toMatch(/clusters\/workshop/);
    }
    expect(await readFile(join(copy.root, 'clusters', name, 'exercise/kustomization.yaml'), 'utf8')).toContain('  - ../../../exercises/route-v1\n');
    const list = captureIo(copy.root);
    expect(await cluster(['list', '-o', 'json'], list)).toBe(0);
    const listed = (JSON.parse(list.stdoutText) as { clusters: { name: string }[] }).clusters.find((c) => c.name === name);
    expect(listed).toEqual({ name, engines: engine === 'both' ? ['flux', 'argocd'] : [engine], profile, exercise: 'route-v1', error: null });
  });

  it('a hand-copied cluster gets cluster-path-mismatch on every path that names the original', async () => {
    await cp(join(copy.root, 'clusters/workshop-b'), join(copy.root, 'clusters/workshop-c'), { recursive: true });
    const { findings } = await findingsOf(copy.root, ['clusters/workshop-c/flux', 'clusters/workshop-c/argocd']);
    expect(findings).toHaveLength(4);
    const byFile = Object.fromEntries(findings.map((f) => [`${f.file}:${f.line}`, f]));
    expect(Object.keys(byFile).sort()).toEqual([
      'clusters/workshop-c/argocd/bootstrap/root.yaml:13',
      'clusters/workshop-c/argocd/exercise.yaml:15',
      'clusters/workshop-c/flux/exercise.yaml:15',
      'clusters/workshop-c/flux/flux-system.yaml:9',
    ]);
    expect(findings.every((f) => f.rule === 'cluster-path-mismatch' && f.severity === 'error')).toBe(true);
    expect(byFile['clusters/workshop-c/flux/exercise.yaml:15']).toMatchObject({
      resource: 'Kustomization flux-system/exercise',
      pointer: '/spec/path',
      message: 'Cluster workshop-c syncs ./clusters/workshop-b/exercise, a folder of cluster workshop-b: its engine would follow workshop-b\'s pointer, so promoting workshop-c changes nothing on it.',
      hint: 'Change it to ./clusters/workshop-c/exercise. A cluster written by `npm run cluster -- add workshop-c` has its own paths throughout.',
    });
    expect(byFile['clusters/workshop-c/argocd/bootstrap/root.yaml:13']?.hint).toMatch(/^Change it to clusters\/workshop-c\/argocd\./);
  });

  it('remove deletes only the cluster folder and leaves the rest of the repository valid', async () => {
    const before = readFileSync(join(copy.root, 'clusters/workshop/exercise/kustomization.yaml'), 'utf8');
    const dry = captureIo(copy.root);
    expect(await cluster(['remove', 'workshop-c', '--dry-run'], dry)).toBe(0);
    expect(dry.stdoutText).toMatch(/^Dry run: would delete clusters\/workshop-c\/ \(15 files\)/);
    expect(existsSync(join(copy.root, 'clusters/workshop-c'))).toBe(true);
    for (const name of ['workshop-c', 'workshop-b']) expect(await cluster(['remove', name], captureIo(copy.root))).toBe(0);
    expect(existsSync(join(copy.root, 'clusters/workshop-b'))).toBe(false);
    expect(readFileSync(join(copy.root, 'clusters/workshop/exercise/kustomization.yaml'), 'utf8')).toBe(before);
    const { findings } = await findingsOf(copy.root, ['clusters']);
    expect(findings).toEqual([]);
    const unknown = captureIo(copy.root);
    expect(await cluster(['remove', 'workshop-b'], unknown)).toBe(1);
    expect(unknown.stderrText).toMatch(/error: Unknown cluster "workshop-b"/);
  });

  it('refuses an existing name, a bad name and an unknown exercise, writing nothing', async () => {
    const exists = captureIo(copy.root);
    expect(await cluster(['add', 'workshop'], exists)).toBe(1);
    expect(exists.stderrText).toMatch(/clusters\/workshop already exists/);
    const bad = captureIo(copy.root);
    expect(await cluster(['add', 'Bad_Name'], bad)).toBe(2);
    const typo = captureIo(copy.root);
    expect(await cluster(['add', 'fresh', '--exercise', 'fualt-abort'], typo)).toBe(1);
    expect(typo.stderrText).toMatch(/Did you mean "fault-abort"/);
    expect(existsSync(join(copy.root, 'clusters/fresh'))).toBe(false);
    const usage = captureIo(copy.root);
    expect(await cluster(['list', '--profile', 'local'], usage)).toBe(2);
    expect(await cluster(['frobnicate'], captureIo(copy.root))).toBe(2);
  });

  it('--dry-run prints every file and writes none', async () => {
    const io = captureIo(copy.root);
    expect(await cluster(['add', 'dry', '--engine', 'flux', '--dry-run'], io)).toBe(0);
    expect(io.stdoutText).toContain('--- clusters/dry/flux/exercise.yaml\n');
    expect(io.stdoutText).toContain('  path: ./clusters/dry/exercise\n');
    expect(io.stdoutText).toMatch(/Dry run: would write 8 files under clusters\/dry\/ \(nothing written\)\.$/);
    expect(existsSync(join(copy.root, 'clusters/dry'))).toBe(false);
  });
});

describe('npm run cluster -- add in a clone', () => {
  let repo: TestRepo;
  beforeAll(async () => {
    repo = await createTestRepo();
  });
  afterAll(() => repo.cleanup());

  it('writes the repository URL from origin, without the token origin carries', async () => {
    await repo.git(['remote', 'set-url', 'origin', 'https://x-access-token:ghs_SECRET123@github.com/acme/mesh-lab.git']);
    const io = captureIo(repo.work);
    expect(await cluster(['add', 'learner-1', '--engine', 'flux', '-o', 'json'], io)).toBe(0);
    const result = JSON.parse(io.stdoutText) as { repoURL: string; urlSource: string; files: { path: string }[] };
    expect(result).toMatchObject({ repoURL: 'https://github.com/acme/mesh-lab.git', urlSource: 'origin' });
    const source = readFileSync(join(repo.work, 'clusters/learner-1/flux/source.yaml'), 'utf8');
    expect(source).toContain('  url: https://github.com/acme/mesh-lab.git\n');
    expect(io.stdoutText + io.stderrText + source).not.toContain('SECRET');
  });
});
