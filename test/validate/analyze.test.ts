// The analyzer stage: every analyzer's findings on a unit, and a failing analyzer reported, not fatal.
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { analyze } from '../../tooling/src/lib/validate/analyze.ts';
import { fileURLToPath } from 'node:url';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { perRun, type Analyzer, type AnalyzerContext, type RenderedUnit } from '../../tooling/src/lib/validate/types.ts';

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

describe('perRun', () => {
  it('loads once per validate run for every analyzer and unit that asks by the same key', async () => {
    let loads = 0;
    const load = async () => ++loads;
    const run: AnalyzerContext = { root: '.', loaded: new Map() };
    expect(await Promise.all([perRun(run, 'catalog', load), perRun(run, 'catalog', load)])).toEqual([1, 1]);
    expect(await perRun(run, 'other', load)).toBe(2);
    // Called on its own, outside a run, an analyzer loads each time.
    expect(await perRun({ root: '.' }, 'catalog', load)).toBe(3);
  });

  it('validate runs the exercise analyzers over every exercise with one scan of the catalog', async () => {
    const scans: string[] = [];
    const counting: Analyzer = (unit, ctx) => perRun(ctx, 'catalog', async () => {
      scans.push(unit.source);
      return [];
    });
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const { units } = await validate({ root, paths: ['exercises/route-v1', 'exercises/fault-abort', 'exercises/canary'], analyzers: [counting] });
    expect(units).toHaveLength(3);
    expect(scans).toHaveLength(1);
  });
});
