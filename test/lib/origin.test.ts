// Where a field is written: the line of a JSON pointer in a YAML document, block or flow style, through
// merge keys and aliases, inside List items; and the place a finding names.
import { describe, expect, it } from 'vitest';
import { parseManifests, placeOf } from '../../tooling/src/lib/manifests.ts';
import { DocumentOrigin, pointerSegments, unitOrigin } from '../../tooling/src/lib/origin.ts';

const text = `apiVersion: v1
kind: X
spec:
  http:
  - match:
    - uri:
        exact: /a
    route:
    - destination:
        host: a
      weight: 10
    - destination:
        host: b
      "wei/ght": 90
  hosts: [a]`;

const lineOf = (doc: string, pointer: string, first = 1) => new DocumentOrigin('f.yaml', doc, first).match(pointer).line;

describe('DocumentOrigin', () => {
  it('follows keys, sequence items and escaped keys', () => {
    expect(lineOf(text, '/spec')).toBe(3);
    expect(lineOf(text, '/spec/http/0/match/0/uri/exact')).toBe(7);
    expect(lineOf(text, '/spec/http/0/route/0/weight')).toBe(11);
    expect(lineOf(text, '/spec/http/0/route/1/destination/host')).toBe(13);
    expect(lineOf(text, '/spec/http/0/route/1/wei~1ght')).toBe(14);
    expect(lineOf(text, '/spec/hosts')).toBe(15);
    expect(lineOf(text, '/spec/hosts/0')).toBe(15);
  });

  it('returns no line for what is not written, and says how deep it got', () => {
    const origin = new DocumentOrigin('f.yaml', text, 1);
    expect(origin.match('/spec/http/1')).toEqual({ line: 4, depth: 2 });
    expect(origin.match('/spec/missing')).toEqual({ line: 3, depth: 1 });
    expect(origin.match('/nope')).toEqual({ depth: 0 });
    expect(origin.match('')).toEqual({ depth: 0 });
    // An empty value on a sequence item's own line: its sibling is not inside it.
    const item = 'list:\n- first:\n  second: 2';
    expect(lineOf(item, '/list/0')).toBe(2);
    expect(lineOf(item, '/list/0/second')).toBe(3);
    expect(new DocumentOrigin('f', item, 1).match('/list/0/first/second')).toEqual({ line: 2, depth: 3 });
  });

  it('finds fields written in flow style, one per line or all on one', () => {
    const flow = 'kind: VirtualService\nspec: {hosts: [a],\n  http: [{route: [{destination: {host: a}, wieght: 5}]}]}\n';
    expect(lineOf(flow, '/spec/hosts/0')).toBe(2);
    expect(lineOf(flow, '/spec/http/0/route/0/wieght')).toBe(3);
    const json = '{"kind": "ConfigMap",\n "metadata": {"name": "c"},\n "data": {"a": 1}}';
    expect(lineOf(json, '/data/a')).toBe(3);
  });

  it('counts from the document\'s first line in its file, and looks through merge keys and aliases', () => {
    expect(lineOf(text, '/spec/hosts', 41)).toBe(55);
    const merged = 'defaults: &d\n  timeout: 5s\nspec:\n  <<: *d\n  retries: 3\n';
    expect(lineOf(merged, '/spec/retries')).toBe(5);
    expect(lineOf(merged, '/spec/timeout')).toBe(2);
    const alias = 'a: &x {b: 1}\nc: *x\n';
    expect(lineOf(alias, '/c/b')).toBe(1);
  });

  it('finds each of thousands of fields in one document, and items of a long sequence', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}: v${i}`);
    const items = Array.from({ length: 3000 }, (_, i) => `  - name: n${i}\n    port: ${i}`);
    const doc = ['kind: ConfigMap', 'data:', '  a: b', ...keys, 'ports:', ...items.join('\n').split('\n')].join('\n');
    const origin = new DocumentOrigin('f', doc, 1);
    for (let i = 0; i < 5000; i += 7) expect(origin.match(`/k${i}`).line).toBe(4 + i);
    const first = 5000 + 5;
    for (let i = 0; i < 3000; i += 11) {
      expect(origin.match(`/ports/${i}`).line).toBe(first + 2 * i);
      expect(origin.match(`/ports/${i}/port`).line).toBe(first + 2 * i + 1);
    }
    expect(origin.match('/ports/3000')).toEqual({ line: first - 1, depth: 1 });
    expect(origin.match('/k5000')).toEqual({ depth: 0 });
  });

  it('unescapes pointer segments as RFC 6901 says', () => {
    expect(pointerSegments('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
    expect(pointerSegments('')).toEqual([]);
  });
});

describe('placeOf', () => {
  it('places a finding on a parsed resource at its field, else at its document, List items included', () => {
    const file = `apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: a}\n- kind: ConfigMap\n  metadata: {name: b}\n  data:\n    x: 1\n---\nkind: Service\nmetadata: {name: s}\n`;
    const [a, b, s] = parseManifests(file, 'list.yaml').resources;
    expect(placeOf(b!, '/data/x')).toEqual({ file: 'list.yaml', line: 9 });
    expect(placeOf(a!, '/metadata/name')).toEqual({ file: 'list.yaml', line: 5 });
    expect(placeOf(a!, '/data')).toEqual({ file: 'list.yaml', line: 1 });
    expect(placeOf(s!, '/metadata/name')).toEqual({ file: 'list.yaml', line: 12 });
    expect(placeOf(s!)).toEqual({ file: 'list.yaml', line: 11 });
  });

  it('gives the unit and no line for an untraced rendered resource, and the document line without an origin', () => {
    const r = parseManifests('kind: Service\nmetadata: {name: s}\n', 'x').resources[0]!;
    expect(placeOf({ ...r, origin: unitOrigin('apps/web') }, '/metadata/name')).toEqual({ file: 'apps/web' });
    expect(placeOf({ object: r.object, file: 'y.yaml', line: 3, index: 0 }, '/metadata')).toEqual({ file: 'y.yaml', line: 3 });
  });
});
