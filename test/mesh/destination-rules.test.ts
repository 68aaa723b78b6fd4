// Which DestinationRules a client gets for a host: pilot's order (the client's namespace, then the host's
// namespace's exported rules, then the root namespace's), the most specific host within each, exportTo.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../tooling/src/lib/mesh/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

function rule(name: string, ns: string, host: string, exportTo?: string[]): string {
  const exp = exportTo ? `\n  exportTo: ${JSON.stringify(exportTo)}` : '';
  return `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n  host: "${host}"${exp}\n`;
}

function chosen(docs: string[], fqdn: string, clientNs: string): string[] {
  const model = buildModel(parseManifests(docs.join('---\n'), 'x.yaml').resources);
  return model.destinationRulesFor(fqdn, clientNs).map((dr) => `${dr.object.metadata.namespace}/${dr.object.metadata.name}`);
}

describe('destinationRulesFor', () => {
  it('takes the rules for exactly the host over a wildcard that covers it, merged', () => {
    const docs = [rule('dr0', 'bookinfo', '*.local'), rule('dr1', 'bookinfo', '*.bookinfo.svc.cluster.local'), rule('dr2', 'bookinfo', 'reviews'), rule('dr3', 'bookinfo', REVIEWS)];
    expect(chosen(docs, REVIEWS, 'bookinfo')).toEqual(['bookinfo/dr2', 'bookinfo/dr3']);
    expect(chosen(docs, 'ratings.bookinfo.svc.cluster.local', 'bookinfo')).toEqual(['bookinfo/dr1']);
    expect(chosen(docs, 'api.example.com', 'bookinfo')).toEqual([]);
  });

  it("looks in the client's own namespace first, even at a less specific host", () => {
    const docs = [rule('exact', 'bookinfo', REVIEWS), rule('mine', 'frontend', '*.local')];
    expect(chosen(docs, REVIEWS, 'frontend')).toEqual(['frontend/mine']);
    expect(chosen(docs, REVIEWS, 'bookinfo')).toEqual(['bookinfo/exact']);
  });

  it("then in the host's namespace, only what it exports to the client", () => {
    expect(chosen([rule('private', 'bookinfo', 'reviews', ['.'])], REVIEWS, 'frontend')).toEqual([]);
    expect(chosen([rule('to-frontend', 'bookinfo', 'reviews', ['frontend'])], REVIEWS, 'frontend')).toEqual(['bookinfo/to-frontend']);
    expect(chosen([rule('to-frontend', 'bookinfo', 'reviews', ['frontend'])], REVIEWS, 'bookinfo')).toEqual([]);
  });

  it('then in the root namespace; a rule in any other namespace never applies', () => {
    expect(chosen([rule('global', 'istio-system', '*.local')], REVIEWS, 'frontend')).toEqual(['istio-system/global']);
    expect(chosen([rule('elsewhere', 'other', REVIEWS)], REVIEWS, 'frontend')).toEqual([]);
  });

  it('a private rule of the root namespace applies to its own clients only', () => {
    const docs = [rule('root-private', 'istio-system', '*.local', ['.'])];
    expect(chosen(docs, REVIEWS, 'istio-system')).toEqual(['istio-system/root-private']);
    expect(chosen(docs, REVIEWS, 'frontend')).toEqual([]);
  });
});
