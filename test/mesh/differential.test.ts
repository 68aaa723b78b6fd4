// The analyzers and the simulator read one mesh model; this checks that they agree, on many small
// generated meshes: Services with and without an exportTo annotation, some versions deployed, DestinationRules
// for exact, short and wildcard hosts in the client's, the host's, the root and an unrelated namespace with
// every kind of exportTo, and a route to a host and subset. Where validate reports the destination's host or
// subset missing, the simulator predicts the 503 Envoy gives; where it reports neither, the simulator sends
// the request to the pods of the subset (or finds none, which validate reports as a subset without pods).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { buildMesh } from '../../tooling/src/lib/simulate/mesh.ts';
import { resolveEndpoints, routeRequest } from '../../tooling/src/lib/simulate/routing.ts';

const VERSIONS = ['v1', 'v2', 'v3'];

const destinationRule = fc.record({
  ns: fc.constantFrom('bookinfo', 'other', 'istio-system'),
  host: fc.constantFrom('reviews', 'reviews.bookinfo.svc.cluster.local', '*.bookinfo.svc.cluster.local', '*.local', '*', 'ratings'),
  exportTo: fc.constantFrom(undefined, ['.'], ['*'], ['bookinfo'], ['other'], ['~']),
  subsets: fc.subarray(VERSIONS),
});

const meshCase = fc.record({
  serviceExportTo: fc.constantFrom(undefined, '.', 'other', 'bookinfo,other'),
  deployed: fc.subarray(VERSIONS),
  rules: fc.array(destinationRule, { maxLength: 4 }),
  host: fc.constantFrom('reviews', 'reviews.bookinfo.svc.cluster.local', 'reviews.bookinfo', 'ratings'),
  subset: fc.constantFrom('v1', 'v2', 'v3', 'v4'),
});

type MeshCase = typeof meshCase extends fc.Arbitrary<infer T> ? T : never;

function manifests(c: MeshCase): string {
  const annotation = c.serviceExportTo === undefined ? '' : `, annotations: { networking.istio.io/exportTo: "${c.serviceExportTo}" }`;
  const docs = [
    `apiVersion: v1\nkind: Service\nmetadata: { name: reviews, namespace: bookinfo${annotation} }\nspec: { selector: { app: reviews }, ports: [{ name: http, port: 9080 }] }\n`,
    ...c.deployed.map(
      (v) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: reviews-${v}, namespace: bookinfo }\nspec:\n  template:\n    metadata: { labels: { app: reviews, version: ${v} } }\n    spec: { containers: [] }\n`,
    ),
    ...c.rules.map((r, i) => {
      const exportTo = r.exportTo ? `\n  exportTo: ${JSON.stringify(r.exportTo)}` : '';
      const subsets = r.subsets.map((v) => `{ name: ${v}, labels: { version: ${v} } }`).join(', ');
      return `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: dr${i}, namespace: ${r.ns} }\nspec:\n  host: "${r.host}"${exportTo}\n  subsets: [${subsets}]\n`;
    }),
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: reviews, namespace: bookinfo }\nspec:\n  hosts: [reviews]\n  http:\n    - route: [{ destination: { host: "${c.host}", subset: ${c.subset} } }]\n`,
  ];
  return docs.join('---\n');
}

describe('analyzers and simulator agree', () => {
  it('on the fate of a request to a subset, over generated meshes', () => {
    fc.assert(
      fc.property(meshCase, (c) => {
        const parsed = parseManifests(manifests(c), 'generated.yaml');
        expect(parsed.findings).toEqual([]);
        const findings = analyzeResources(parsed.resources);
        const onRoute = findings.filter((f) => f.resource === 'VirtualService bookinfo/reviews' && (f.rule === 'vs-host-not-found' || f.rule === 'vs-subset-not-found'));

        const mesh = buildMesh(parsed.resources);
        const decision = routeRequest(mesh, {
          host: 'reviews.bookinfo.svc.cluster.local',
          authority: 'reviews:9080',
          path: '/reviews/0',
          method: 'GET',
          query: {},
          headers: {},
          port: 9080,
          source: { labels: { app: 'productpage', version: 'v1' }, namespace: 'bookinfo' },
        });
        expect(decision.kind).toBe('route');
        if (decision.kind !== 'route') return;
        const [destination] = decision.destinations;
        const result = resolveEndpoints(mesh, destination!.host, destination!.subset, 'version', 'bookinfo');

        if (onRoute.length > 0) {
          // Envoy has no cluster for the host, or no such subset of it: 503.
          expect(result).toMatchObject({ ok: false, status: 503 });
          expect(result.ok === false && result.reason).not.toMatch(/no pods behind/);
        } else if (result.ok) {
          expect(new Set(result.endpoints.map((e) => e.version))).toEqual(new Set([c.subset]));
        } else {
          // The subset is defined but selects no pod: validate says so about the DestinationRule.
          expect(result.reason).toMatch(/no pods behind subset/);
          expect(findings.some((f) => f.rule === 'dr-subset-no-pods')).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
