// The analyzers index and memoise what the rules look up (hosts, DestinationRules, pods, Canary routes) and
// skip work that cannot produce a finding. These cases pin the findings where those shortcuts could differ
// from a plain scan: order, repeats, several Services behind one wildcard, and many matches in one rule set.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function analyze(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources);
}

function virtualService(name: string, http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: bookinfo }
spec:
  hosts: [${name}]
  http:
${http}`;
}

describe('repeated matches', () => {
  it('finds a match repeated with its fields in another order, naming the first rule that has it', () => {
    const findings = analyze(
      virtualService(
        'reviews',
        `    - match: [{ uri: { prefix: /a }, headers: { x: { exact: "1" } } }]
      route: [{ destination: { host: reviews } }]
    - match: [{ headers: { x: { exact: "1" } }, uri: { prefix: /a } }]
      route: [{ destination: { host: reviews } }]
    - match: [{ uri: { prefix: /a }, headers: { x: { exact: "1" } } }]
      route: [{ destination: { host: reviews } }]
`,
      ),
    ).filter((f) => f.rule === 'vs-ineffective-match');
    expect(findings.map((f) => f.pointer)).toEqual(['/spec/http/1/match/0', '/spec/http/2/match/0']);
    expect(findings.map((f) => f.message)).toEqual([
      'VirtualService bookinfo/reviews http rule 1 repeats match {"headers":{"x":{"exact":"1"}},"uri":{"prefix":"/a"}} of rule 0, so it never applies.',
      'VirtualService bookinfo/reviews http rule 2 repeats match {"headers":{"x":{"exact":"1"}},"uri":{"prefix":"/a"}} of rule 0, so it never applies.',
    ]);
  });

  it('does not report matches on the same field with different values, nor a repeat within one rule', () => {
    const findings = analyze(
      virtualService(
        'reviews',
        `    - match: [{ uri: { prefix: /a } }, { uri: { prefix: /a } }]
      route: [{ destination: { host: reviews } }]
    - match: [{ uri: { prefix: /b } }]
      route: [{ destination: { host: reviews } }]
`,
      ),
    );
    expect(findings.filter((f) => f.rule === 'vs-ineffective-match')).toEqual([]);
  });

  it('still finds a repeat among many matches', () => {
    const rules = Array.from({ length: 40 }, (_, i) => `    - match: [{ uri: { prefix: /p${i % 30} } }]\n      route: [{ destination: { host: reviews } }]\n`);
    const findings = analyze(virtualService('reviews', rules.join(''))).filter((f) => f.rule === 'vs-ineffective-match');
    expect(findings.map((f) => f.pointer)).toEqual(Array.from({ length: 10 }, (_, i) => `/spec/http/${30 + i}/match/0`));
  });
});

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
