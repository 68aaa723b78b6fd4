// Silencing: an annotation on the resource a finding is about marks it silenced, and nothing else.
import { describe, expect, it } from 'vitest';
import { analyzeResources, meshAnalyzer, silencedRules } from '../../tooling/src/lib/analyzers/index.ts';
import { isAtLeast } from '../../tooling/src/lib/findings.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function vs(annotations: string): string {
  return `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: bookinfo }
spec:
  selector: { app: reviews }
  ports: [{ name: web, port: 9080 }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
  annotations: ${annotations}
spec:
  hosts: [reviews]
  http:
    - route:
        - destination: { host: reviewz }
    - route:
        - destination: { host: reviews }
`;
}

function analyze(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources);
}

function byRule(findings: ReturnType<typeof analyze>) {
  return Object.fromEntries(findings.map((f) => [f.rule, f.silenced === true]));
}

describe('silencing', () => {
  it('reports every finding unsilenced without annotations', () => {
    expect(byRule(analyze(vs('{}')))).toEqual({ 'vs-host-not-found': false, 'vs-unreachable-rule': false, 'service-port-name': false });
  });

  it('silences only the listed rules, only on the annotated resource', () => {
    const findings = analyze(vs(`{ mesh-workshop.dev/ignore-rules: "vs-unreachable-rule, service-port-name", mesh-workshop.dev/ignore-reason: "test" }`));
    // service-port-name is about the Service, which carries no annotation, so it stays active.
    expect(byRule(findings)).toEqual({ 'vs-host-not-found': false, 'vs-unreachable-rule': true, 'service-port-name': false });
    const silenced = findings.find((f) => f.rule === 'vs-unreachable-rule');
    expect(silenced && isAtLeast(silenced, 'info')).toBe(false);
  });

  it("honours istioctl's galley.istio.io/analyze-suppress codes", () => {
    const findings = analyze(vs(`{ galley.istio.io/analyze-suppress: "IST0101", mesh-workshop.dev/ignore-reason: "test" }`));
    expect(byRule(findings)).toEqual({ 'vs-host-not-found': true, 'vs-unreachable-rule': false, 'service-port-name': false });
  });

  it('maps a suppress code to every rule that carries it, and `*` to all', () => {
    const res = parseManifests(vs(`{ galley.istio.io/analyze-suppress: "IST0130" }`), 'x.yaml').resources[1]!;
    expect([...silencedRules(res)]).toEqual(['vs-unreachable-rule']);
    const all = parseManifests(vs(`{ galley.istio.io/analyze-suppress: "*" }`), 'x.yaml').resources[1]!;
    expect(silencedRules(all).size).toBeGreaterThan(30);
  });

  it('reports an unknown id in ignore-rules with the nearest rule, and still silences the known ones', () => {
    const findings = analyze(vs(`{ mesh-workshop.dev/ignore-rules: "vs-unreachable-rule vs-host-not-fuond schema", mesh-workshop.dev/ignore-reason: "test" }`));
    const unknown = findings.filter((f) => f.rule === 'ignore-rules-unknown');
    expect(unknown.map((f) => f.message)).toEqual([
      'VirtualService bookinfo/reviews mesh-workshop.dev/ignore-rules lists "vs-host-not-fuond", which is no mesh analyzer rule, so it silences nothing. Did you mean "vs-host-not-found"?',
      'VirtualService bookinfo/reviews mesh-workshop.dev/ignore-rules lists "schema", which is no mesh analyzer rule, so it silences nothing.',
    ]);
    expect(unknown.every((f) => f.severity === 'warning' && f.pointer === '/metadata/annotations/mesh-workshop.dev~1ignore-rules')).toBe(true);
    expect(byRule(findings)['vs-unreachable-rule']).toBe(true);
  });

  it('warns when a silence gives no reason, and counts the silenced finding all the same', () => {
    const findings = analyze(vs(`{ mesh-workshop.dev/ignore-rules: vs-unreachable-rule }`));
    const missing = findings.filter((f) => f.rule === 'ignore-reason-missing');
    expect(missing.map((f) => [f.resource, f.severity, f.silenced])).toEqual([['VirtualService bookinfo/reviews', 'warning', undefined]]);
    expect(missing[0]?.message).toContain('silences vs-unreachable-rule with mesh-workshop.dev/ignore-rules but has no mesh-workshop.dev/ignore-reason');
    expect(byRule(findings)['vs-unreachable-rule']).toBe(true);
  });

  it('never lets the annotations silence their own checks', () => {
    const own = analyze(vs(`{ mesh-workshop.dev/ignore-rules: "ignore-reason-missing, ignore-rules-unknown, nope" }`));
    expect(byRule(own)).toMatchObject({ 'ignore-reason-missing': false, 'ignore-rules-unknown': false });
    const all = analyze(vs(`{ galley.istio.io/analyze-suppress: "*" }`));
    expect(byRule(all)).toMatchObject({ 'ignore-reason-missing': false, 'vs-host-not-found': true });
  });

  it('meshAnalyzer runs the same analysis on a rendered unit', async () => {
    const parsed = parseManifests(vs('{}'), 'inline.yaml');
    const findings = await meshAnalyzer({ source: 'inline.yaml', kind: 'file', resources: parsed.resources }, { root: '.' });
    expect(findings).toEqual(analyzeResources(parsed.resources));
  });
});
