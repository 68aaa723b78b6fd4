// Inputs that slip past schemas: each gets a finding with the file, the resource where there is one, and the fix.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../tooling/src/lib/validate/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'inputs-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const run = (...paths: string[]) => validate({ root, paths, kubeconform: { binary: false } });
const shape = (findings: Awaited<ReturnType<typeof run>>['findings']) => findings.map((f) => [f.rule, f.file, f.line, f.resource, f.pointer]);

async function write(file: string, text: string): Promise<void> {
  await mkdir(join(root, file, '..'), { recursive: true });
  await writeFile(join(root, file), text);
}

describe('paths that hold nothing to check', () => {
  it('reports an empty directory instead of "0 resources, 0 errors"', async () => {
    await mkdir(join(root, 'empty'));
    const { findings, summary } = await run('empty');
    expect(shape(findings)).toEqual([['no-input', 'empty', undefined, undefined, undefined]]);
    expect(findings[0]?.hint).toContain('kustomization directory or a manifest file');
    expect(summary.errors).toBe(1);
  });

  it('reports each dangling or looping symbolic link', async () => {
    await mkdir(join(root, 'links'));
    await symlink(join(root, 'links', 'gone.yaml'), join(root, 'links', 'dangling.yaml'));
    await symlink(join(root, 'links', 'loop-b'), join(root, 'links', 'loop-a'));
    await symlink(join(root, 'links', 'loop-a'), join(root, 'links', 'loop-b'));
    const { findings } = await run('links');
    expect(findings.map((f) => [f.rule, f.file, f.message])).toEqual([
      ['io', 'links/dangling.yaml', '"links/dangling.yaml" is a symbolic link to nothing, so it cannot be read.'],
      ['io', 'links/loop-a', '"links/loop-a" is a symbolic link in a loop, so it cannot be read.'],
      ['io', 'links/loop-b', '"links/loop-b" is a symbolic link in a loop, so it cannot be read.'],
    ]);
  });

  it('follows a symbolic link to a manifest', async () => {
    await write('real/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: x }\ndata: { k: v }\n');
    await mkdir(join(root, 'linked'));
    await symlink(join(root, 'real', 'cm.yaml'), join(root, 'linked', 'cm.yaml'));
    const { findings, summary } = await run('linked');
    expect(findings).toEqual([]);
    expect(summary.resources).toBe(1);
  });
});

describe('validate . is validate with no path', () => {
  it('checks the kustomizations of the default trees, never node_modules, .git or tooling/dist', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: x }\n';
    await write('clusters/lab/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n');
    await write('clusters/lab/cm.yaml', cm);
    for (const junk of ['node_modules/pkg/bad.yaml', 'tooling/dist/bad.yaml', '.git/bad.yaml', 'notes.yaml']) await write(junk, 'kind: [broken\n');
    const dot = await run('.');
    const none = await validate({ root, kubeconform: { binary: false } });
    expect(dot.units.map((u) => u.source)).toEqual(['clusters/lab']);
    expect(none.units.map((u) => u.source)).toEqual(['clusters/lab']);
    expect(dot.findings).toEqual(none.findings);
  });

  it('skips node_modules and tooling/dist below a directory without a kustomization too', async () => {
    await write('tree/node_modules/pkg/bad.yaml', 'kind: [broken\n');
    await write('tree/ok.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: ok }\n');
    await write('tooling/dist/bad.yaml', 'kind: [broken\n');
    expect((await run('tree')).units.map((u) => u.source)).toEqual(['tree/ok.yaml']);
    expect((await run('tooling')).findings.map((f) => f.rule)).toEqual(['no-input']);
  });
});

describe('resources the API server or kustomize refuse', () => {
  it('reports the same resource twice in one file, on the second', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: bookinfo\ndata: { k: "${v}" }\n`;
    await write('dup.yaml', `${cm('1')}---\n${cm('2')}`);
    const { findings } = await run('dup.yaml');
    expect(shape(findings)).toEqual([['duplicate-resource', 'dup.yaml', 11, 'ConfigMap bookinfo/settings', '/metadata/name']]);
    expect(findings[0]?.message).toContain('also at dup.yaml:1');
  });

  it('tells apart resources that differ only in group or namespace', async () => {
    const doc = (apiVersion: string, ns: string) => `apiVersion: ${apiVersion}\nkind: Gateway\nmetadata: { name: g, namespace: ${ns} }\nspec: {}\n`;
    await write('same-name.yaml', [doc('networking.istio.io/v1', 'a'), doc('networking.istio.io/v1', 'b'), doc('gateway.networking.k8s.io/v1', 'a')].join('---\n'));
    const { findings } = await run('same-name.yaml');
    expect(findings.filter((f) => f.rule === 'duplicate-resource')).toEqual([]);
  });

  it('reports a resource without metadata.name', async () => {
    await write('noname.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: bookinfo\ndata: { k: v }\n');
    const { findings } = await run('noname.yaml');
    expect(shape(findings)).toEqual([['metadata-name-missing', 'noname.yaml', 3, 'ConfigMap bookinfo/<unnamed>', '/metadata/name']]);
  });

  it('reports a ConfigMap over 1 MiB of data and an object over etcd\'s limit', async () => {
    await write('big-data.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big, namespace: x }\ndata:\n  a: "${'x'.repeat(700 * 1024)}"\n  b: "${'y'.repeat(400 * 1024)}"\n`);
    await write('huge.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: huge, namespace: x }\ndata:\n  a: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    const { findings } = await run('big-data.yaml', 'huge.yaml');
    expect(shape(findings)).toEqual([
      ['object-too-large', 'big-data.yaml', 4, 'ConfigMap x/big', '/data'],
      ['object-too-large', 'huge.yaml', 1, 'ConfigMap x/huge', ''],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'ConfigMap x/big holds 1.1 MiB of data; the API server allows at most 1 MiB (1048576 bytes) in a ConfigMap.',
      'ConfigMap x/huge is 2.0 MiB as JSON; etcd refuses requests over 1.5 MiB by default, so the API server cannot store it.',
    ]);
  });
});

describe('an apiVersion or kind without a schema', () => {
  it('proposes the version or kind that has one', async () => {
    await write(
      'typos.yaml',
      [
        'apiVersion: networking.istio.io/v1beta2\nkind: VirtualService\nmetadata: { name: a, namespace: b }\nspec: { hosts: [a] }\n',
        'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: a, namespace: b }\n',
        'apiVersion: flagger.app/v1\nkind: Canary\nmetadata: { name: a, namespace: b }\n',
      ].join('---\n'),
    );
    const { findings } = await run('typos.yaml');
    expect(findings.map((f) => [f.rule, f.resource, f.pointer, f.hint])).toEqual([
      ['missing-schema', 'VirtualService b/a', '/kind', 'Did you mean `apiVersion: networking.istio.io/v1beta1`? VirtualService has a schema there.'],
      ['missing-schema', 'Deploymnet b/a', '/kind', 'Did you mean `kind: Deployment`?'],
      ['missing-schema', 'Canary b/a', '/kind', 'Did you mean `apiVersion: flagger.app/v1beta1`? Canary has a schema there.'],
    ]);
  });
});
