// istiod's admission checks (validate/admission.ts): each case asserts the rule id, the resource, the pointer
// and the value the hint proposes; the valid cases are values istiod 1.24 accepts.
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { validateResourcesAsync } from '../../tooling/src/lib/validate/index.ts';
import { parseGoDuration } from '../../tooling/src/lib/go-duration.ts';

async function check(text: string) {
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return validateResourcesAsync(parsed.resources);
}

/** A VirtualService `ratings` with one HTTP rule whose extra lines are `rule` (indented under `- `). */
function vs(rule: string, route = '        - destination: { host: ratings }'): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: bookinfo }
spec:
  hosts: [ratings]
  http:
    - route:
${route}
${rule
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => `      ${l}`)
  .join('\n')}
`;
}

const REF = 'VirtualService bookinfo/ratings';
const shape = (findings: Awaited<ReturnType<typeof check>>) => findings.map((f) => [f.rule, f.resource, f.pointer, f.hint]);

describe('durations as istiod parses them', () => {
  it.each([
    ['timeout: "abc"', '/spec/http/0/timeout', 'Write a Go duration: a number and a unit (ms, s, m, h), e.g. `timeout: 10s`, `500ms` or `1m30s`.'],
    ['timeout: "500"', '/spec/http/0/timeout', 'Add a unit: `timeout: 500ms`.'],
    ['timeout: 500', '/spec/http/0/timeout', 'Write it with a unit: `timeout: 500ms` (a bare number is not a duration, and quoting it does not make one).'],
    ['timeout: "-1s"', '/spec/http/0/timeout', 'Use a positive duration, e.g. `timeout: 1s`.'],
    ['timeout: 0s', '/spec/http/0/timeout', 'Use a positive duration, e.g. `timeout: 1s`.'],
    ['timeout: 500us', '/spec/http/0/timeout', 'Use a positive duration, e.g. `timeout: 1s`.'],
    ['timeout: 1.0005s', '/spec/http/0/timeout', 'Round it: `timeout: 1.001s`.'],
    ['timeout: 1h30', '/spec/http/0/timeout', 'Write a Go duration: a number and a unit (ms, s, m, h), e.g. `timeout: 10s`, `500ms` or `1m30s`.'],
    ['retries: { attempts: 2, perTryTimeout: 2 }', '/spec/http/0/retries/perTryTimeout', 'Write it with a unit: `perTryTimeout: 2s` (a bare number is not a duration, and quoting it does not make one).'],
    ['corsPolicy: { allowOrigins: [{ exact: "https://a" }], maxAge: 1.5s }', '/spec/http/0/corsPolicy/maxAge', 'Round it: `maxAge: 2s`.'],
  ])('%s is rejected, with one finding that proposes a valid value', async (rule, pointer, hint) => {
    expect(shape(await check(vs(rule)))).toEqual([['istio-duration-invalid', REF, pointer, hint]]);
  });

  it('gives `fixedDelay: 7` one finding and one hint', async () => {
    const findings = await check(vs('fault: { delay: { fixedDelay: 7, percentage: { value: 100 } } }'));
    expect(shape(findings)).toEqual([
      ['istio-duration-invalid', REF, '/spec/http/0/fault/delay/fixedDelay', 'Write it with a unit: `fixedDelay: 7s` (a bare number is not a duration, and quoting it does not make one).'],
    ]);
  });

  it.each(['timeout: 0.5s', 'timeout: 1m', 'timeout: 1m30s', 'timeout: 1ms', 'timeout: .5s', 'timeout: 2h45m', 'timeout: "+3s"'])('accepts %s', async (rule) => {
    expect(await check(vs(rule))).toEqual([]);
  });

  it('parses like Go, errors included', () => {
    expect(parseGoDuration('1m30s')).toEqual({ ok: true, ns: 90_000_000_000n });
    expect(parseGoDuration('1.5h')).toEqual({ ok: true, ns: 5_400_000_000_000n });
    expect(parseGoDuration('-0')).toEqual({ ok: true, ns: 0n });
    expect(parseGoDuration('3µs')).toEqual({ ok: true, ns: 3000n });
    expect(parseGoDuration('500')).toEqual({ ok: false, error: 'time: missing unit in duration "500"' });
    expect(parseGoDuration('5x')).toEqual({ ok: false, error: 'time: unknown unit "x" in duration "5x"' });
    expect(parseGoDuration('.')).toEqual({ ok: false, error: 'time: invalid duration "."' });
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'time: invalid duration ""' });
    expect(parseGoDuration('9999999999h')).toEqual({ ok: false, error: 'time: invalid duration "9999999999h"' });
  });
});

describe('weights, percentages, status codes, retries and ports', () => {
  it.each([
    ['a negative weight', '', '        - destination: { host: ratings, subset: v1 }\n          weight: -5\n        - destination: { host: ratings, subset: v2 }\n          weight: 105', 'istio-weight-invalid', '/spec/http/0/route/0/weight', 'Use `weight: 5` or 0; weights are relative shares.'],
    ['weights that add up to 0', '', '        - destination: { host: ratings, subset: v1 }\n          weight: 0\n        - destination: { host: ratings, subset: v2 }', 'istio-weight-invalid', '/spec/http/0/route', 'Give the destinations their shares, e.g. `weight: 50` each.'],
    ['a delay for 101%', 'fault: { delay: { fixedDelay: 7s, percentage: { value: 101 } } }', undefined, 'istio-percentage-range', '/spec/http/0/fault/delay/percentage/value', 'Use `value: 100` (every matching request).'],
    ['an abort for -1%', 'fault: { abort: { httpStatus: 500, percentage: { value: -1 } } }', undefined, 'istio-percentage-range', '/spec/http/0/fault/abort/percentage/value', 'Use `value: 0`.'],
    ['an abort for 0.00001%', 'fault: { abort: { httpStatus: 500, percentage: { value: 0.00001 } } }', undefined, 'istio-percentage-range', '/spec/http/0/fault/abort/percentage/value', 'Use `value: 0.0001`.'],
    ['mirroring 150%', 'mirror: { host: ratings }\nmirrorPercentage: { value: 150 }', undefined, 'istio-percentage-range', '/spec/http/0/mirrorPercentage/value', 'Use `value: 100`.'],
    ['abort status 1000', 'fault: { abort: { httpStatus: 1000, percentage: { value: 10 } } }', undefined, 'istio-http-status', '/spec/http/0/fault/abort/httpStatus', 'Use a status such as `httpStatus: 503` (service unavailable) or 500.'],
    ['abort status 600', 'fault: { abort: { httpStatus: 600 } }', undefined, 'istio-http-status', '/spec/http/0/fault/abort/httpStatus', 'Use a status such as `httpStatus: 503` (service unavailable) or 500.'],
    ['abort status 199', 'fault: { abort: { httpStatus: 199 } }', undefined, 'istio-http-status', '/spec/http/0/fault/abort/httpStatus', 'Use a status such as `httpStatus: 503` (service unavailable) or 500.'],
    ['a fault with neither abort nor delay', 'fault: {}', undefined, 'istio-fault-invalid', '/spec/http/0/fault', 'Add `delay: {fixedDelay: 7s, percentage: {value: 100}}` or `abort: {httpStatus: 500, percentage: {value: 100}}`, or remove `fault`.'],
    ['negative retry attempts', 'retries: { attempts: -1 }', undefined, 'istio-retry-invalid', '/spec/http/0/retries/attempts', 'Use `attempts: 0` to turn retries off, or e.g. `attempts: 3`.'],
    ['a retry policy without attempts', 'retries: { perTryTimeout: 2s }', undefined, 'istio-retry-invalid', '/spec/http/0/retries/attempts', 'Set `attempts: 3` (or another number above 0), or remove perTryTimeout, retryOn and retryRemoteLocalities.'],
    ['retryOn with a space', 'retries: { attempts: 3, retryOn: "5xx, reset" }', undefined, 'istio-retry-invalid', '/spec/http/0/retries/retryOn', 'Remove the spaces: `retryOn: 5xx,reset`.'],
    ['destination port 70000', '', '        - destination: { host: ratings, port: { number: 70000 } }', 'istio-port-range', '/spec/http/0/route/0/destination/port/number', 'Use the port number the Service declares in `spec.ports`, from 1 to 65535.'],
  ])('%s', async (_name, rule, route, id, pointer, hint) => {
    expect(shape(await check(vs(rule, route)))).toEqual([[id, REF, pointer, hint]]);
  });

  it.each([
    ['weights above 100 (they are relative)', '', '        - destination: { host: ratings, subset: v1 }\n          weight: 200\n        - destination: { host: ratings, subset: v2 }\n          weight: 50'],
    ['a delay for 100% and an abort for 0%', 'fault: { delay: { fixedDelay: 7s, percentage: { value: 100 } }, abort: { httpStatus: 503, percentage: { value: 0 } } }', undefined],
    ['retries with status codes and policies', 'retries: { attempts: 3, perTryTimeout: 2s, retryOn: "5xx,503,connect-failure,refused-stream" }', undefined],
    ['retries off', 'retries: { attempts: 0 }', undefined],
  ])('accepts %s', async (_name, rule, route) => {
    expect(await check(vs(rule, route))).toEqual([]);
  });

  it('says "a delay" and "an abort"', async () => {
    const findings = await check(vs('fault:\n  delay: { fixedDelay: 7s, percentage: { value: 120 } }\n  abort: { httpStatus: 500, percentage: { value: -1 } }'));
    expect(findings.map((f) => f.message)).toEqual([
      'the fault injects an abort for -1% of requests; istiod takes 0, or 0.0001 to 100.',
      'the fault injects a delay for 120% of requests; istiod takes 0, or 0.0001 to 100.',
    ]);
  });

  it("checks a DestinationRule's traffic policies, subsets and port settings", async () => {
    const findings = await check(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: bookinfo }
spec:
  host: reviews
  trafficPolicy:
    outlierDetection: { interval: "10", baseEjectionTime: 30s, maxEjectionPercent: 150 }
    portLevelSettings:
      - port: { number: 0 }
        connectionPool: { tcp: { connectTimeout: 0.5ms } }
  subsets:
    - name: v1
      labels: { version: v1 }
      trafficPolicy: { connectionPool: { http: { idleTimeout: 1m } } }
`);
    expect(findings.map((f) => [f.rule, f.resource, f.pointer])).toEqual([
      ['istio-duration-invalid', 'DestinationRule bookinfo/reviews', '/spec/trafficPolicy/outlierDetection/interval'],
      ['istio-percentage-range', 'DestinationRule bookinfo/reviews', '/spec/trafficPolicy/outlierDetection/maxEjectionPercent'],
      ['istio-duration-invalid', 'DestinationRule bookinfo/reviews', '/spec/trafficPolicy/portLevelSettings/0/connectionPool/tcp/connectTimeout'],
      ['istio-port-range', 'DestinationRule bookinfo/reviews', '/spec/trafficPolicy/portLevelSettings/0/port/number'],
    ]);
  });
});

describe('what the API server accepts', () => {
  it('leaves the status of an Istio kind open, as its CRD does', async () => {
    const findings = await check(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ext, namespace: bookinfo }
spec:
  hosts: [api.example.com]
  ports: [{ number: 443, name: https, protocol: HTTPS }]
  resolution: DNS
status:
  addresses: [{ value: 240.240.0.1 }]
  observedGeneration: 1
`);
    expect(findings).toEqual([]);
  });

  it('still checks the typed fields of that status', async () => {
    const findings = await check(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ext, namespace: bookinfo }
spec: { hosts: [api.example.com], resolution: DNS, ports: [{ number: 443, name: https, protocol: HTTPS }] }
status: { conditions: "ready" }
`);
    expect(findings.map((f) => [f.rule, f.resource, f.pointer])).toEqual([['schema', 'ServiceEntry bookinfo/ext', '/status/conditions']]);
  });

  it('drops a null field, as the API server does (an EnvoyFilter `match:` left empty)', async () => {
    const findings = await check(`apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: { name: ef, namespace: bookinfo }
spec:
  configPatches:
    - applyTo: HTTP_FILTER
      match:
      patch: { operation: MERGE, value: {} }
`);
    expect(findings).toEqual([]);
  });
});
