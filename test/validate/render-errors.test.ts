// kustomize build failures become findings on the kustomization (or listed file) at fault, with its line
// and a plain message, through the real kustomize binary; explainRenderError's parsing on kustomize's texts.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { explainRenderError } from '../../tooling/src/lib/validate/render-errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = 'test/fixtures/validate';

async function renderFinding(dir: string) {
  const report = await validate({ root, paths: [`${fx}/${dir}`], kubeconform: { binary: false } });
  expect(report.findings).toHaveLength(1);
  return report.findings[0];
}

describe('render failures', () => {
  it('points malformed YAML in kustomization.yaml at the line kustomize names', async () => {
    const f = await renderFinding('render-bad-yaml');
    expect(f).toMatchObject({ rule: 'render', severity: 'error', file: `${fx}/render-bad-yaml/kustomization.yaml`, line: 5 });
    expect(f?.message).toBe("kustomize build failed: The kustomization is not valid YAML: did not find expected ',' or ']'.");
  });

  it('points an unknown kustomization field at its key, with a did-you-mean', async () => {
    const f = await renderFinding('render-unknown-field');
    expect(f).toMatchObject({ rule: 'render', file: `${fx}/render-unknown-field/kustomization.yaml`, line: 4 });
    expect(f?.message).toBe('kustomize build failed: Unknown kustomization field "resourcs". Did you mean "resources"?');
  });

  it('explains a resource listed twice instead of "must be a directory", at the second entry', async () => {
    const f = await renderFinding('render-duplicate');
    expect(f).toMatchObject({ rule: 'render', file: `${fx}/render-duplicate/kustomization.yaml`, line: 5 });
    expect(f?.message).toBe(
      'kustomize build failed: Service details is defined twice: "service-details-copy.yaml" adds a resource that an earlier entry of `resources` already has.',
    );
    expect(f?.message).not.toContain('must be a directory');
    expect(f?.hint).toContain('list "service-details-copy.yaml" under `patches`');
  });

  it('follows a failure in a base to the base kustomization that causes it', async () => {
    const f = await renderFinding('render-nested');
    expect(f).toMatchObject({ rule: 'render', file: `${fx}/render-duplicate/kustomization.yaml`, line: 5 });
    expect(f?.message).toContain('Service details is defined twice');
  });

  it('points malformed YAML in a listed file at that file', async () => {
    const f = await renderFinding('render-bad-resource');
    expect(f).toMatchObject({ rule: 'render', file: `${fx}/render-bad-resource/service-details.yaml`, line: 3 });
    expect(f?.message).toContain('"service-details.yaml" is not valid YAML');
  });

  it('still points a missing listed file at the line that lists it', async () => {
    const f = await renderFinding('render-fail');
    expect(f).toMatchObject({ rule: 'render', file: `${fx}/render-fail/kustomization.yaml`, line: 5, message: 'kustomize build failed: "does-not-exist.yaml" does not exist.' });
  });
});

describe('explainRenderError', () => {
  const k = (text: string) => (dir: string) => ({ file: `${dir}/kustomization.yaml`, text });

  it('finds a missing patch file under `patches`', () => {
    const error = "trouble configuring builtin PatchTransformer with config: `\npath: gone.yaml\n`: evalsymlink failure on '/r/x/gone.yaml' : lstat /r/x/gone.yaml: no such file or directory";
    expect(explainRenderError(error, '/r/x', k('resources:\n  - a.yaml\npatches:\n  - path: gone.yaml\n'))).toEqual({
      file: '/r/x/kustomization.yaml',
      line: 4,
      message: '"gone.yaml" does not exist.',
      hint: 'Create it or remove "gone.yaml" from this kustomization.',
    });
  });

  it('names a duplicate namespaced resource as Kind namespace/name', () => {
    const error =
      "accumulating resources: accumulation err='merging resources from 'b.yaml': may not add resource with an already registered id: VirtualService.v1.networking.istio.io/reviews.v2.bookinfo': '/r/x/b.yaml' must be a directory so that it can used as a build root";
    const p = explainRenderError(error, '/r/x', k('resources:\n- a.yaml\n- b.yaml\n'));
    expect(p?.line).toBe(3);
    expect(p?.message).toMatch(/^VirtualService bookinfo\/reviews\.v2 is defined twice/);
  });

  it('returns undefined for errors it does not recognise, and when there is no kustomization', () => {
    expect(explainRenderError('something else entirely', '/r/x', k('resources: []\n'))).toBeUndefined();
    expect(explainRenderError('json: unknown field "x"', '/r/x', () => undefined)).toBeUndefined();
  });
});
