// Unreachable rules and ineffective matches, as istiod's validation finds them (analyzeUnreachable*Rules),
// for http, tcp and tls routes, with the extension that a match setting nothing takes every request.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

function shadowing(spec: string): string[] {
  const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
${spec}`;
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources)
    .filter((f) => f.rule === 'vs-unreachable-rule' || f.rule === 'vs-ineffective-match')
    .map((f) => `${f.rule} ${f.pointer}`);
}

const ROUTE = '      route: [{ destination: { host: reviews } }]\n';
const http = (...matches: string[]) => `  http:\n${matches.map((m) => `    - ${m}\n${ROUTE}`).join('')}`;

describe('repeated matches', () => {
  it('finds a match repeated with its fields in another order, and a rule all of whose matches repeat', () => {
    expect(
      shadowing(
        http(
          'match: [{ uri: { prefix: /a }, headers: { x: { exact: "1" } } }]',
          'match: [{ headers: { x: { exact: "1" } }, uri: { prefix: /a } }]',
          'match: [{ uri: { prefix: /b } }, { uri: { prefix: /a }, headers: { x: { exact: "1" } } }]',
        ),
      ),
    ).toEqual(['vs-ineffective-match /spec/http/1/match/0', 'vs-unreachable-rule /spec/http/1', 'vs-ineffective-match /spec/http/2/match/1']);
  });

  it('reports a repeat within one rule, and nothing for the same field with other values', () => {
    expect(shadowing(http('match: [{ uri: { exact: /a } }, { uri: { exact: /a } }]', 'match: [{ uri: { exact: /b } }]'))).toEqual([
      'vs-ineffective-match /spec/http/0/match/1',
    ]);
  });

  it('ignores the names of matches and fields left at their zero value', () => {
    expect(shadowing(http('match: [{ name: a, uri: { exact: /a } }]', 'match: [{ name: b, uri: { exact: /a }, ignoreUriCase: false }]'))).toEqual([
      'vs-ineffective-match /spec/http/1/match/0',
      'vs-unreachable-rule /spec/http/1',
    ]);
  });
});

describe('prefix overlap', () => {
  it('reports a longer prefix after a shorter one with the same other conditions', () => {
    expect(shadowing(http('match: [{ uri: { prefix: /debug } }]', 'match: [{ uri: { prefix: /debugs } }]'))).toEqual(['vs-ineffective-match /spec/http/1/match/0']);
  });

  it('not when the later match asks for more, another method, or the shorter prefix comes last', () => {
    expect(shadowing(http('match: [{ uri: { prefix: /debug } }]', 'match: [{ uri: { prefix: /debugs }, headers: { x: { exact: "1" } } }]'))).toEqual([]);
    expect(shadowing(http('match: [{ uri: { prefix: /debug }, method: { exact: GET } }]', 'match: [{ uri: { prefix: /debugs }, method: { exact: POST } }]'))).toEqual([]);
    expect(shadowing(http('match: [{ uri: { prefix: /debugs } }]', 'match: [{ uri: { prefix: /debug } }]'))).toEqual([]);
  });
});

describe('rules after one that takes every request', () => {
  it('reports nothing for a catch-all that is the last rule', () => {
    expect(shadowing(http('match: [{ uri: { prefix: /a } }]', 'match: [{ name: only }]'))).toEqual([]);
  });

  it('reports the rules after a rule without matches, or with a match that sets nothing', () => {
    for (const first of ['name: x', 'match: [{ name: n }]', 'match: [{ uri: null, name: n }]']) {
      expect(shadowing(http('match: [{ authority: { exact: a } }]', first, 'match: [{ method: { exact: GET } }]'))).toEqual(['vs-unreachable-rule /spec/http/2']);
    }
  });

  it('in tcp and tls routes too', () => {
    const tcp = `  tcp:\n    - route: [{ destination: { host: reviews } }]\n    - match: [{ port: 9080 }]\n${ROUTE}    - match: [{ port: 9080 }]\n${ROUTE}`;
    expect(shadowing(tcp)).toEqual(['vs-unreachable-rule /spec/tcp/1', 'vs-unreachable-rule /spec/tcp/2']);
    const tls = `  tls:\n    - match: [{ sniHosts: [a.example.com] }]\n${ROUTE}    - match: [{ sniHosts: [a.example.com] }, { sniHosts: [b.example.com] }]\n${ROUTE}`;
    expect(shadowing(tls)).toEqual(['vs-ineffective-match /spec/tls/1/match/0']);
  });
});
