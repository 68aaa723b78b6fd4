// Routing messages and edge cases that the fixture folders cannot express: the wording of a finding,
// and values of the wrong type that belong to the schema check.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function analyze(http: string) {
  const text = `apiVersion: v1
kind: Service
metadata: { name: ratings, namespace: bookinfo }
spec:
  selector: { app: ratings }
  ports: [{ name: http, port: 9080 }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: bookinfo }
spec:
  hosts: [ratings]
  http:
${http}`;
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources);
}

describe('route weights', () => {
  const weights = (a: string, b: string) =>
    analyze(`    - route:
        - destination: { host: ratings }
          weight: ${a}
        - destination: { host: ratings }
          weight: ${b}
`).filter((f) => f.rule === 'vs-weights-invalid');

  it('leave a weight that is not a number to the schema finding instead of adding it up as 0', () => {
    expect(weights('"80"', '20')).toEqual([]);
    // A negative weight is istiod's rejection, reported by validate as istio-weight-invalid
    // (test/validate/admission.test.ts), not a second time here.
    expect(weights('"80"', '-5')).toEqual([]);
    expect(weights('110', '-10')).toEqual([]);
  });

  it('still add up numbers, and treat a missing weight as 0', () => {
    expect(weights('80', '30').map((f) => f.message)).toEqual([
      'VirtualService bookinfo/ratings splits a route 80 + 30 = 110, not 100 (an unset weight counts as 0).',
    ]);
    expect(weights('null', '20').map((f) => f.message)).toEqual([
      'VirtualService bookinfo/ratings splits a route unset + 20 = 20, not 100 (an unset weight counts as 0).',
    ]);
  });
});

describe('dotted hosts', () => {
  it('say what to write when only DNS would have completed the host', () => {
    const findings = analyze(`    - route:
        - destination: { host: ratings.bookinfo }
    - route:
        - destination: { host: ratings.other }
`).filter((f) => f.rule === 'vs-host-not-found');
    expect(findings.map((f) => f.message)).toEqual([
      'VirtualService bookinfo/ratings routes to host "ratings.bookinfo", which matches no Service or ServiceEntry (looked for ratings.bookinfo). Istio does not complete a host with a dot as DNS does: write "ratings.bookinfo.svc.cluster.local" (or the short name from its own namespace).',
      'VirtualService bookinfo/ratings routes to host "ratings.other", which matches no Service or ServiceEntry (looked for ratings.other).',
    ]);
  });
});

describe('weights', () => {
  const weights = (route: string) =>
    analyze(`    - route: ${route}\n`)
      .filter((f) => f.rule.includes('weight'))
      .map((f) => `${f.rule} ${f.pointer}`);

  it('reports only what is wrong', () => {
    expect(weights('[{ destination: { host: ratings }, weight: 100 }]')).toEqual([]);
    expect(weights('[{ destination: { host: ratings } }]')).toEqual([]);
    expect(weights('[{ destination: { host: ratings }, weight: null }]')).toEqual([]);
    expect(weights('[{ destination: { host: ratings }, weight: 60 }, { destination: { host: ratings }, weight: 40 }]')).toEqual([]);
    expect(weights('[]')).toEqual([]);
    expect(weights('[{ destination: { host: ratings }, weight: 90 }]')).toEqual(['vs-single-destination-weight /spec/http/0/route/0/weight']);
    expect(weights('[{ destination: { host: ratings }, weight: 60 }, { destination: { host: ratings } }]')).toEqual(['vs-weights-invalid /spec/http/0/route']);
    expect(weights('[7, { destination: { host: ratings }, weight: 100 }]')).toEqual([]);
    // Negative weights are istiod's rejection (validate's istio-weight-invalid), and stop the sum check.
    expect(weights('[{ destination: { host: ratings }, weight: 50 }, { destination: { host: ratings }, weight: -5 }, { weight: -1 }]')).toEqual([]);
    // A weight that is not a number is the schema's finding, even when the others add up wrong.
    expect(weights('[{ destination: { host: ratings }, weight: "80" }, { destination: { host: ratings }, weight: 10 }]')).toEqual([]);
  });
});

describe('regexes', () => {
  it('are checked in every match of a rule and every header of a match', () => {
    const findings = analyze(
      `    - match: [{ uri: { prefix: /a } }, { headers: { a: { exact: x }, b: { regex: "(?=y)" } } }]\n      route: [{ destination: { host: ratings } }]\n    - match: [{ queryParams: { q: { regex: "a[" } } }]\n      route: [{ destination: { host: ratings } }]\n`,
    );
    expect(findings.map((f) => `${f.rule} ${f.pointer}`)).toEqual(['vs-regex-invalid /spec/http/0/match/1/headers/b/regex', 'vs-regex-invalid /spec/http/1/match/0/queryParams/q/regex']);
  });
});
