// exportTo as Istio reads it, for networking resources and the Service annotation.
import { describe, expect, it } from 'vitest';
import { exportScope, serviceScope, visibleIn } from '../../tooling/src/lib/mesh/index.ts';

describe('exportTo', () => {
  it('is public when unset, empty or *', () => {
    for (const v of [undefined, [], ['*'], ['.', '*']]) expect(visibleIn(exportScope(v, 'a'), 'z')).toBe(true);
  });

  it('. is the own namespace, ~ is nobody, a name is that namespace', () => {
    expect(visibleIn(exportScope(['.'], 'a'), 'a')).toBe(true);
    expect(visibleIn(exportScope(['.'], 'a'), 'b')).toBe(false);
    expect(visibleIn(exportScope(['~'], 'a'), 'a')).toBe(false);
    expect(visibleIn(exportScope(['b'], 'a'), 'b')).toBe(true);
    expect(visibleIn(exportScope(['b'], 'a'), 'a')).toBe(false);
  });

  it('reads the Service annotation as a comma-separated list', () => {
    const scope = serviceScope({ 'networking.istio.io/exportTo': '., bar' }, 'foo');
    expect([visibleIn(scope, 'foo'), visibleIn(scope, 'bar'), visibleIn(scope, 'baz')]).toEqual([true, true, false]);
    expect(visibleIn(serviceScope({}, 'foo'), 'baz')).toBe(true);
  });
});
