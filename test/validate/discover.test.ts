// The discover stage: paths in, targets out (kustomizations, manifest files, stdin), missing paths as findings.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discover, display, findKustomizations } from '../../tooling/src/lib/validate/discover.ts';

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'discover-'));
  write('apps/web/kustomization.yaml', 'resources: [service.yaml]\n');
  write('apps/web/service.yaml', 'kind: Service\n');
  write('apps/shared/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n');
  write('exercises/one/kustomization.yml', 'resources: []\n');
  write('loose/b.yaml', 'kind: Service\n');
  write('loose/a.json', '{}');
  write('loose/notes.txt', 'not a manifest');
  write('loose/.hidden/c.yaml', 'kind: Service\n');
  write('loose/deeper/d.yml', 'kind: Service\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('discover', () => {
  it('finds every kustomization under the default trees, components excepted, sorted', async () => {
    expect(await findKustomizations(root)).toEqual(['apps/web', 'exercises/one']);
  });

  it('with no paths, makes one kustomization target per kustomization found', async () => {
    expect(await discover(root, undefined)).toEqual({
      targets: [
        { source: 'apps/web', kind: 'kustomization', abs: join(root, 'apps/web') },
        { source: 'exercises/one', kind: 'kustomization', abs: join(root, 'exercises/one') },
      ],
      findings: [],
    });
  });

  it('expands a directory without a kustomization into its manifest files, by name, skipping hidden ones', async () => {
    const { targets } = await discover(root, ['loose']);
    expect(targets.map((t) => [t.source, t.kind])).toEqual([
      ['loose/a.json', 'file'],
      ['loose/b.yaml', 'file'],
      ['loose/deeper/d.yml', 'file'],
    ]);
  });

  it('keeps stdin and files in the order given, and reports a missing path as an io finding', async () => {
    const { targets, findings } = await discover(root, ['-', 'nope.yaml', 'apps/web/service.yaml']);
    expect(targets).toEqual([
      { source: '-', kind: 'stdin', abs: '-' },
      { source: 'apps/web/service.yaml', kind: 'file', abs: join(root, 'apps/web/service.yaml') },
    ]);
    expect(findings).toEqual([
      {
        rule: 'io',
        severity: 'error',
        file: 'nope.yaml',
        message: 'Cannot read "nope.yaml": no such file or directory.',
        hint: 'Pass a kustomization directory, a manifest file, or - for standard input.',
      },
    ]);
  });

  it('names paths outside the root absolutely', () => {
    expect(display(root, join(root, 'apps', 'web'))).toBe('apps/web');
    expect(display(root, '/elsewhere/x.yaml')).toBe('/elsewhere/x.yaml');
    expect(display(root, root)).toBe(root);
  });
});
