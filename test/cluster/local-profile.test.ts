// The `local` profile: on a cluster with no load balancer, Argo CD's sync waves and Flux's Helm install must
// both get past the ingress gateway. The health rules below are the engines' documented ones:
// - Argo CD (docs, "Resource Health"): a Service of type LoadBalancer is Healthy only once
//   `status.loadBalancer.ingress` has an entry with a hostname or IP; any other Service is Healthy. An
//   Application is as healthy as its least healthy resource, and with argocd-cm-health.yaml the app of apps
//   starts a wave only when the previous wave's Applications are Healthy.
// - Flux: helm-controller installs with Helm's wait, whose Service check (helm/pkg/kube/ready.go) also waits for
//   a LoadBalancer's ingress; the Flux `istio` Kustomization waits for the HelmReleases to be Ready.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cluster } from '../../tooling/src/cli/cluster.ts';
import { HOST_PORTS, NODE_PORTS } from '../../tooling/src/lib/cluster/profile.ts';
import { kustomizeBuild } from '../../tooling/src/lib/kustomize.ts';
import { parseManifests, type KubeObject } from '../../tooling/src/lib/manifests.ts';
import { captureIo } from '../helpers/io.ts';
import { copyRepo } from './support.ts';

type Health = 'Healthy' | 'Progressing';
const WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * The Service types an Application's chart creates. The gateway chart renders `service.type` from its values
 * (manifests/charts/gateway/templates/service.yaml; default LoadBalancer); the other charts here keep their
 * default ClusterIP Services, which the test checks by finding no `service.type` in their values.
 */
function serviceTypes(app: KubeObject): string[] {
  const source = (app.spec as { source?: { chart?: string; helm?: { valuesObject?: { service?: { type?: string } } } } }).source;
  const values = source?.helm?.valuesObject;
  if (source?.chart === 'gateway') return [values?.service?.type ?? 'LoadBalancer'];
  expect(JSON.stringify(values ?? {}), `${app.metadata.name}: a chart whose Service type the test does not model`).not.toMatch(/"type":"(LoadBalancer|NodePort)"/);
  return source?.chart ? ['ClusterIP'] : [];
}

/** Argo CD's built-in Service health, on a cluster where nothing assigns load balancer addresses. */
const serviceHealth = (type: string): Health => (type === 'LoadBalancer' ? 'Progressing' : 'Healthy');

/** The sync waves the app of apps gets through when no Service ever receives a load balancer address. */
function wavesReached(objects: KubeObject[]): number[] {
  const apps = objects.filter((o) => o.kind === 'Application' && o.metadata.annotations?.[WAVE] !== undefined);
  const waves = [...new Set(apps.map((a) => Number(a.metadata.annotations?.[WAVE])))].sort((a, b) => a - b);
  const reached: number[] = [];
  for (const wave of waves) {
    reached.push(wave);
    const health = apps.filter((a) => Number(a.metadata.annotations?.[WAVE]) === wave).flatMap((a) => serviceTypes(a).map(serviceHealth));
    if (health.some((h) => h !== 'Healthy')) break; // the next wave waits for this one, forever
  }
  return reached;
}

async function build(root: string, dir: string): Promise<KubeObject[]> {
  const result = await kustomizeBuild(join(root, dir));
  if (!result.ok) throw new Error(result.error);
  return parseManifests(result.yaml, dir).resources.map((r) => r.object);
}

describe('the local profile', () => {
  let copy: { root: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    copy = await copyRepo();
    expect(await cluster(['add', 'laptop', '--profile', 'local'], captureIo(copy.root))).toBe(0);
    expect(await cluster(['add', 'cloudy', '--profile', 'cloud'], captureIo(copy.root))).toBe(0);
  });
  afterAll(() => copy.cleanup());

  it('Argo CD: every wave becomes Healthy in order, with no Service of type LoadBalancer', async () => {
    const objects = await build(copy.root, 'clusters/laptop/argocd');
    const apps = objects.filter((o) => o.kind === 'Application');
    const types = [...objects.filter((o) => o.kind === 'Service').map((s) => String((s.spec as { type?: string }).type ?? 'ClusterIP')), ...apps.flatMap(serviceTypes)];
    expect(types.length).toBeGreaterThan(0);
    expect(types).not.toContain('LoadBalancer');
    expect(wavesReached(objects)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const gateway = apps.find((a) => a.metadata.name === 'istio-ingressgateway');
    expect(gateway?.metadata.annotations?.[WAVE]).toBe('-1');
    expect((gateway?.spec as { source: { helm: { valuesObject: unknown } } }).source.helm.valuesObject).toMatchObject({
      labels: { istio: 'ingressgateway' },
      service: { type: 'NodePort', ports: [{ port: 15021 }, { port: 80, nodePort: NODE_PORTS.http }, { port: 443, nodePort: NODE_PORTS.https }] },
    });
  });

  it('Argo CD: the cloud profile on the same cluster would stop at the gateway\u2019s wave, which is why local exists', async () => {
    expect(wavesReached(await build(copy.root, 'clusters/cloudy/argocd'))).toEqual([-3, -2, -1]);
  });

  it('Flux: the istio Kustomization\u2019s patch gives the gateway HelmRelease the same NodePort Service', async () => {
    const flux = await build(copy.root, 'clusters/laptop/flux');
    const istio = flux.find((o) => o.kind === 'Kustomization' && o.metadata.name === 'istio');
    const patches = (istio?.spec as { patches?: unknown[] }).patches;
    expect(patches).toHaveLength(1);
    // Flux applies spec.patches as kustomize does; build apps/istio/flux with them using the real binary.
    await mkdir(join(copy.root, 'flux-patched'));
    await writeFile(join(copy.root, 'flux-patched/kustomization.yaml'), yaml.dump({ resources: ['../apps/istio/flux'], patches }));
    const release = (await build(copy.root, 'flux-patched')).find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'istio-ingressgateway');
    const argo = (await build(copy.root, 'clusters/laptop/argocd')).find((o) => o.kind === 'Application' && o.metadata.name === 'istio-ingressgateway');
    const values = (release?.spec as { values: Record<string, unknown> }).values;
    expect(values).toEqual((argo?.spec as { source: { helm: { valuesObject: unknown } } }).source.helm.valuesObject);
    expect((values.service as { type: string }).type).toBe('NodePort');
    // The cloud profile leaves apps/istio/flux as it is: a LoadBalancer.
    const cloud = (await build(copy.root, 'clusters/cloudy/flux')).find((o) => o.kind === 'Kustomization' && o.metadata.name === 'istio');
    expect((cloud?.spec as { patches?: unknown }).patches).toBeUndefined();
  });

  it('kind/cluster.yaml publishes the NodePorts the profile fixes on localhost', () => {
    const config = yaml.load(readFileSync(join(copy.root, 'kind/cluster.yaml'), 'utf8')) as { kind: string; apiVersion: string; nodes: { role: string; image?: string; extraPortMappings: { containerPort: number; hostPort: number; protocol: string }[] }[] };
    expect([config.kind, config.apiVersion]).toEqual(['Cluster', 'kind.x-k8s.io/v1alpha4']);
    // Pinned by digest, as kind's release notes ask: a tag alone can name an image built for another kind release.
    expect(config.nodes.map((n) => n.image)).toEqual([expect.stringMatching(/^kindest\/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}$/)]);
    expect(config.nodes[0]?.extraPortMappings).toEqual([
      { containerPort: NODE_PORTS.http, hostPort: HOST_PORTS.http, protocol: 'TCP' },
      { containerPort: NODE_PORTS.https, hostPort: HOST_PORTS.https, protocol: 'TCP' },
    ]);
  });
});
