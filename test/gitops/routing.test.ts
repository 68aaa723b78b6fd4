// Renders every exercise and checks, service by service, where a request with and without
// `end-user: jason` goes: the routing table of issue 2, so a wrong overlay fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { ROOT, missingSubsets, ofKind, render, routeOf } from './support.ts';

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

const CATALOGUE = 'apps/bookinfo/routing';

/** Repository-relative YAML files below `top`, sorted. */
function yamlFiles(top: string): string[] {
  return (readdirSync(join(ROOT, top), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** The VirtualServices written in each manifest file under `top` (kind, name and spec as written). */
function virtualServiceFiles(top: string): { file: string; count: number; services: { name: string; spec: string }[] }[] {
  return yamlFiles(top).flatMap((file) => {
    const { resources } = parseManifests(readFileSync(join(ROOT, file), 'utf8'), file);
    const services = resources
      .map((r) => r.object)
      .filter((o) => o.kind === 'VirtualService')
      .map((o) => ({ name: o.metadata.name ?? '', spec: JSON.stringify(o.spec) }));
    return services.length > 0 ? [{ file, count: resources.length, services }] : [];
  });
}

/** The catalogue entries an exercise's kustomization lists, as folder names under apps/bookinfo/routing. */
function routingEntries(id: string): string[] {
  const k = yaml.load(readFileSync(join(ROOT, 'exercises', id, 'kustomization.yaml'), 'utf8')) as { resources?: string[] };
  const prefix = `../../${CATALOGUE}/`;
  return (k.resources ?? []).filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
}

describe('the routing catalogue (apps/bookinfo/routing)', () => {
  const catalogue = readdirSync(join(ROOT, CATALOGUE), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

  it('holds every hand-written VirtualService once, one per file; exercises hold none of their own', () => {
    const files = [...virtualServiceFiles('apps'), ...virtualServiceFiles('exercises')];
    for (const f of files) expect(f.count, `${f.file} must hold exactly one resource`).toBe(1);
    const outside = files.map((f) => f.file).filter((f) => !f.startsWith(`${CATALOGUE}/`));
    // The ingress VirtualService belongs to the app itself; every mesh route comes from the catalogue.
    expect(outside).toEqual(['apps/bookinfo/base/virtual-service-bookinfo.yaml']);
    const seen = new Map<string, string>();
    for (const f of files) {
      for (const vs of f.services) {
        const key = `${vs.name} ${vs.spec}`;
        expect(seen.get(key), `${f.file} copies VirtualService ${vs.name} from ${seen.get(key)}`).toBeUndefined();
        seen.set(key, f.file);
      }
    }
    // Each folder is named after what it routes, starting with the service (= the VirtualService name).
    for (const entry of catalogue) {
      const vs = files.find((f) => f.file.startsWith(`${CATALOGUE}/${entry}/`));
      expect(vs?.file, entry).toBe(`${CATALOGUE}/${entry}/virtual-service-${entry}.yaml`);
      expect(entry.startsWith(`${vs?.services[0]?.name}-`), entry).toBe(true);
    }
  });

  it('gives each exercise exactly one entry per VirtualService it routes, and leaves no entry unused', async () => {
    const used = new Set<string>();
    for (const id of Object.keys(ROUTING)) {
      const entries = routingEntries(id);
      entries.forEach((e) => used.add(e));
      for (const e of entries) expect(catalogue, `exercises/${id} lists ${e}`).toContain(e);
      const meshRoutes = ofKind(await render(`exercises/${id}`), 'VirtualService')
        .filter((vs) => !(vs.spec as { gateways?: string[] }).gateways)
        .map((vs) => vs.metadata.name)
        .sort();
      const servicesListed = entries.map((e) => e.split('-')[0]).sort();
      expect(servicesListed, `exercises/${id}`).toEqual(meshRoutes);
      expect(new Set(servicesListed).size, `exercises/${id} lists two entries for one service`).toBe(servicesListed.length);
    }
    expect([...used].sort()).toEqual(catalogue);
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
