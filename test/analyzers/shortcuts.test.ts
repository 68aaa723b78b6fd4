// The analyzers answer the common case of a large unit by shortcuts: a short host resolved without taking
// its qualified name apart, the latest namespace kept apart from the lookup maps, one scan of each match
// for the regex and shadowing checks (which then run only when they can find something), the weights
// reported only when wrong, and kinds classified once each. These cases pin the answers where a shortcut
// could differ from the plain path.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { buildModel, qualify } from '../../tooling/src/lib/analyzers/model.ts';
import { fieldHasRegex } from '../../tooling/src/lib/analyzers/regex.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function parse(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return parsed.resources;
}

function analyze(text: string) {
  return analyzeResources(parse(text));
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
    // Alternating namespaces exercises the kept-apart latest namespace both ways.
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

  it('takes the plain path for hosts and namespaces that are not plain labels, with the same names as qualify', () => {
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

describe('fieldHasRegex', () => {
  it('finds a regex StringMatch in the fields checkMatchRegexes checks, and nowhere else', () => {
    expect(fieldHasRegex('uri', { regex: '^/a' })).toBe(true);
    expect(fieldHasRegex('authority', { regex: '' })).toBe(true);
    expect(fieldHasRegex('uri', { prefix: '/a' })).toBe(false);
    expect(fieldHasRegex('uri', { regex: 7 })).toBe(false);
    expect(fieldHasRegex('uri', 'regex')).toBe(false);
    expect(fieldHasRegex('headers', { a: { exact: 'x' }, b: { regex: 'y' } })).toBe(true);
    expect(fieldHasRegex('queryParams', { q: { regex: 'y' } })).toBe(true);
    expect(fieldHasRegex('withoutHeaders', { q: { regex: 'y' } })).toBe(true);
    expect(fieldHasRegex('headers', { a: { exact: 'x' } })).toBe(false);
    expect(fieldHasRegex('headers', [{ regex: 'y' }])).toBe(false);
    expect(fieldHasRegex('headers', null)).toBe(false);
    expect(fieldHasRegex('sourceLabels', { regex: 'y' })).toBe(false);
    expect(fieldHasRegex('name', { regex: 'y' })).toBe(false);
  });
});

function virtualService(http: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
  http:
${http}`;
}

const ROUTE = '      route: [{ destination: { host: reviews } }]\n';

describe('one scan of the matches', () => {
  const rules = (findings: ReturnType<typeof analyze>) => findings.map((f) => `${f.rule} ${f.pointer}`);

  it('reports nothing for a catch-all that is the last rule', () => {
    expect(rules(analyze(virtualService(`    - match: [{ uri: { prefix: /a } }]\n${ROUTE}    - match: [{ name: only }]\n${ROUTE}`)))).toEqual([]);
  });

  it('finds the rules after a catch-all, whether it has no match, a match with only a name or null fields, or is no object', () => {
    for (const first of ['    - name: x\n', '    - match: [{ name: n }]\n', '    - match: [{ uri: null, name: n }]\n', '    - match: [7]\n']) {
      // The rules around it match on different fields, so that only the catch-all calls for the shadowing check.
      const findings = analyze(virtualService(`    - match: [{ authority: { exact: a } }]\n${ROUTE}${first}${ROUTE}    - match: [{ method: { exact: GET } }]\n${ROUTE}`));
      expect(rules(findings)).toEqual(['vs-unreachable-rule /spec/http/2']);
    }
    const notObject = analyze(virtualService(`    - 7\n    - match: [{ uri: { prefix: /b } }]\n${ROUTE}`));
    expect(rules(notObject)).toEqual(['vs-unreachable-rule /spec/http/1']);
  });

  it('checks the regexes of a rule whose regex is in a later match or a later header', () => {
    const findings = analyze(
      virtualService(`    - match: [{ uri: { prefix: /a } }, { headers: { a: { exact: x }, b: { regex: "(?=y)" } } }]\n${ROUTE}    - match: [{ queryParams: { q: { regex: "a[" } } }]\n${ROUTE}`),
    );
    expect(rules(findings)).toEqual(['vs-regex-invalid /spec/http/0/match/1/headers/b/regex', 'vs-regex-invalid /spec/http/1/match/0/queryParams/q/regex']);
  });

  it('still compares matches that set several fields', () => {
    const findings = analyze(
      virtualService(`    - match: [{ uri: { prefix: /a }, method: { exact: GET } }]\n${ROUTE}    - match: [{ method: { exact: GET }, uri: { prefix: /a } }]\n${ROUTE}`),
    );
    expect(rules(findings)).toEqual(['vs-ineffective-match /spec/http/1/match/0']);
  });
});

describe('weights, tallied while the destinations are read', () => {
  const weights = (route: string) =>
    analyze(virtualService(`    - route: ${route}\n`))
      .filter((f) => f.rule.includes('weight'))
      .map((f) => `${f.rule} ${f.pointer}`);

  it('reports only what is wrong', () => {
    expect(weights('[{ destination: { host: reviews }, weight: 100 }]')).toEqual([]);
    expect(weights('[{ destination: { host: reviews } }]')).toEqual([]);
    expect(weights('[{ destination: { host: reviews }, weight: null }]')).toEqual([]);
    expect(weights('[{ destination: { host: reviews }, weight: 60 }, { destination: { host: reviews }, weight: 40 }]')).toEqual([]);
    expect(weights('[]')).toEqual([]);
    expect(weights('[{ destination: { host: reviews }, weight: 90 }]')).toEqual(['vs-single-destination-weight /spec/http/0/route/0/weight']);
    expect(weights('[{ destination: { host: reviews }, weight: 60 }, { destination: { host: reviews } }]')).toEqual(['vs-weights-invalid /spec/http/0/route']);
    expect(weights('[7, { destination: { host: reviews }, weight: 100 }]')).toEqual([]);
    // Negative weights are istiod's rejection (validate's istio-weight-invalid), and stop the sum check.
    expect(weights('[{ destination: { host: reviews }, weight: 50 }, { destination: { host: reviews }, weight: -5 }, { weight: -1 }]')).toEqual([]);
    // A weight that is not a number is the schema's finding, even when the others add up wrong.
    expect(weights('[{ destination: { host: reviews }, weight: "80" }, { destination: { host: reviews }, weight: 10 }]')).toEqual([]);
  });
});
