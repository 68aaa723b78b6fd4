// The strictness layer and the field locator, on their own.
import { types } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StrictValidator } from '../../tooling/src/lib/validate/strict.ts';
import { lineOfPointer } from '../../tooling/src/lib/validate/locate.ts';
import { validateResources, validateResourcesAsync } from '../../tooling/src/lib/validate/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

// A hand-written stand-in for ajv's generated code: reads declared keys, enumerates the `labels` map,
// and never looks inside `values` (free-form).
function fakeValidator(data: unknown) {
  const d = data as Record<string, Record<string, unknown> | undefined>;
  void d.name;
  void d.spec;
  const spec = d.spec;
  if (spec) {
    void spec.replicas;
    void spec.values;
    const labels = spec.labels as Record<string, unknown> | undefined;
    if (labels) for (const key in labels) void labels[key];
  }
  return null;
}

describe('StrictValidator', () => {
  it('reports keys the validator never read, and leaves maps and free-form objects alone', () => {
    const v = new StrictValidator(fakeValidator);
    const ok = { name: 'a', spec: { replicas: 1, labels: { any: 'x' }, values: { whatever: { deep: 1 } } } };
    expect(v.check(ok).unknown).toEqual([]);
    const bad = { name: 'a', nmae: 'b', spec: { replcias: 1, labels: { other: 'y' }, values: { else: 2 } } };
    expect(v.check(bad).unknown).toEqual([
      { pointer: '/nmae', field: 'nmae', known: ['name', 'spec'] },
      { pointer: '/spec/replcias', field: 'replcias', known: ['labels', 'replicas', 'values'] },
    ]);
  });

  it('gives the same answer on the learned fast path as on the first run', () => {
    const v = new StrictValidator(fakeValidator);
    const ok = { name: 'a', spec: { replicas: 1, labels: { any: 'x' } } };
    v.check(ok);
    expect(v.check({ name: 'b', spec: { replicas: 2, labels: { new: 'z' } } }).unknown).toEqual([]);
    expect(v.check({ name: 'b', spec: { replicas: 2, extra: true } }).unknown.map((u) => u.pointer)).toEqual(['/spec/extra']);
  });

  it('takes the fast path (no Proxy) for what earlier resources taught, including what they taught later', () => {
    const proxied: boolean[] = [];
    const v = new StrictValidator((data) => {
      proxied.push(types.isProxy(data));
      return fakeValidator(data);
    });
    const last = () => proxied[proxied.length - 1];
    v.check({ name: 'a' });
    expect(last()).toBe(true);
    v.check({ name: 'b' });
    expect(last()).toBe(false);
    // `spec` was known as a key but never held an object: learned through the Proxy, then fast.
    expect(v.check({ name: 'c', spec: { replicas: 1 } }).unknown).toEqual([]);
    expect(last()).toBe(true);
    expect(v.check({ name: 'd', spec: { replicas: 2 } }).unknown).toEqual([]);
    expect(last()).toBe(false);
    // A key learned after the fast path had run at that level is fast from then on.
    v.check({ name: 'e', spec: { labels: { x: 'y' } } });
    expect(last()).toBe(true);
    expect(v.check({ spec: { replicas: 3, labels: { z: 'w' } } }).unknown).toEqual([]);
    expect(last()).toBe(false);
    // An unknown key is never accepted on the fast path.
    expect(v.check({ name: 'f', spec: { replicas: 1, bogus: 1 } }).unknown.map((u) => u.pointer)).toEqual(['/spec/bogus']);
    expect(last()).toBe(true);
  });
});

describe('validateResources', () => {
  it('validates synchronously once the schemas are loaded', async () => {
    const { resources } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: 1\n', 'c.yaml');
    const findings = await validateResourcesAsync(resources);
    expect(findings).toEqual([expect.objectContaining({ rule: 'schema', pointer: '/data/a', resource: 'ConfigMap c' })]);
    expect(validateResources(resources)).toEqual(findings);
  });

  it('refuses to guess when a schema was never loaded', () => {
    const { resources } = parseManifests('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n', 's.yaml');
    expect(() => validateResources(resources)).toThrow(/loadSchemasFor/);
  });
});

describe('lineOfPointer', () => {
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
  const lines = text.split('\n');
  const at = (p: string) => lineOfPointer(lines, 0, lines.length, p);
  it('follows keys, sequence items and escaped keys by indentation', () => {
    expect(at('/spec')).toBe(3);
    expect(at('/spec/http/0/match/0/uri/exact')).toBe(7);
    expect(at('/spec/http/0/route/0/weight')).toBe(11);
    expect(at('/spec/http/0/route/1/destination/host')).toBe(13);
    expect(at('/spec/http/0/route/1/wei~1ght')).toBe(14);
    expect(at('/spec/hosts')).toBe(15);
  });
  it('returns undefined for what is not written', () => {
    expect(at('/spec/http/1')).toBeUndefined();
    expect(at('/spec/missing')).toBeUndefined();
    // An empty value on a sequence item's own line: its sibling is not inside it, however it was asked before.
    const item = ['list:', '- first:', '  second: 2'];
    expect(lineOfPointer(item, 0, 3, '/list/0')).toBe(2);
    expect(lineOfPointer(item, 0, 3, '/list/0/second')).toBe(3);
    expect(lineOfPointer(item, 0, 3, '/list/0/first/second')).toBeUndefined();
  });

  it('answers the same for a pointer asked alone as among every other pointer of the document', () => {
    // Lookups in one lines array share what they learned; a fresh copy learns from scratch.
    const pointers = (value: unknown, at: string, out: string[]): string[] => {
      if (at !== '') out.push(at, `${at}/nope`, `${at}/0`, `${at}/2`);
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pointers(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
      return out;
    };
    const vs = parseManifests(text.replace('hosts: [a]', 'hosts:\n  - a\n  - b'), 'x.yaml').resources[0]?.object;
    const doc = text.replace('hosts: [a]', 'hosts:\n  - a\n  - b').split('\n');
    const all = pointers(vs, '', []);
    expect(all.length).toBeGreaterThan(40);
    let found = 0;
    for (const p of all) {
      const alone = lineOfPointer([...doc], 0, doc.length, p);
      expect(lineOfPointer(doc, 0, doc.length, p), p).toBe(alone);
      if (alone !== undefined) found++;
    }
    expect(found).toBeGreaterThan(20);
  });

  it('finds each of thousands of fields in one document, and items of a long sequence', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}: v${i}`);
    const items = Array.from({ length: 3000 }, (_, i) => `  - name: n${i}\n    port: ${i}`);
    const doc = ['kind: ConfigMap', 'data:', '  a: b', ...keys, 'ports:', ...items.join('\n').split('\n')];
    for (let i = 0; i < 5000; i += 7) expect(lineOfPointer(doc, 0, doc.length, `/k${i}`)).toBe(4 + i);
    const first = 5000 + 5;
    for (let i = 0; i < 3000; i += 11) {
      expect(lineOfPointer(doc, 0, doc.length, `/ports/${i}`)).toBe(first + 2 * i);
      expect(lineOfPointer(doc, 0, doc.length, `/ports/${i}/port`)).toBe(first + 2 * i + 1);
    }
    expect(lineOfPointer(doc, 0, doc.length, '/ports/3000')).toBeUndefined();
    expect(lineOfPointer(doc, 0, doc.length, '/k5000')).toBeUndefined();
  });
});
