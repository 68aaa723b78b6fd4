// Renders every exercise and checks, service by service, where a request with and without
// `end-user: jason` goes: the routing table of issue 2, so a wrong overlay fails here.
import { describe, expect, it } from 'vitest';
import { missingSubsets, ofKind, render, routeOf } from './support.ts';

const SERVICES = ['productpage', 'reviews', 'ratings', 'details'] as const;
type Service = (typeof SERVICES)[number];
type Table = Record<Service, string>;

const ALL_V1: Table = { productpage: 'v1', reviews: 'v1', ratings: 'v1', details: 'v1' };
const NO_ROUTING: Table = { productpage: 'default', reviews: 'default', ratings: 'default', details: 'default' };

/** Per exercise: where an anonymous request and one from jason go. */
const ROUTING: Record<string, { anonymous: Table; jason: Table }> = {
  baseline: { anonymous: NO_ROUTING, jason: NO_ROUTING },
  'route-v1': { anonymous: ALL_V1, jason: ALL_V1 },
  'route-jason': { anonymous: ALL_V1, jason: { ...ALL_V1, reviews: 'v2' } },
  'shift-v1': { anonymous: ALL_V1, jason: ALL_V1 },
  'shift-50-v3': { anonymous: { ...ALL_V1, reviews: 'v1=50 v3=50' }, jason: { ...ALL_V1, reviews: 'v1=50 v3=50' } },
  'shift-v3': { anonymous: { ...ALL_V1, reviews: 'v3' }, jason: { ...ALL_V1, reviews: 'v3' } },
  'fault-delay': { anonymous: ALL_V1, jason: { ...ALL_V1, reviews: 'v2', ratings: 'v1 delay=7s@100' } },
  'fault-delay-fixed': {
    anonymous: { ...ALL_V1, reviews: 'v3' },
    jason: { ...ALL_V1, reviews: 'v3', ratings: 'v1 delay=7s@100' },
  },
  'fault-abort': { anonymous: ALL_V1, jason: { ...ALL_V1, reviews: 'v2', ratings: 'v1 abort=500@100' } },
  // Flagger owns reviews' routing in the canary steps; no hand-written VirtualService remains.
  canary: { anonymous: NO_ROUTING, jason: NO_ROUTING },
  'canary-v2': { anonymous: NO_ROUTING, jason: NO_ROUTING },
};

function table(objects: Awaited<ReturnType<typeof render>>, headers: Record<string, string>): Table {
  return Object.fromEntries(SERVICES.map((s) => [s, routeOf(objects, s, { headers })])) as Table;
}

describe('exercise routing', () => {
  for (const [id, want] of Object.entries(ROUTING)) {
    it(`${id} routes anonymous and jason requests as the workshop step says`, async () => {
      const objects = await render(`exercises/${id}`);
      expect(table(objects, {})).toEqual(want.anonymous);
      expect(table(objects, { 'end-user': 'jason' })).toEqual(want.jason);
      // Another signed-in user is treated like anonymous: only jason is special.
      expect(table(objects, { 'end-user': 'alice' })).toEqual(want.anonymous);
      expect(missingSubsets(objects)).toEqual([]);
    });
  }

  it('names each VirtualService after the service it routes, so promotion replaces instead of piling up', async () => {
    for (const id of Object.keys(ROUTING)) {
      const objects = await render(`exercises/${id}`);
      for (const vs of ofKind(objects, 'VirtualService')) {
        expect(vs.apiVersion).toBe('networking.istio.io/v1');
        const spec = vs.spec as { hosts: string[]; gateways?: string[] };
        if (spec.gateways) continue; // the ingress VirtualService `bookinfo`
        expect(spec.hosts, `${id}: VirtualService ${vs.metadata.name}`).toEqual([vs.metadata.name]);
      }
    }
  });

  it('keeps baseline free of VirtualServices for reviews, ratings and details, with v1-v3 subsets for reviews', async () => {
    const objects = await render('exercises/baseline');
    const names = ofKind(objects, 'VirtualService').map((v) => v.metadata.name);
    expect(names).toEqual(['bookinfo']);
    const reviews = ofKind(objects, 'DestinationRule').find((d) => d.metadata.name === 'reviews');
    expect((reviews?.spec as { subsets: { name: string }[] }).subsets.map((s) => s.name)).toEqual(['v1', 'v2', 'v3']);
  });

  it('places jason\u2019s fault rule before the default ratings rule (first match wins)', async () => {
    for (const id of ['fault-delay', 'fault-delay-fixed', 'fault-abort']) {
      const objects = await render(`exercises/${id}`);
      const ratings = ofKind(objects, 'VirtualService').find((v) => v.metadata.name === 'ratings');
      const http = (ratings?.spec as { http: { match?: unknown[]; fault?: unknown }[] }).http;
      expect(http, id).toHaveLength(2);
      expect(http[0]?.match, id).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
      expect(http[0]?.fault, id).toBeDefined();
      expect(http[1]?.match, id).toBeUndefined();
      expect(http[1]?.fault, id).toBeUndefined();
    }
  });
});

describe('the routing evaluator', () => {
  const vs = (http: unknown[]) => [
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews' }, spec: { hosts: ['reviews'], http } },
  ];

  it('takes the first rule whose match applies, and ignores gateway-only VirtualServices', () => {
    const objects = [
      ...vs([
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ]),
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'edge' }, spec: { hosts: ['reviews'], gateways: ['gw'], http: [] } },
    ];
    expect(routeOf(objects, 'reviews', { headers: { 'end-user': 'jason' } })).toBe('v2');
    expect(routeOf(objects, 'reviews')).toBe('v1');
  });

  it('reports a rule order mistake: a catch-all first hides jason\u2019s rule', () => {
    const objects = vs([
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
    ]);
    expect(routeOf(objects, 'reviews', { headers: { 'end-user': 'jason' } })).toBe('v1');
  });

  it('reports weights, faults, two VirtualServices for one host, and unknown subsets', () => {
    const objects = vs([
      {
        fault: { abort: { httpStatus: 503, percentage: { value: 10 } } },
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
          { destination: { host: 'reviews', subset: 'v9' }, weight: 20 },
        ],
      },
    ]);
    expect(routeOf(objects, 'reviews')).toBe('v1=80 v9=20 abort=503@10');
    expect(missingSubsets(objects)).toEqual(['reviews/v1', 'reviews/v9']);
    expect(() => routeOf([...objects, ...objects], 'reviews')).toThrow(/2 VirtualServices route reviews/);
  });
});
