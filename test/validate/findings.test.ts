// One fixture per finding kind: each asserts the rule id, the resource, the pointer and the line.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { validate, type ValidationReport } from '../../tooling/src/lib/validate/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = 'test/fixtures/validate';

function run(...paths: string[]): Promise<ValidationReport> {
  return validate({ root, paths: paths.map((p) => `${fx}/${p}`), kubeconform: { binary: false } });
}

describe('validate findings', () => {
  it('reports a misspelled fault as an unknown field and suggests the fix', async () => {
    const { findings, summary } = await run('vs-typo-fault.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'schema',
      severity: 'error',
      file: `${fx}/vs-typo-fault.yaml`,
      line: 11,
      resource: 'VirtualService bookinfo/ratings',
      pointer: '/spec/http/0/fualt',
      source: 'toolkit',
    });
    expect(findings[0]?.message).toContain('unknown field "fualt"');
    expect(findings[0]?.hint).toContain('Did you mean "fault"?');
    expect(summary).toMatchObject({ resources: 1, valid: 0, invalid: 1, errors: 1 });
  });

  it('reports a misspelled route weight with its pointer', async () => {
    const { findings } = await run('vs-typo-weight.yaml');
    expect(findings.map((f) => [f.rule, f.resource, f.pointer, f.line])).toEqual([
      ['schema', 'VirtualService bookinfo/reviews', '/spec/http/0/route/1/wieght', 18],
    ]);
    expect(findings[0]?.message).toContain('unknown field "wieght"');
    expect(findings[0]?.hint).toContain('Did you mean "weight"?');
  });

  it('reports a weight written as a string', async () => {
    const { findings } = await run('vs-string-weight.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'schema', resource: 'VirtualService bookinfo/reviews', pointer: '/spec/http/0/route/0/weight', line: 14 });
    expect(findings[0]?.message).toContain('must be an integer, not string "80"');
    expect(findings[0]?.hint).toContain('weight: 80');
  });

  it('reports a Canary without analysis', async () => {
    const { findings } = await run('canary-no-analysis.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'schema', resource: 'Canary bookinfo/reviews', pointer: '/spec/analysis', line: 6 });
    expect(findings[0]?.message).toContain('missing required field "analysis"');
  });

  it('reports malformed YAML with its line and still validates the other documents', async () => {
    const { findings, summary } = await run('malformed.yaml');
    expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([['yaml', `${fx}/malformed.yaml`, 13]]);
    expect(summary).toMatchObject({ resources: 1, valid: 1 });
  });

  it('reports a duplicate key with its line', async () => {
    const { findings } = await run('duplicate-key.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'yaml', line: 12 });
    expect(findings[0]?.message).toMatch(/^Duplicate key/);
  });

  it('reports an empty file', async () => {
    const { findings } = await run('empty.yaml');
    expect(findings).toEqual([expect.objectContaining({ rule: 'empty', file: `${fx}/empty.yaml`, line: 1 })]);
  });

  it('reports a document without kind', async () => {
    const { findings } = await run('no-kind.yaml');
    expect(findings).toEqual([expect.objectContaining({ rule: 'missing-kind', file: `${fx}/no-kind.yaml`, line: 1 })]);
  });

  it('reports a kind without a schema', async () => {
    const { findings, summary } = await run('missing-schema.yaml');
    expect(findings).toEqual([expect.objectContaining({ rule: 'missing-schema', resource: 'Widget bookinfo/gizmo', pointer: '/kind', line: 2 })]);
    expect(summary).toMatchObject({ invalid: 1, skipped: 0 });
  });

  it('counts a kind without a schema as skipped with ignoreMissingSchemas, and skips listed kinds', async () => {
    const ignored = await validate({ root, paths: [`${fx}/missing-schema.yaml`], ignoreMissingSchemas: true, kubeconform: { binary: false } });
    expect(ignored.findings).toEqual([]);
    expect(ignored.summary).toMatchObject({ resources: 1, skipped: 1, valid: 0, invalid: 0 });
    const skipped = await validate({ root, paths: [`${fx}/vs-typo-fault.yaml`], skipKinds: ['VirtualService'], kubeconform: { binary: false } });
    expect(skipped.findings).toEqual([]);
    expect(skipped.summary).toMatchObject({ resources: 1, skipped: 1 });
  });

  it('reports a kustomization that fails to render, at the line that names the missing file', async () => {
    const { findings } = await run('render-fail');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'render', file: `${fx}/render-fail/kustomization.yaml`, line: 5 });
    expect(findings[0]?.message).toContain('does-not-exist.yaml" does not exist');
  });

  it('maps a rendered resource back to the manifest file and line it came from', async () => {
    const { findings } = await run('bad-kustomization');
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'schema',
        file: `${fx}/bad-kustomization/destination-rule-reviews.yaml`,
        line: 12,
        resource: 'DestinationRule bookinfo/reviews',
        pointer: '/spec/subsets/1/lables',
      }),
    ]);
  });

  it('puts typos in a patch on the patch file, and what only the resource writes on the resource file', async () => {
    // The resource and its patches share kind and name; each finding goes where its field is written, the
    // patch (applied later) when both write it, as with the string weight that replaces `weight: 100`.
    const { findings } = await run('patched');
    const dir = `${fx}/patched`;
    const at = (pointer: string) => findings.find((f) => f.pointer === pointer);
    expect(findings).toHaveLength(4);
    expect(at('/spec/http/0/fualt')).toMatchObject({ rule: 'schema', file: `${dir}/virtual-service-ratings-abort.yaml`, line: 8, resource: 'VirtualService bookinfo/ratings' });
    expect(at('/spec/http/0/route/1/wieght')).toMatchObject({ rule: 'schema', file: `${dir}/virtual-service-reviews-split.yaml`, line: 16, resource: 'VirtualService bookinfo/reviews' });
    expect(at('/spec/http/0/route/0/weight')).toMatchObject({ rule: 'schema', file: `${dir}/virtual-service-reviews-split.yaml`, line: 12, resource: 'VirtualService bookinfo/reviews' });
    expect(at('/spec/gateways')).toMatchObject({ rule: 'schema', file: `${dir}/virtual-service-all-v1.yaml`, line: 21, resource: 'VirtualService bookinfo/reviews' });
  });

  it('reports a path that does not exist as an io finding', async () => {
    const { findings } = await run('nope.yaml');
    expect(findings).toEqual([expect.objectContaining({ rule: 'io', file: `${fx}/nope.yaml` })]);
  });

  it('collects findings from many inputs in one run', async () => {
    const { findings, summary } = await run('vs-typo-fault.yaml', 'empty.yaml', 'render-fail', 'good');
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(['schema', 'empty', 'render']));
    expect(summary).toMatchObject({ units: 4, resources: 6, valid: 5, invalid: 1, errors: 3 });
  });

  it('accepts valid core, Istio, Flagger, Flux and Argo CD resources, free-form Helm values included', async () => {
    const { findings, summary } = await run('good', 'gitops.yaml');
    expect(findings).toEqual([]);
    expect(summary).toMatchObject({ resources: 9, valid: 9, invalid: 0 });
  });

  it('validates standard input', async () => {
    const stdin = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selectr: {}\n';
    const { findings, units } = await validate({ root, paths: ['-'], stdin, kubeconform: { binary: false } });
    expect(units[0]).toMatchObject({ source: '-', kind: 'stdin' });
    expect(findings).toEqual([expect.objectContaining({ rule: 'schema', file: '-', line: 6, pointer: '/spec/selectr', hint: expect.stringContaining('"selector"') })]);
  });

  it('runs analyzers on each unit after the schemas', async () => {
    const seen: string[] = [];
    const report = await validate({
      root,
      paths: [`${fx}/good`],
      kubeconform: { binary: false },
      analyzers: [
        (unit) => {
          seen.push(`${unit.kind}:${unit.source}:${unit.resources.length}`);
          return [{ rule: 'test-rule', severity: 'warning', file: unit.source, resource: 'VirtualService bookinfo/reviews', message: 'just a warning' }];
        },
      ],
    });
    expect(seen).toEqual([`kustomization:${fx}/good:5`]);
    expect(report.summary).toMatchObject({ warnings: 1, errors: 0, valid: 5 });
  });
});
