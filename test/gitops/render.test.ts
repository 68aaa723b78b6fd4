// Every folder with a kustomization.yaml under apps/, exercises/ and clusters/ must build with the real
// kustomize binary, because that is what Flux, Argo CD and `npm run render` all do with it.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tooling/src/lib/manifests.ts';
import { kustomizationDirs, podSpecOf, render, unprovableNonRoot, type PodSpec } from './support.ts';

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

  it('gives every runAsNonRoot container a numeric runAsUser, which kubelet needs when the image USER is a name', async () => {
    let pods = 0;
    for (const dir of DIRS) {
      for (const o of await render(dir)) {
        if (podSpecOf(o)) pods++;
        expect(unprovableNonRoot(o), `${dir}: ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).toEqual([]);
      }
    }
    expect(pods).toBeGreaterThan(10);
  }, 180_000); // renders every folder when run alone with -t; in a full run the builds above are cached.

  it('accepts a UID at pod or container level for runAsNonRoot, never runAsNonRoot alone or UID 0', () => {
    const deployment = (pod: PodSpec): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: pod } } });
    const alone = { runAsNonRoot: true };
    expect(unprovableNonRoot(deployment({ containers: [{ name: 'c', securityContext: alone }] }))).toEqual(['c']);
    expect(unprovableNonRoot(deployment({ securityContext: alone, containers: [{ name: 'c' }] }))).toEqual(['c']);
    expect(unprovableNonRoot(deployment({ securityContext: { ...alone, runAsUser: 0 }, containers: [{ name: 'c' }] }))).toEqual(['c']);
    expect(unprovableNonRoot(deployment({ securityContext: { ...alone, runAsUser: 'app' }, containers: [{ name: 'c' }] }))).toEqual(['c']);
    expect(unprovableNonRoot(deployment({ securityContext: alone, containers: [{ name: 'c', securityContext: { runAsUser: 10001 } }] }))).toEqual([]);
    expect(unprovableNonRoot(deployment({ securityContext: { ...alone, runAsUser: 1000 }, containers: [{ name: 'c' }] }))).toEqual([]);
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'j' },
      spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ name: 'i', securityContext: alone }] } } } } },
    };
    expect(unprovableNonRoot(cron)).toEqual(['i']);
  });

  it('keeps each object in one owner: exercises never contain the bookinfo Namespace', async () => {
    for (const dir of DIRS.filter((d) => d.startsWith('exercises/'))) {
      const objects = await render(dir);
      expect(objects.filter((o) => o.kind === 'Namespace'), dir).toEqual([]);
      expect(new Set(objects.map((o) => o.metadata.namespace)), dir).toEqual(new Set(['bookinfo']));
    }
  });
});
