// Findings where the order of resources matters: several Services behind one wildcard DestinationRule,
// and Canary route conflicts.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function analyze(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources);
}

describe('DestinationRule subsets behind a wildcard host', () => {
  it('lists the pods of every Service the wildcard covers, once each, in resource order', () => {
    const deployment = (name: string, app: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: bookinfo }
spec:
  template:
    metadata: { labels: { app: ${app}, version: v1 } }
    spec: { containers: [{ name: c, image: "img:1" }] }
`;
    const service = (name: string, app: string) => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: bookinfo }
spec: { selector: { app: ${app} }, ports: [{ name: http, port: 9080 }] }
`;
    const findings = analyze(
      [
        deployment('ratings-v1', 'ratings'),
        service('reviews', 'reviews'),
        deployment('reviews-v1', 'reviews'),
        service('ratings', 'ratings'),
        service('ratings-alias', 'ratings'),
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: all, namespace: bookinfo }
spec:
  host: "*.bookinfo.svc.cluster.local"
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v9, labels: { version: v9 } }]
`,
      ].join('---\n'),
    ).filter((f) => f.rule === 'dr-subset-no-pods');
    expect(findings.map((f) => f.message)).toEqual([
      'DestinationRule bookinfo/all subset "v9" selects version=v9, which no pod of "*.bookinfo.svc.cluster.local" carries (workloads: ratings-v1, reviews-v1).',
    ]);
  });
});

describe('Canary route conflicts', () => {
  it('reports the hand-written objects in resource order, by host before name', () => {
    const findings = analyze(
      [
        `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo, namespace: test }
spec: { targetRef: { kind: Deployment, name: podinfo }, service: { port: 9898 } }
`,
        `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: other, namespace: test }
spec: { hosts: [example.com, podinfo-canary, podinfo], http: [{ route: [{ destination: { host: podinfo } }] }] }
`,
        `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: podinfo, namespace: test }
spec: { hosts: [example.org], http: [{ route: [{ destination: { host: podinfo } }] }] }
`,
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: podinfo-primary, namespace: test }
spec: { host: example.net }
`,
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: mine, namespace: test }
spec: { host: podinfo.test.svc.cluster.local }
`,
      ].join('---\n'),
    ).filter((f) => f.rule === 'canary-route-conflict');
    expect(findings.map((f) => [f.resource, f.pointer])).toEqual([
      ['VirtualService test/other', '/spec/hosts/1'],
      ['VirtualService test/podinfo', '/metadata/name'],
      ['DestinationRule test/podinfo-primary', '/metadata/name'],
      ['DestinationRule test/mine', '/spec/host'],
    ]);
  });
});
