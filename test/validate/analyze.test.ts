// The analyzer stage: every analyzer's findings on a unit, and a failing analyzer reported, not fatal.
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { analyze } from '../../tooling/src/lib/validate/analyze.ts';
import type { Analyzer, RenderedUnit } from '../../tooling/src/lib/validate/types.ts';

const text = [
  'apiVersion: v1\nkind: Service\nmetadata: {name: good, namespace: ns}\nspec: {ports: [{port: 80}]}',
  'apiVersion: v1\nkind: Service\nmetadata: {name: typo, namespace: ns}\nspec: {prots: []}',
  'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ns}',
].join('\n---\n');
const resources = () => parseManifests(text, 'f.yaml').resources;

describe('analyzer stage', () => {
  const unit: RenderedUnit = { source: 'dir', kind: 'kustomization', resources: resources() };
  it('collects what every analyzer finds and reports one that throws, still running the rest', async () => {
    const finds: Analyzer = (u) => [{ rule: 'r', severity: 'warning', resource: 'Service ns/good', message: `${u.resources.length}` }];
    const broken: Analyzer = function broken() {
      throw new Error('boom');
    };
    const result = await analyze(unit, [broken, finds], { root: '/' });
    expect(result.findings).toEqual([{ rule: 'r', severity: 'warning', resource: 'Service ns/good', message: '4' }]);
    expect(result.failures).toEqual([
      { rule: 'analyzer', severity: 'error', file: 'dir', message: 'An analyzer (broken) failed: boom', hint: 'This is a bug in the analyzer; run with --debug and report it.' },
    ]);
  });
});
