// The load stage: a rendered text parsed into one unit's resources, parse problems as findings.
import { describe, expect, it } from 'vitest';
import type { Target } from '../../tooling/src/lib/validate/discover.ts';
import { load } from '../../tooling/src/lib/validate/load.ts';

const target = (source: string, kind: Target['kind']): Target => ({ source, kind, abs: `/repo/${source}` });

describe('load', () => {
  it('parses a file into a unit whose resources keep their file and first line', () => {
    const t = target('a.yaml', 'file');
    const loaded = load('/repo', { target: t, text: 'kind: A\nmetadata: {name: a}\n---\nkind: B\nmetadata: {name: b}\n', findings: [] });
    expect(loaded.unit.source).toBe('a.yaml');
    expect(loaded.unit.kind).toBe('file');
    expect(loaded.unit.resources.map((r) => [r.object.kind, r.file, r.line])).toEqual([['A', 'a.yaml', 1], ['B', 'a.yaml', 4]]);
    expect(loaded.findings).toEqual([]);
  });

  it('passes render findings through and gives an empty unit when there is no text', () => {
    const finding = { rule: 'render', severity: 'error' as const, message: 'x' };
    const loaded = load('/repo', { target: target('dir', 'kustomization'), findings: [finding] });
    expect(loaded.unit.resources).toEqual([]);
    expect(loaded.findings).toEqual([finding]);
  });

  it('keeps no line on parse findings from kustomize output, and says an empty render is the kustomization', () => {
    const empty = load('/repo', { target: target('dir', 'kustomization'), text: '', findings: [] });
    expect(empty.findings).toEqual([expect.objectContaining({ rule: 'empty', file: 'dir', message: 'The kustomization renders no resources.' })]);
    expect(empty.findings[0]).not.toHaveProperty('line');
    const file = load('/repo', { target: target('e.yaml', 'file'), text: '', findings: [] });
    expect(file.findings).toEqual([expect.objectContaining({ rule: 'empty', line: 1, message: 'The file contains no Kubernetes resources.' })]);
  });
});
