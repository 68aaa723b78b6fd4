// The analyzers and the simulator read one model, so they give one answer. The case that once split them:
// a DestinationRule for reviews without subset v2 and a `*.local` one with it. Istio applies the one for
// reviews itself, so a route to reviews v2 gets 503 from Envoy.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { simulate } from '../../tooling/src/lib/simulate/engine.ts';
import { bookinfo, callGraph } from '../simulate/helpers.ts';

const OVERLAY = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: bookinfo }
spec:
  host: reviews.bookinfo.svc.cluster.local
  subsets:
    - { name: v1, labels: { version: v1 } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: everything, namespace: bookinfo }
spec:
  host: "*.local"
  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
  http:
    - route:
        - destination: { host: reviews, subset: v2 }
`;

function resources() {
  const overlay = parseManifests(OVERLAY, 'overlay.yaml').resources;
  const key = (r: (typeof overlay)[number]) => `${r.object.kind}/${r.object.metadata.namespace}/${r.object.metadata.name}`;
  const replaced = new Set(overlay.map(key));
  return [...bookinfo().filter((r) => !replaced.has(key(r))), ...overlay];
}

describe('validate and simulate agree on which DestinationRule applies', () => {
  it('validate reports the missing subset', () => {
    const findings = analyzeResources(resources()).filter((f) => f.rule === 'vs-subset-not-found');
    expect(findings.map((f) => [f.resource, f.pointer])).toEqual([['VirtualService bookinfo/reviews', '/spec/http/0/route/0/destination/subset']]);
    expect(findings[0]!.message).toContain('DestinationRule bookinfo/reviews defines no such subset');
  });

  it('simulate predicts the 503 Envoy gives, for every user', async () => {
    const result = simulate(resources(), await callGraph(), { target: 't', users: [null, 'jason'] });
    for (const user of result.users) {
      expect(user.outcomes.map((o) => o.outcome)).toEqual(['reviews-error']);
      expect(user.outcomes[0]!.reason).toContain('subset v2 of reviews is not in DestinationRule bookinfo/reviews');
    }
  });
});
