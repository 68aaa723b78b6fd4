import { describe, expect, it } from 'vitest';
import { parseManifests, resourceRef } from '../../tooling/src/lib/manifests.ts';

describe('parseManifests', () => {
  it('splits documents and remembers where each starts', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# comment\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: ns\n';
    const { resources, findings } = parseManifests(text, 'f.yaml');
    expect(findings).toEqual([]);
    expect(resources.map((r) => [resourceRef(r.object), r.line, r.index])).toEqual([
      ['Service a', 1, 0],
      ['Service ns/b', 6, 1],
    ]);
  });

  it('reports malformed YAML with its absolute line number', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [b\n';
    const { resources, findings } = parseManifests(text, 'bad.yaml');
    expect(resources).toHaveLength(1);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'yaml', severity: 'error', file: 'bad.yaml' });
    expect(findings[0]?.line).toBeGreaterThanOrEqual(9);
  });

  it('reports duplicate keys', () => {
    const { findings } = parseManifests('apiVersion: v1\nkind: Service\nkind: Pod\nmetadata: {name: a}\n', 'dup.yaml');
    expect(findings[0]).toMatchObject({ rule: 'yaml', line: 3 });
    expect(findings[0]?.message).toBe('Duplicate key: "kind" appears twice in the same mapping.');
  });

  it('reports an empty file and a document without kind', () => {
    expect(parseManifests('# nothing\n---\n', 'empty.yaml').findings[0]).toMatchObject({ rule: 'empty', file: 'empty.yaml' });
    const { findings } = parseManifests('apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n', 'k.yaml');
    expect(findings).toEqual([expect.objectContaining({ rule: 'missing-kind', line: 5 })]);
  });

  it('expands List kinds and rejects non-mapping documents', () => {
    const list = 'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: x}}\n  - {apiVersion: v1, kind: Service, metadata: {name: y}}\n';
    expect(parseManifests(list, 'l.yaml').resources.map((r) => r.object.metadata.name)).toEqual(['x', 'y']);
    expect(parseManifests('- a\n- b\n', 's.yaml').findings[0]?.rule).toBe('yaml');
  });
});

describe('YAML semantics as Kubernetes reads them', () => {
  it('keeps unquoted dates as strings and supports merge keys', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  day: 2024-01-31\n  base: &b {a: "1"}\n  more:\n    <<: *b\n    c: "2"\n';
    const [r] = parseManifests(text, 'c.yaml').resources;
    const data = r?.object.data as Record<string, unknown>;
    expect(data.day).toBe('2024-01-31');
    expect(data.more).toEqual({ a: '1', c: '2' });
  });

  it('counts lines across separators with trailing text and CRLF documents', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n--- # second\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n---\n\n\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n';
    expect(parseManifests(text, 'f').resources.map((r) => r.line)).toEqual([1, 5, 9]);
  });
});
