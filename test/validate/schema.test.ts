// The schema stage: a status per resource and strict schema findings, with a line only where it means something.
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { unitOrigin } from '../../tooling/src/lib/origin.ts';
import { checkSchemas, loadSchemasFor } from '../../tooling/src/lib/validate/schema.ts';

const text = [
  'apiVersion: v1\nkind: Service\nmetadata: {name: good, namespace: ns}\nspec: {ports: [{port: 80}]}',
  'apiVersion: v1\nkind: Service\nmetadata: {name: typo, namespace: ns}\nspec: {prots: []}',
  'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ns}',
].join('\n---\n');
const resources = () => parseManifests(text, 'f.yaml').resources;

describe('schema stage', () => {
  it('gives a status per resource and findings at the line of their field, flow style included', async () => {
    const rs = resources();
    await loadSchemasFor(rs);
    const result = checkSchemas(rs, {});
    expect(result.statuses).toEqual(['valid', 'invalid', 'invalid', 'valid']);
    expect(result.findings.map((f) => [f.rule, f.resource, f.pointer, f.line])).toEqual([
      ['schema', 'Service ns/typo', '/spec/prots', 9],
      ['missing-schema', 'Widget w', '/kind', 12],
    ]);
  });

  it('skips kinds and missing schemas when told, and places findings by the resource\'s origin', async () => {
    const rs = resources();
    for (const r of rs) r.origin = unitOrigin('rendered/dir');
    await loadSchemasFor(rs);
    const result = checkSchemas(rs, { skipKinds: ['ConfigMap'], ignoreMissingSchemas: true });
    expect(result.statuses).toEqual(['valid', 'invalid', 'skipped', 'skipped']);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ file: 'rendered/dir', pointer: '/spec/prots' });
    expect(result.findings[0]).not.toHaveProperty('line');
  });

  it('checks a document text once per run: a repeat of a valid one is valid unchecked, an invalid one is checked and reported every time', async () => {
    const validTexts = new Set<string>();
    const first = resources();
    await loadSchemasFor(first);
    checkSchemas(first, {}, validTexts);
    // Only the two valid documents are remembered.
    expect([...validTexts].map((t) => /name: (\w+)/.exec(t)?.[1])).toEqual(['good', 'cm']);
    const again = resources();
    for (const r of again) r.origin = unitOrigin('another/unit');
    const result = checkSchemas(again, {}, validTexts);
    expect(result.statuses).toEqual(['valid', 'invalid', 'invalid', 'valid']);
    expect(result.findings.map((f) => [f.rule, f.file, f.pointer])).toEqual([
      ['schema', 'another/unit', '/spec/prots'],
      ['missing-schema', 'another/unit', '/kind'],
    ]);
    // What is remembered is trusted: a text in the set is not checked again (here, one that is invalid).
    const typo = resources()[1] as (typeof first)[number];
    expect(checkSchemas([typo], {}, new Set([typo.text as string])).statuses).toEqual(['valid']);
    expect(checkSchemas([typo], {}).statuses).toEqual(['invalid']);
  });
});
