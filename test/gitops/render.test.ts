// Every folder with a kustomization.yaml under apps/, exercises/ and clusters/ must build with the real
// kustomize binary, because that is what Flux, Argo CD and `npm run render` all do with it.
import { describe, expect, it } from 'vitest';
import { kustomizationDirs, render } from './support.ts';

const DIRS = ['apps', 'exercises', 'clusters'].flatMap((top) => kustomizationDirs(top));

describe('kustomize build', () => {
  it('finds the folders it is meant to cover', () => {
    for (const dir of ['apps/bookinfo', 'apps/istio/flux', 'apps/flagger/argocd', 'exercises/canary-v2', 'clusters/workshop/flux', 'clusters/workshop-b/argocd']) {
      expect(DIRS).toContain(dir);
    }
  });

  for (const dir of DIRS) {
    it(`renders ${dir}`, async () => {
      const objects = await render(dir);
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        expect(typeof o.apiVersion, `${dir}: ${o.kind} ${o.metadata.name}`).toBe('string');
        expect(o.metadata.name, `${dir}: a ${o.kind} without a name`).toBeTruthy();
      }
    });
  }

  it('keeps each object in one owner: exercises never contain the bookinfo Namespace', async () => {
    for (const dir of DIRS.filter((d) => d.startsWith('exercises/'))) {
      const objects = await render(dir);
      expect(objects.filter((o) => o.kind === 'Namespace'), dir).toEqual([]);
      expect(new Set(objects.map((o) => o.metadata.namespace)), dir).toEqual(new Set(['bookinfo']));
    }
  });
});
