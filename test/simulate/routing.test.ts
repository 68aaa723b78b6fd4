// Istio matching and route decisions on small fixtures: each match type, OR/AND, weights, faults, hosts.
import { describe, expect, it } from 'vitest';
import { buildMesh, fqdn } from '../../tooling/src/lib/simulate/mesh.ts';
import {
  resolveEndpoints,
  routeRequest,
  stringMatches,
  SimulationError,
  unmodelledFields,
  type HttpRequest,
} from '../../tooling/src/lib/simulate/routing.ts';
import { bookinfo, fixture } from './helpers.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

const mesh = buildMesh(bookinfo('matches.yaml'));
const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    host: REVIEWS,
    authority: 'reviews:9080',
    path: '/reviews/0',
    method: 'GET',
    query: {},
    headers: {},
    port: 9080,
    source: { labels: { app: 'productpage', version: 'v1' }, namespace: 'bookinfo' },
    ...overrides,
  };
}

function ruleFor(overrides: Partial<HttpRequest>): string | undefined {
  const d = routeRequest(mesh, request(overrides));
  return d.kind === 'route' || d.kind === 'direct-response' ? d.rule : d.kind;
}

describe('match types (first matching rule wins)', () => {
  it.each([
    ['header exact', { headers: { 'end-user': 'jason' } }, '"header-exact"'],
    ['header exact is case-sensitive', { headers: { 'end-user': 'Jason' } }, '"default"'],
    ['header prefix', { headers: { 'end-user': 'qa-anna' } }, '"header-prefix"'],
    ['header regex is a full match', { headers: { 'end-user': 'kim' } }, '"header-regex"'],
    ['header regex does not match a longer value', { headers: { 'end-user': 'kimberly' } }, '"default"'],
    ['withoutHeaders: header absent', { headers: { 'end-user': 'ann' } }, '"without-headers"'],
    ['withoutHeaders: header present excludes', { headers: { 'end-user': 'ann', 'x-beta': '1' } }, '"default"'],
    ['uri prefix', { path: '/reviews/9' }, '"uri-prefix"'],
    ['uri ignoreUriCase', { path: '/case' }, '"uri-ignore-case"'],
    ['method', { method: 'POST' }, '"method"'],
    ['query parameter exact', { query: { u: 'test' } }, '"query"'],
    ['query parameter prefix is unsupported by Istio', { query: { u: 'tex' } }, '"default"'],
    ['sourceLabels', { source: { labels: { app: 'productpage', version: 'v2' }, namespace: 'bookinfo' } }, '"source-labels"'],
    ['port', { port: 9081 }, '"port"'],
    ['match blocks are ORed (first)', { headers: { 'x-team': 'a' } }, '"or-blocks"'],
    ['match blocks are ORed (second)', { headers: { 'x-team': 'b' } }, '"or-blocks"'],
    ['conditions in a block are ANDed (both)', { headers: { 'x-a': '1' }, path: '/and' }, '"and-in-block"'],
    ['conditions in a block are ANDed (one missing)', { headers: { 'x-a': '1' } }, '"default"'],
    ['an empty header match checks presence', { headers: { 'x-debug': '' } }, '"header-present"'],
    ['nothing special falls to the default rule', {}, '"default"'],
  ])('%s', (_name, overrides, rule) => {
    expect(ruleFor(overrides as Partial<HttpRequest>)).toBe(rule);
  });

  it('earlier rules win over later ones that also match', () => {
    // jason also sends POST; header-exact comes first.
    expect(ruleFor({ headers: { 'end-user': 'jason' }, method: 'POST' })).toBe('"header-exact"');
  });
});

describe('string matching', () => {
  it('anchors RE2 regexes and supports (?i)', () => {
    expect(stringMatches({ regex: 'ja.*' }, 'jason')).toBe(true);
    expect(stringMatches({ regex: 'ja' }, 'jason')).toBe(false);
    expect(stringMatches({ regex: '(?i)JASON' }, 'jason')).toBe(true);
    // RE2 syntax JavaScript lacks, as Envoy runs it.
    expect(stringMatches({ regex: '[[:alpha:]]+\\pN' }, 'jason1')).toBe(true);
    expect(stringMatches({ regex: '(?P<user>ja)son' }, 'jason')).toBe(true);
    expect(stringMatches({ exact: 'x' }, undefined)).toBe(false);
  });

  it('reports an invalid regex with the file, the resource and a hint', () => {
    const { resources } = parseManifests(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: bookinfo}\nspec:\n  hosts: [reviews]\n  http:\n    - match: [{headers: {end-user: {regex: "ja(son"}}}]\n      route: [{destination: {host: reviews}}]\n',
      'bad.yaml',
    );
    const bad = buildMesh([...bookinfo(), ...resources]);
    expect(() => routeRequest(bad, request())).toThrow(SimulationError);
    expect(() => routeRequest(bad, request())).toThrow(/bad\.yaml: VirtualService bookinfo\/reviews spec\.http\[0\]\.match\[0\]\.headers\.end-user: regex "ja\(son" is invalid/);
  });
});

describe('route decisions', () => {
  it('splits by weight and defaults a lone destination to 100', () => {
    const d = routeRequest(buildMesh(bookinfo('reviews-50-v3.yaml')), request());
    expect(d.kind === 'route' && d.destinations.map((x) => [x.subset, x.probability])).toEqual([['v1', 0.5], ['v3', 0.5]]);
    const one = routeRequest(buildMesh(bookinfo('reviews-all-v3.yaml')), request());
    expect(one.kind === 'route' && one.destinations.map((x) => [x.subset, x.probability])).toEqual([['v3', 1]]);
  });

  it('reads fault delay and abort percentages; no percentage means no request', () => {
    const ratings = { ...request(), host: 'ratings.bookinfo.svc.cluster.local' };
    const delay = routeRequest(buildMesh(bookinfo('ratings-delay-50.yaml')), ratings);
    expect(delay.kind === 'route' && delay.delay).toEqual({ ms: 7000, probability: 0.5 });
    const abort = routeRequest(buildMesh(bookinfo('ratings-abort-500.yaml')), { ...ratings, headers: { 'end-user': 'jason' } });
    expect(abort.kind === 'route' && abort.abort).toEqual({ status: 500, probability: 1 });
    const none = routeRequest(buildMesh(bookinfo('faults-edge.yaml')), ratings);
    expect(none.kind === 'route' && none.delay).toEqual({ ms: 7000, probability: 0 });
  });

  it('reads timeout and retries, and falls back to Istio defaults', () => {
    const t = routeRequest(buildMesh(bookinfo('istio-timeout.yaml')), request());
    expect(t.kind === 'route' && t.timeoutMs).toBe(500);
    const r = routeRequest(buildMesh(bookinfo('istio-retries.yaml')), request());
    expect(r.kind === 'route' && r.retries).toEqual({ retries: 2, perTryTimeoutMs: 1000, retryOn: ['gateway-error', 'connect-failure'] });
    const plain = routeRequest(buildMesh(bookinfo()), request());
    expect(plain.kind === 'route' && plain.retries.retries).toBe(2);
    expect(plain.kind === 'route' && plain.timeoutMs).toBeUndefined();
  });

  it('returns no-route when a VirtualService has no matching rule', () => {
    const d = routeRequest(buildMesh(bookinfo('faults-edge.yaml')), request({ headers: { 'end-user': 'lee' } }));
    expect(d.kind).toBe('no-route');
  });

  it('does not apply gateway-bound VirtualServices to mesh traffic', () => {
    const d = routeRequest(mesh, { ...request(), host: 'productpage.bookinfo.svc.cluster.local' });
    expect(d.kind === 'route' && d.vs).toBeUndefined();
  });
});

describe('hosts and endpoints', () => {
  it('resolves short names in the namespace and keeps FQDNs', () => {
    expect(fqdn('reviews', 'bookinfo')).toBe(REVIEWS);
    expect(fqdn('reviews.other.svc.cluster.local', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
  });

  it('a VirtualService written with an FQDN routes the short name too', () => {
    const d = routeRequest(buildMesh(bookinfo('abort-retried.yaml')), { ...request(), host: 'ratings.bookinfo.svc.cluster.local' });
    expect(d.kind === 'route' && d.vs?.ref).toBe('VirtualService bookinfo/ratings');
  });

  it('takes the VirtualService with the most specific host: the exact name, else the longest wildcard, whatever the order', () => {
    const vs = (name: string, host: string, subset: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ${name}\n  namespace: bookinfo\nspec:\n  hosts: ["${host}"]\n` +
      `  http:\n  - route:\n    - destination:\n        host: ${REVIEWS}\n        subset: ${subset}\n`;
    const wildcards = [vs('everything', '*', 'v1'), vs('cluster', '*.svc.cluster.local', 'v1'), vs('namespace', '*.bookinfo.svc.cluster.local', 'v3')];
    const picked = (docs: string[]) => {
      const d = routeRequest(buildMesh([...bookinfo(), ...parseManifests(docs.join('---\n'), 'vs.yaml').resources]), request());
      return d.kind === 'route' ? d.vs?.ref : d.kind;
    };
    expect(picked(wildcards)).toBe('VirtualService bookinfo/namespace');
    expect(picked([...wildcards].reverse())).toBe('VirtualService bookinfo/namespace');
    expect(picked(wildcards.slice(0, 2))).toBe('VirtualService bookinfo/cluster');
    expect(picked([...wildcards, vs('exact', 'reviews', 'v2')])).toBe('VirtualService bookinfo/exact');
  });

  it('spreads a host over pods weighted by replicas, and narrows by subset labels', () => {
    const m = buildMesh(bookinfo());
    const all = resolveEndpoints(m, REVIEWS, undefined, 'version', 'bookinfo');
    expect(all.ok && all.endpoints.map((e) => [e.version, e.probability])).toEqual([['v1', 1 / 3], ['v2', 1 / 3], ['v3', 1 / 3]]);
    const v2 = resolveEndpoints(m, REVIEWS, 'v2', 'version', 'bookinfo');
    expect(v2.ok && v2.endpoints.map((e) => e.version)).toEqual(['v2']);
    const missing = resolveEndpoints(m, REVIEWS, 'v9', 'version', 'bookinfo');
    expect(missing).toEqual({ ok: false, status: 503, reason: 'subset v9 of reviews is not in DestinationRule bookinfo/reviews, the one Istio applies' });
  });

  it('models a Flagger Canary as a Service over the target Deployment', () => {
    const m = buildMesh(fixture('canary.yaml'));
    expect(m.services.get(REVIEWS)?.generatedBy).toBe('Canary bookinfo/reviews');
    const e = resolveEndpoints(m, REVIEWS, undefined, 'version', 'bookinfo');
    expect(e.ok && e.endpoints.map((x) => [x.workload.name, x.version])).toEqual([['reviews', 'v2']]);
  });
});

describe('rule fields the model does not apply', () => {
  it('lists header operations per side and destination, rewrite and mirrors; request header names lower-cased', () => {
    expect(unmodelledFields({
      headers: { request: { remove: ['End-User'], add: {} }, response: { set: { 'x-a': '1' } } },
      route: [{ destination: { host: 'reviews' } }, { destination: { host: 'reviews' }, headers: { request: { add: { 'X-B': '2' } } } }],
      rewrite: { uri: '/' },
      mirrors: [{ destination: { host: 'reviews' } }],
    })).toEqual([
      { field: 'headers.request.remove', requestHeaders: ['end-user'] },
      { field: 'headers.response.set', requestHeaders: [] },
      { field: 'route[1].headers.request.add', requestHeaders: ['x-b'] },
      { field: 'rewrite', requestHeaders: [] },
      { field: 'mirrors', requestHeaders: [] },
    ]);
    expect(unmodelledFields({ route: [{ destination: { host: 'reviews' } }], rewrite: {} })).toEqual([]);
  });

  it('records a fault combined with the rule\'s own timeout or retries', () => {
    const m = buildMesh(bookinfo('fault-with-timeout.yaml'));
    const reviews = routeRequest(m, request());
    expect(reviews.kind === 'route' && reviews.faultWith).toEqual(['timeout', 'retries']);
    const ratings = routeRequest(m, request({ host: 'ratings.bookinfo.svc.cluster.local', authority: 'ratings:9080' }));
    expect(ratings.kind === 'route' && ratings.faultWith).toBeUndefined();
  });

  it('does not count a timeout or retries that are turned off (timeout: 0s, attempts: 0)', () => {
    const resources = bookinfo('fault-with-timeout.yaml');
    const reviews = resources.find((r) => r.object.kind === 'VirtualService' && r.object.metadata.name === 'reviews');
    const rule = (reviews?.object.spec as { http: Record<string, unknown>[] }).http[0] as Record<string, unknown>;
    const withRule = (changes: Record<string, unknown>) => {
      const m = buildMesh(resources.map((r) => (r === reviews ? { ...r, object: { ...r.object, spec: { hosts: ['reviews'], http: [{ ...rule, ...changes }] } } } : r)));
      const decision = routeRequest(m, request());
      return decision.kind === 'route' ? decision.faultWith : 'not a route';
    };
    expect(withRule({})).toEqual(['timeout', 'retries']);
    expect(withRule({ timeout: '0s' })).toEqual(['retries']);
    expect(withRule({ retries: { attempts: 0 } })).toEqual(['timeout']);
    expect(withRule({ timeout: '0s', retries: { attempts: 0 } })).toBeUndefined();
  });
});
