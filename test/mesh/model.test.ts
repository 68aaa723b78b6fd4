// The mesh model: the service registry and host lookup (with exportTo), and the index of resources and
// workloads that the analyzers and the simulator share.
import { describe, expect, it } from 'vitest';
import { buildModel, qualify } from '../../tooling/src/lib/mesh/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function parse(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return parsed.resources;
}

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: bookinfo }
spec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ratings, namespace: other }
spec: { selector: { app: ratings }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ext, namespace: bookinfo }
spec: { hosts: ["*.bookinfo.svc.cluster.local"], ports: [{ number: 443, name: https }] }
`;

describe('host lookup', () => {
  const model = buildModel(parse(SERVICES));

  it('resolves a short host in its namespace, to the same answer whichever namespace was asked before', () => {
    const asked: [string, string][] = [
      ['reviews', 'bookinfo'],
      ['reviews', 'other'],
      ['ratings', 'other'],
      ['reviews', 'bookinfo'],
      ['ratings', 'bookinfo'],
      ['ratings', 'other'],
    ];
    const answers = asked.map(([host, ns]) => {
      const found = model.lookup(host, ns);
      return [found.fqdn, found.found, found.found ? found.entry.kind : found.outOfView];
    });
    expect(answers).toEqual([
      ['reviews.bookinfo.svc.cluster.local', true, 'service'],
      ['reviews.other.svc.cluster.local', false, false],
      ['ratings.other.svc.cluster.local', true, 'service'],
      ['reviews.bookinfo.svc.cluster.local', true, 'service'],
      // Not a Service of bookinfo, but the ServiceEntry's wildcard covers it.
      ['ratings.bookinfo.svc.cluster.local', true, 'serviceentry'],
      ['ratings.other.svc.cluster.local', true, 'service'],
    ]);
  });

  it('judges a short host out of view in a namespace the unit renders nothing in', () => {
    const found = model.lookup('reviews', 'elsewhere');
    expect(found).toEqual({ found: false, fqdn: 'reviews.elsewhere.svc.cluster.local', outOfView: true });
  });

  it('names hosts and namespaces that are not plain labels as qualify does', () => {
    for (const [host, ns] of [
      ['reviews.bookinfo', 'bookinfo'],
      ['reviews.bookinfo.svc.cluster.local', 'other'],
      ['*', 'bookinfo'],
      ['*.bookinfo.svc.cluster.local', 'bookinfo'],
      ['rev*', 'bookinfo'],
      ['reviews', 'odd.ns'],
      ['reviews', 'odd*'],
    ] as const) {
      expect(model.lookup(host, ns).fqdn).toBe(qualify(host, ns));
    }
    // A namespace with a dot is no cluster namespace: not judged by the rendered namespaces.
    expect(model.lookup('reviews', 'odd.ns')).toMatchObject({ found: false, outOfView: false });
    // `rev*` in bookinfo is a wildcard that covers reviews.
    expect(model.lookup('rev*', 'bookinfo')).toMatchObject({ found: true, fqdn: 'rev*.bookinfo.svc.cluster.local' });
  });

  it('resolves without a registry and without ServiceEntries', () => {
    const bare = buildModel(
      parse(`apiVersion: apps/v1
kind: Deployment
metadata: { name: w, namespace: shop }
spec: { template: { metadata: { labels: { app: w } }, spec: { containers: [{ name: c, image: "i:1" }] } } }
`),
    );
    expect(bare.lookup('cart', 'shop')).toEqual({ found: false, fqdn: 'cart.shop.svc.cluster.local', outOfView: false });
    expect(bare.lookup('cart', 'web')).toEqual({ found: false, fqdn: 'cart.web.svc.cluster.local', outOfView: true });
  });
});

describe('resource index', () => {
  it('keeps namespaces in first-seen order when resources of one namespace come in runs', () => {
    const cm = (name: string, ns?: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}${ns ? `, namespace: ${ns}` : ''} }
`;
    const model = buildModel(parse([cm('a', 'b'), cm('b', 'b'), cm('c'), cm('d', 'a'), cm('e', 'b'), cm('f', 'c'), cm('g', 'a')].join('---\n')));
    expect([...model.namespaces]).toEqual(['b', 'a', 'c', 'default']);
    expect(model.byKind('ConfigMap').map((r) => r.object.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('collects the workloads of every workload kind, and only those, in resource order', () => {
    const model = buildModel(
      parse(`apiVersion: v1
kind: Pod
metadata: { name: p, namespace: x, labels: { app: p } }
spec: { containers: [{ name: c, image: "i:1" }] }
---
apiVersion: v1
kind: Service
metadata: { name: s, namespace: y }
spec: { ports: [{ name: http, port: 80 }] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: j, namespace: x }
spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: j } }, spec: { containers: [{ name: c, image: "i:1" }] } } } } }
---
apiVersion: v1
kind: Pod
metadata: { name: q, namespace: z }
spec: { containers: [{ name: c, image: "i:1" }] }
`),
    );
    expect(model.workloads.map((w) => `${w.kind} ${w.ns}/${w.name}`)).toEqual(['Pod x/p', 'CronJob x/j', 'Pod z/q']);
    expect(model.workloadsIn('x').map((w) => w.name)).toEqual(['p', 'j']);
    // Hosts of y (a Service) and z (a workload) are judged; those of w (nothing rendered) are not.
    expect(model.lookup('s', 'y')).toMatchObject({ found: true });
    expect(model.lookup('t', 'z')).toMatchObject({ found: false, outOfView: false });
    expect(model.lookup('t', 'w')).toMatchObject({ found: false, outOfView: true });
  });
});

describe('visibility', () => {
  const model = buildModel(
    parse(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: everything, namespace: sandbox }
spec: { hosts: ["*"], exportTo: ["."], ports: [{ number: 80, name: http }] }
---
apiVersion: v1
kind: Service
metadata: { name: details, namespace: bookinfo, annotations: { networking.istio.io/exportTo: "., frontend" } }
spec: { selector: { app: details }, ports: [{ name: http, port: 9080 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { template: { metadata: { labels: { app: web } }, spec: { containers: [] } } }
`),
  );

  it('a namespace-private ServiceEntry for every host resolves hosts in its own namespace only', () => {
    expect(model.lookup('anything.example.com', 'sandbox')).toMatchObject({ found: true });
    expect(model.lookup('cart', 'shop')).toMatchObject({ found: false, outOfView: false });
  });

  it('a Service annotated with exportTo is seen from the namespaces it names, and hidden elsewhere', () => {
    expect(model.lookup('details.bookinfo.svc.cluster.local', 'frontend')).toMatchObject({ found: true });
    expect(model.lookup('details', 'bookinfo')).toMatchObject({ found: true });
    const hidden = model.lookup('details.bookinfo.svc.cluster.local', 'shop');
    expect(hidden).toMatchObject({ found: false, outOfView: false });
    expect(hidden.found === false && hidden.hidden?.res.object.metadata.name).toBe('details');
  });

  it('seen by any of several client namespaces, and by every namespace (`*`) only when public', () => {
    expect(model.lookup('details.bookinfo.svc.cluster.local', 'bookinfo', ['shop', 'frontend'])).toMatchObject({ found: true });
    expect(model.lookup('details.bookinfo.svc.cluster.local', 'bookinfo', ['*'])).toMatchObject({ found: false });
  });
});

describe('endpoint labels', () => {
  it("adds the labels of the pod's Node, as istiod does", () => {
    const model = buildModel(
      parse(`apiVersion: v1
kind: Pod
metadata: { name: p, namespace: x, labels: { app: p } }
spec: { nodeName: n1, containers: [] }
---
apiVersion: v1
kind: Node
metadata: { name: n1, labels: { topology.kubernetes.io/region: eu, topology.kubernetes.io/zone: eu-1a, other: x } }
`),
    );
    expect(model.workloads[0]!.endpointLabels).toEqual({
      app: 'p',
      'topology.kubernetes.io/region': 'eu',
      'topology.kubernetes.io/zone': 'eu-1a',
      'kubernetes.io/hostname': 'n1',
    });
  });
});
