// The strictness layer on its own.
import { types } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StrictValidator } from '../../tooling/src/lib/validate/strict.ts';
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
