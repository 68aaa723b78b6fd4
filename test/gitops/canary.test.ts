// The canary steps must be valid for Flagger's Istio provider: one `reviews` target, the seed's Canary,
// the load tester, and nothing hand-written that Flagger generates (reviews Service, VirtualService,
// DestinationRules) or that would keep serving the old versions (reviews-v1/v2/v3).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../tooling/src/lib/manifests.ts';
import { named, ofKind, render } from './support.ts';

type Container = { name: string; image: string };
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
type DeploymentSpec = { replicas?: number; selector: { matchLabels: Record<string, string> }; template: PodTemplate };

function deployment(objects: KubeObject[], name: string): DeploymentSpec {
  const d = named(objects, 'Deployment', name);
  if (!d) throw new Error(`Deployment ${name} not rendered`);
  return d.spec as DeploymentSpec;
}

describe.each(['canary', 'canary-v2'])('exercise %s', (id) => {
  it('has one reviews Deployment and no reviews-v1/v2/v3', async () => {
    const objects = await render(`exercises/${id}`);
    const names = ofKind(objects, 'Deployment').map((d) => d.metadata.name).sort();
    expect(names).toEqual(['details-v1', 'flagger-loadtester', 'productpage-v1', 'ratings-v1', 'reviews']);
    const reviews = deployment(objects, 'reviews');
    // Flagger expects a single `app` selector and scales the target itself.
    expect(reviews.selector.matchLabels).toEqual({ app: 'reviews' });
    expect(reviews.replicas).toBeUndefined();
  });

  it('leaves reviews routing to Flagger: no Service, VirtualService or DestinationRule for reviews', async () => {
    const objects = await render(`exercises/${id}`);
    const reviewsNames = new Set(['reviews', 'reviews-primary', 'reviews-canary']);
    for (const kind of ['Service', 'VirtualService', 'DestinationRule']) {
      expect(ofKind(objects, kind).filter((o) => reviewsNames.has(o.metadata.name ?? '')), kind).toEqual([]);
    }
    for (const dr of ofKind(objects, 'DestinationRule')) {
      expect((dr.spec as { host: string }).host).not.toMatch(/^reviews/);
    }
    // The seed cleaned up every other VirtualService before this step; only the ingress one stays.
    expect(ofKind(objects, 'VirtualService').map((v) => v.metadata.name)).toEqual(['bookinfo']);
  });

  it('holds the seed\u2019s Canary, moved to namespace bookinfo', async () => {
    const objects = await render(`exercises/${id}`);
    const canary = named(objects, 'Canary', 'reviews');
    expect(canary?.apiVersion).toBe('flagger.app/v1beta1');
    expect(canary?.metadata.namespace).toBe('bookinfo');
    const spec = canary?.spec as Record<string, unknown>;
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' });
    expect(spec.service).toMatchObject({ port: 9080, targetPort: 9080 });
    expect(spec.analysis).toEqual({
      interval: '1m',
      threshold: 5,
      maxWeight: 50,
      stepWeight: 10,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
        { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
      ],
      webhooks: [
        {
          name: 'load-test',
          url: 'http://flagger-loadtester.bookinfo/',
          timeout: '5s',
          metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://reviews-canary.bookinfo:9080/health' },
        },
      ],
    });
  });

  it('runs the load tester at the webhook\u2019s address with a pinned image', async () => {
    const objects = await render(`exercises/${id}`);
    const svc = named(objects, 'Service', 'flagger-loadtester');
    expect((svc?.spec as { ports: { port: number }[] }).ports[0]?.port).toBe(80);
    const image = deployment(objects, 'flagger-loadtester').template.spec.containers[0]?.image;
    expect(image).toMatch(/^ghcr\.io\/fluxcd\/flagger-loadtester:\d+\.\d+\.\d+$/);
  });
});

describe('canary versus canary-v2', () => {
  it('differ only in the reviews image and version label', async () => {
    const [v1, v2] = await Promise.all([render('exercises/canary'), render('exercises/canary-v2')]);
    const r1 = deployment(v1, 'reviews');
    const r2 = deployment(v2, 'reviews');
    expect(r1.template.spec.containers[0]?.image).toBe('docker.io/istio/examples-bookinfo-reviews-v1:1.20.3');
    expect(r2.template.spec.containers[0]?.image).toBe('docker.io/istio/examples-bookinfo-reviews-v2:1.20.3');
    expect(r1.template.metadata.labels).toEqual({ app: 'reviews', version: 'v1' });
    expect(r2.template.metadata.labels).toEqual({ app: 'reviews', version: 'v2' });

    // Undo exactly those two changes on a copy of canary-v2: what is left must equal canary.
    const undone = structuredClone(v2);
    const spec = undone.find((o) => o.kind === 'Deployment' && o.metadata.name === 'reviews')?.spec as DeploymentSpec;
    (spec.template.spec.containers[0] as Container).image = r1.template.spec.containers[0]?.image ?? '';
    spec.template.metadata.labels.version = 'v1';
    expect(undone).toEqual(v1);
  });
});
