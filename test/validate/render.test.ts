// The render stage: a target's text (kustomize's output, a file, stdin), or a finding saying why there is none.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../tooling/src/lib/validate/discover.ts';
import { mapLimit } from '../../tooling/src/lib/map-limit.ts';
import { render } from '../../tooling/src/lib/validate/render.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = 'test/fixtures/validate';
const target = (source: string, kind: Target['kind']): Target => ({ source, kind, abs: kind === 'stdin' ? '-' : join(root, source) });

describe('render', () => {
  it('builds a kustomization with kustomize', async () => {
    const rendered = await render(root, target(`${fx}/good`, 'kustomization'), undefined);
    expect(rendered.findings).toEqual([]);
    expect(rendered.text).toMatch(/^kind: Service$/m);
    expect(rendered.text).toMatch(/^kind: VirtualService$/m);
  });

  it('turns a failed build into a render finding that names the file to fix', async () => {
    const rendered = await render(root, target(`${fx}/render-fail`, 'kustomization'), undefined);
    expect(rendered.text).toBeUndefined();
    expect(rendered.findings).toHaveLength(1);
    expect(rendered.findings[0]).toMatchObject({ rule: 'render', severity: 'error', file: `${fx}/render-fail/kustomization.yaml` });
    expect(rendered.findings[0]?.message).toContain('does-not-exist.yaml');
    expect(rendered.findings[0]?.message).not.toContain(root);
  });

  it('reads a file, and reports one it cannot read', async () => {
    const ok = await render(root, target(`${fx}/empty.yaml`, 'file'), undefined);
    expect(ok).toMatchObject({ findings: [], text: expect.any(String) });
    const missing = await render(root, target(`${fx}/gone.yaml`, 'file'), undefined);
    expect(missing.text).toBeUndefined();
    expect(missing.findings).toMatchObject([{ rule: 'io', severity: 'error', file: `${fx}/gone.yaml` }]);
  });

  it('takes stdin as given, empty when none was read', async () => {
    expect(await render(root, target('-', 'stdin'), 'kind: X\n')).toEqual({ target: target('-', 'stdin'), text: 'kind: X\n', findings: [] });
    expect((await render(root, target('-', 'stdin'), undefined)).text).toBe('');
  });

  it('maps in order, whatever the limit', async () => {
    const slowFirst = (n: number) => new Promise<number>((done) => setTimeout(() => done(n * 2), n === 1 ? 20 : 0));
    expect(await mapLimit([1, 2, 3], 3, slowFirst)).toEqual([2, 4, 6]);
    expect(await mapLimit([1, 2, 3], 1, slowFirst)).toEqual([2, 4, 6]);
  });
});
