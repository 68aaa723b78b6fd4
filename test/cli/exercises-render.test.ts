import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { main as exercises } from '../../tooling/src/cli/exercises.ts';
import { main as render } from '../../tooling/src/cli/render.ts';
import { captureIo } from '../helpers/io.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

const ROOT = fileURLToPath(new URL('../fixtures/core/repo', import.meta.url));

describe('npm run exercises', () => {
  it('lists exercises in order and marks the one each cluster points at', async () => {
    const io = captureIo(ROOT);
    expect(await exercises([], io)).toBe(0);
    const lines = io.stdoutText.split('\n');
    expect(lines[1]).toMatch(/^\* alpha\s+1\.1\s+First step\s+<- lab$/);
    expect(lines[2]).toMatch(/^ {2}beta\s+1\.2\s+Second step$/);
  });

  it('prints JSON for scripts', async () => {
    const io = captureIo(ROOT);
    expect(await exercises(['--output', 'json'], io)).toBe(0);
    const data = JSON.parse(io.stdoutText);
    expect(data.exercises.map((e: { id: string; clusters: string[] }) => [e.id, e.clusters])).toEqual([['alpha', ['lab']], ['beta', []]]);
  });

  it('has --help and rejects unknown options with exit 2', async () => {
    const help = captureIo(ROOT);
    expect(await exercises(['--help'], help)).toBe(0);
    expect(help.stdoutText).toMatch(/Usage: npm run exercises/);
    const bad = captureIo(ROOT);
    expect(await exercises(['--bogus'], bad)).toBe(2);
    expect(bad.stderrText).toMatch(/error: Unknown option '--bogus'/);
    const badOutput = captureIo(ROOT);
    expect(await exercises(['--output', 'xml'], badOutput)).toBe(2);
    expect(badOutput.stderrText).toMatch(/Use one of: text, json/);
  });
});

describe('npm run render', () => {
  it('renders an exercise with the real kustomize binary', async () => {
    const io = captureIo(ROOT);
    expect(await render(['beta'], io)).toBe(0);
    const { resources } = parseManifests(io.stdoutText, 'out');
    expect(resources.map((r) => [r.object.kind, r.object.metadata.name, r.object.metadata.annotations?.exercise])).toEqual([['Service', 'demo', 'beta']]);
  });

  it('renders a cluster through its pointer', async () => {
    const io = captureIo(ROOT);
    expect(await render(['lab'], io)).toBe(0);
    expect(io.stdoutText).toMatch(/exercise: alpha/);
  });

  it('suggests the closest id for an unknown target and exits 1', async () => {
    const io = captureIo(ROOT);
    expect(await render(['bta'], io)).toBe(1);
    expect(io.stderrText).toMatch(/Unknown exercise or cluster "bta". Did you mean "beta"\?/);
    expect(io.stderrText).toMatch(/hint: Run `npm run exercises`/);
  });

  it('renders a kustomization directory given as a path, relative to where npm was run', async () => {
    const io = captureIo(ROOT);
    expect(await render(['exercises/beta'], io)).toBe(0);
    expect(io.stdoutText).toMatch(/exercise: beta/);
    const sub = captureIo(ROOT, { INIT_CWD: `${ROOT}/exercises` });
    expect(await render(['./alpha'], sub)).toBe(0);
    expect(sub.stdoutText).toMatch(/exercise: alpha/);
    // Without a slash, a name that is no exercise or cluster but a folder where npm was run is that folder.
    const bare = captureIo(ROOT, { INIT_CWD: `${ROOT}/apps` });
    expect(await render(['demo'], bare)).toBe(0);
    const slashed = captureIo(ROOT);
    expect(await render(['apps/demo'], slashed)).toBe(0);
    expect(bare.stdoutText).toBe(slashed.stdoutText);
    expect(bare.stdoutText).toMatch(/^kind: /m);
    const plain = captureIo(ROOT);
    expect(await render(['exercises'], plain)).toBe(1);
    expect(plain.stderrText).toContain('error: exercises is not a kustomization directory (no kustomization.yaml in it).');
    const none = captureIo(ROOT);
    expect(await render(['exercises/nope'], none)).toBe(1);
    expect(none.stderrText).toContain('error: No such directory: "exercises/nope".');
  });

  it('reports a failed build as validate does: the repository file, once, without absolute paths', async () => {
    const { cp, mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'render-'));
    await cp(ROOT, dir, { recursive: true });
    await writeFile(join(dir, 'exercises/beta/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../apps/demo\n  - missing.yaml\n');
    const io = captureIo(dir);
    expect(await render(['beta'], io)).toBe(1);
    const [error, hint, ...rest] = io.err;
    expect(error).toMatch(/^error: exercises\/beta\/kustomization.yaml:5: kustomize build failed: /);
    expect(error).toContain('missing.yaml');
    expect(hint).toMatch(/^hint: .*npm run validate -- exercises\/beta/);
    expect(rest).toEqual([]);
    expect(io.stderrText).not.toContain(dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('needs exactly one target (exit 2)', async () => {
    const io = captureIo(ROOT);
    expect(await render([], io)).toBe(2);
    expect(io.stderrText).toMatch(/Missing the exercise id or cluster name/);
  });
});
