// Flagger's kinds against the project's schemas, which follow Flagger 1.40.0's CRDs: a table of Canaries
// the API server accepts and one it rejects, each with the reason under 1.40.0, plus MetricTemplate and
// AlertProvider, and a pin of the schema version to the chart the repository installs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { validateResourcesAsync } from '../../tooling/src/lib/validate/index.ts';
import { FLAGGER_VERSION } from '../../tooling/src/lib/validate/flagger.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Cases edit nested fields of a plain parsed resource; typing each path would hide what the case changes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Obj = Record<string, any>;

function baseCanary(): Obj {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 },
    },
  };
}

async function findingsOf(resource: Obj) {
  const { resources } = parseManifests(yaml.dump(resource), 'canary.yaml');
  return validateResourcesAsync(resources);
}

interface Case {
  name: string;
  /** Why Flagger 1.40.0's CRD accepts or rejects it. */
  reason: string;
  edit: (c: Obj) => void;
}

const VALID: Case[] = [
  { name: 'canary release with stepWeight and maxWeight', reason: 'interval, threshold and exactly one progression (stepWeight)', edit: () => undefined },
  {
    name: 'Gateway API gatewayRefs',
    reason: 'service.gatewayRefs is a list of ParentReferences; only name is required',
    edit: (c) => (c.spec.service.gatewayRefs = [{ name: 'gateway', namespace: 'istio-ingress' }]),
  },
  {
    name: 'gatewayRefs with group, kind, sectionName and port',
    reason: 'every ParentReference field matches its pattern and range',
    edit: (c) => (c.spec.service.gatewayRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', sectionName: 'https', port: 443 }]),
  },
  {
    name: 'App Mesh meshName and backends',
    reason: 'service.meshName is a string and service.backends a list of strings',
    edit: (c) => Object.assign(c.spec.service, { meshName: 'global', backends: ['backend.test', 'arn:aws:appmesh:eu-west-1:123:mesh/global/virtualService/b'] }),
  },
  {
    name: 'Gateway API mirror with a backendRef port',
    reason: 'service.mirror items need backendRef; a Service backend (the default kind) has its port',
    edit: (c) => (c.spec.service.mirror = [{ backendRef: { name: 'podinfo-shadow', port: 9898 } }]),
  },
  {
    name: 'Gloo upstreamRef with namespace',
    reason: 'upstreamRef has a namespace field and kind Upstream',
    edit: (c) => (c.spec.upstreamRef = { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', name: 'podinfo', namespace: 'gloo-system' }),
  },
  {
    name: 'webhook with disableTLS and an empty type',
    reason: 'webhooks[].disableTLS is a boolean and "" is in the type enum (it means rollout)',
    edit: (c) => (c.spec.analysis.webhooks = [{ name: 'load', url: 'https://tester/', type: '', disableTLS: true, timeout: '15s', retries: 2 }]),
  },
  {
    name: 'alert with an empty severity',
    reason: '"" is in the severity enum (it means info)',
    edit: (c) => (c.spec.analysis.alerts = [{ name: 'on-call', severity: '', providerRef: { name: 'slack', namespace: 'flagger' } }]),
  },
  {
    name: 'session affinity with cookieName and maxAge',
    reason: 'sessionAffinity requires cookieName; maxAge is a number',
    edit: (c) => (c.spec.analysis.sessionAffinity = { cookieName: 'flagger-cookie', maxAge: 21600 }),
  },
  {
    name: 'A/B testing with header and query matches',
    reason: 'iterations is the one progression; each header match sets exactly one of exact, prefix, suffix, regex',
    edit: (c) => {
      c.spec.analysis = {
        interval: '1m',
        threshold: 10,
        iterations: 10,
        match: [{ headers: { 'x-canary': { exact: 'insider' } } }, { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } }, { queryParams: { beta: { prefix: 'on' } }, sourceLabels: { app: 'front' } }],
      };
    },
  },
  {
    name: 'stepWeights instead of stepWeight',
    reason: 'stepWeights is the one progression',
    edit: (c) => {
      delete c.spec.analysis.stepWeight;
      c.spec.analysis.stepWeights = [1, 2, 10, 80];
    },
  },
  {
    name: 'durations that only start with minutes or seconds',
    reason: 'the CRD pattern ^[0-9]+(m|s) is not anchored at the end, so 1m30s and 500ms pass',
    edit: (c) => {
      c.spec.analysis.interval = '1m30s';
      c.spec.analysis.metrics = [{ name: 'request-duration', interval: '500ms', thresholdRange: { max: 500.5 } }];
    },
  },
  {
    name: 'blue/green with mirroring',
    reason: 'iterations with mirror and mirrorWeight; no stepWeight needed',
    edit: (c) => (c.spec.analysis = { interval: '30s', threshold: 2, iterations: 5, mirror: true, mirrorWeight: 100 }),
  },
  {
    name: 'metric with an inline query',
    reason: 'metrics[].query is in the CRD (deprecated in favour of MetricTemplate, still run by 1.40)',
    edit: (c) => (c.spec.analysis.metrics = [{ name: 'errors', query: 'sum(rate(http_requests_total[1m]))', threshold: 1 }]),
  },
  {
    name: 'HPA autoscalerRef with primary scaler replicas',
    reason: 'minReplicas and maxReplicas are integers of at least 1',
    edit: (c) =>
      (c.spec.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo', primaryScalerReplicas: { minReplicas: 2, maxReplicas: 4 } }),
  },
  {
    name: 'NGINX ingressRef and named targetPort',
    reason: 'ingressRef kind Ingress; targetPort is int-or-string',
    edit: (c) => {
      c.spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };
      c.spec.service.targetPort = 'http';
    },
  },
  {
    name: 'APISIX routeRef on a DaemonSet target',
    reason: 'routeRef kind ApisixRoute; targetRef kind DaemonSet is in the enum',
    edit: (c) => {
      c.spec.routeRef = { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'podinfo' };
      c.spec.targetRef.kind = 'DaemonSet';
    },
  },
  {
    name: 'Istio traffic policy, CORS, match, rewrite and headers',
    reason: 'each object uses only the fields the CRD copies from Istio, and each oneOf is satisfied',
    edit: (c) =>
      Object.assign(c.spec.service, {
        gateways: ['public-gateway.istio-system.svc.cluster.local'],
        hosts: ['app.example.com'],
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0s' } } } },
        corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'], maxAge: '24h' },
        match: [{ uri: { prefix: '/api' } }],
        rewrite: { uri: '/' },
        retries: { attempts: 3, perTryTimeout: '1s', retryOn: 'gateway-error' },
        headers: { request: { add: { 'x-some-header': 'value' } }, response: { remove: ['x-envoy-upstream-service-time'] } },
        timeout: '30s',
      }),
  },
];

interface Invalid extends Case {
  /** The pointer of the finding that rejects it. */
  pointer: string;
}

const INVALID: Invalid[] = [
  { name: 'analysis without threshold', reason: 'every oneOf branch of analysis requires threshold', pointer: '/spec/analysis/threshold', edit: (c) => delete c.spec.analysis.threshold },
  { name: 'analysis without interval', reason: 'every oneOf branch of analysis requires interval', pointer: '/spec/analysis/interval', edit: (c) => delete c.spec.analysis.interval },
  {
    name: 'analysis without a progression',
    reason: 'none of iterations, stepWeight, stepWeights: no oneOf branch matches',
    pointer: '/spec/analysis',
    edit: (c) => delete c.spec.analysis.stepWeight,
  },
  {
    name: 'analysis with iterations and stepWeight',
    reason: 'two oneOf branches match, and oneOf needs exactly one',
    pointer: '/spec/analysis',
    edit: (c) => (c.spec.analysis.iterations = 10),
  },
  { name: 'interval in hours', reason: '1h does not match ^[0-9]+(m|s)', pointer: '/spec/analysis/interval', edit: (c) => (c.spec.analysis.interval = '1h') },
  { name: 'decimal interval', reason: '1.5m does not match ^[0-9]+(m|s)', pointer: '/spec/analysis/interval', edit: (c) => (c.spec.analysis.interval = '1.5m') },
  {
    name: 'webhook timeout in hours',
    reason: 'webhooks[].timeout has the same pattern',
    pointer: '/spec/analysis/webhooks/0/timeout',
    edit: (c) => (c.spec.analysis.webhooks = [{ name: 'gate', url: 'http://gate/', timeout: '1h' }]),
  },
  {
    name: 'ingressRef of kind HTTPProxy',
    reason: 'ingressRef.kind enum is [Ingress]',
    pointer: '/spec/ingressRef/kind',
    edit: (c) => (c.spec.ingressRef = { apiVersion: 'projectcontour.io/v1', kind: 'HTTPProxy', name: 'podinfo' }),
  },
  {
    name: 'routeRef of kind HTTPRoute',
    reason: 'routeRef.kind enum is [ApisixRoute]',
    pointer: '/spec/routeRef/kind',
    edit: (c) => (c.spec.routeRef = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'podinfo' }),
  },
  {
    name: 'upstreamRef of kind Service',
    reason: 'upstreamRef.kind enum is [Upstream]',
    pointer: '/spec/upstreamRef/kind',
    edit: (c) => (c.spec.upstreamRef = { apiVersion: 'v1', kind: 'Service', name: 'podinfo' }),
  },
  {
    name: 'sessionAffinity without cookieName',
    reason: 'sessionAffinity requires cookieName',
    pointer: '/spec/analysis/sessionAffinity/cookieName',
    edit: (c) => (c.spec.analysis.sessionAffinity = { maxAge: 60 }),
  },
  {
    name: 'sessionAffinity.primaryCookieName',
    reason: 'primaryCookieName only exists from Flagger 1.41',
    pointer: '/spec/analysis/sessionAffinity/primaryCookieName',
    edit: (c) => (c.spec.analysis.sessionAffinity = { cookieName: 'c', primaryCookieName: 'p' }),
  },
  {
    name: 'primaryScalerReplicas.minReplicas 0',
    reason: 'minReplicas has minimum 1',
    pointer: '/spec/autoscalerRef/primaryScalerReplicas/minReplicas',
    edit: (c) =>
      (c.spec.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'podinfo', primaryScalerReplicas: { minReplicas: 0 } }),
  },
  {
    name: 'typo inside analysis.match',
    reason: 'a header match knows exact, prefix, suffix, regex only',
    pointer: '/spec/analysis/match/0/headers/x-canary/exct',
    edit: (c) => (c.spec.analysis.match = [{ headers: { 'x-canary': { exct: 'insider' } } }]),
  },
  {
    name: 'typo inside service.trafficPolicy',
    reason: 'trafficPolicy knows connectionPool, loadBalancer, outlierDetection, tls',
    pointer: '/spec/service/trafficPolicy/loadBalancr',
    edit: (c) => (c.spec.service.trafficPolicy = { loadBalancr: { simple: 'ROUND_ROBIN' } }),
  },
  {
    name: 'typo inside corsPolicy',
    reason: 'corsPolicy has no allowOrgins',
    pointer: '/spec/service/corsPolicy/allowOrgins',
    edit: (c) => (c.spec.service.corsPolicy = { allowOrgins: [{ exact: 'x' }] }),
  },
  {
    name: 'typo inside rewrite',
    reason: 'rewrite knows uri, authority, type',
    pointer: '/spec/service/rewrite/uir',
    edit: (c) => (c.spec.service.rewrite = { uir: '/' }),
  },
  { name: 'service without port', reason: 'service requires port', pointer: '/spec/service/port', edit: (c) => delete c.spec.service.port },
  { name: 'StatefulSet target', reason: 'targetRef.kind enum is DaemonSet, Deployment, Service', pointer: '/spec/targetRef/kind', edit: (c) => (c.spec.targetRef.kind = 'StatefulSet') },
  {
    name: 'misspelled webhook type',
    reason: 'pre-rolout is not in the webhook type enum',
    pointer: '/spec/analysis/webhooks/0/type',
    edit: (c) => (c.spec.analysis.webhooks = [{ name: 'gate', url: 'http://gate/', type: 'pre-rolout' }]),
  },
  {
    name: 'alert severity critical',
    reason: 'severity enum is "", info, warn, error',
    pointer: '/spec/analysis/alerts/0/severity',
    edit: (c) => (c.spec.analysis.alerts = [{ name: 'a', severity: 'critical', providerRef: { name: 'slack' } }]),
  },
  {
    name: 'mirror to a Service without a port',
    reason: 'the CRD rule "Must have port for Service reference" (group and kind default to "" and Service)',
    pointer: '/spec/service/mirror/0/backendRef/port',
    edit: (c) => (c.spec.service.mirror = [{ backendRef: { name: 'shadow' } }]),
  },
  {
    name: 'gatewayRefs namespace with capitals',
    reason: 'ParentReference namespace must be a DNS label',
    pointer: '/spec/service/gatewayRefs/0/namespace',
    edit: (c) => (c.spec.service.gatewayRefs = [{ name: 'gw', namespace: 'Istio_Ingress' }]),
  },
  { name: 'no analysis', reason: 'spec requires analysis in 1.40.0', pointer: '/spec/analysis', edit: (c) => delete c.spec.analysis },
  { name: 'stepWeight as a string', reason: 'stepWeight is a number', pointer: '/spec/analysis/stepWeight', edit: (c) => (c.spec.analysis.stepWeight = '10') },
  {
    name: 'two forms of one service.match string match',
    reason: 'a StringMatch sets at most one of exact, prefix, regex',
    pointer: '/spec/service/match/0/uri',
    edit: (c) => (c.spec.service.match = [{ uri: { exact: '/a', prefix: '/b' } }]),
  },
];

describe('Canary schema (Flagger 1.40.0)', () => {
  it('has at least 15 cases each way', () => {
    expect(VALID.length).toBeGreaterThanOrEqual(15);
    expect(INVALID.length).toBeGreaterThanOrEqual(15);
  });

  it.each(VALID.map((c) => [c.name, c] as const))('accepts: %s', async (_name, c) => {
    const canary = baseCanary();
    c.edit(canary);
    expect(await findingsOf(canary), c.reason).toEqual([]);
  });

  it.each(INVALID.map((c) => [c.name, c] as const))('rejects: %s', async (_name, c) => {
    const canary = baseCanary();
    c.edit(canary);
    const findings = await findingsOf(canary);
    expect(findings.map((f) => [f.rule, f.resource, f.pointer]), c.reason).toContainEqual(['schema', 'Canary test/podinfo', c.pointer]);
    for (const f of findings) expect(f.hint, `${f.pointer}: ${f.message}`).toBeTruthy();
  });

  it('explains the analysis oneOf by what is missing or surplus', async () => {
    const canary = baseCanary();
    canary.spec.analysis.iterations = 3;
    const [finding] = await findingsOf(canary);
    expect(finding?.message).toBe('"analysis" sets `iterations`, `stepWeight`; Flagger\'s CRD allows exactly one of `iterations`, `stepWeight`, `stepWeights`.');
  });

  it('proposes a duration the CRD pattern takes', async () => {
    const canary = baseCanary();
    canary.spec.analysis.interval = '1.5m';
    const [finding] = await findingsOf(canary);
    expect(finding).toMatchObject({ pointer: '/spec/analysis/interval', hint: 'Write `interval: 90s`.' });
  });
});

describe('MetricTemplate and AlertProvider schemas (Flagger 1.40.0)', () => {
  const template = (spec: Obj): Obj => ({ apiVersion: 'flagger.app/v1beta1', kind: 'MetricTemplate', metadata: { name: 'errors', namespace: 'test' }, spec });
  const provider = (spec: Obj): Obj => ({ apiVersion: 'flagger.app/v1beta1', kind: 'AlertProvider', metadata: { name: 'on-call', namespace: 'test' }, spec });

  it('accepts the shapes of Flagger\'s metrics and alerting docs', async () => {
    expect(await findingsOf(template({ provider: { type: 'prometheus', address: 'http://prometheus.istio-system:9090' }, query: 'sum(rate(x[{{ interval }}]))' }))).toEqual([]);
    expect(await findingsOf(template({ provider: { type: 'datadog', secretRef: { name: 'dd' }, insecureSkipVerify: true }, query: 'avg:x' }))).toEqual([]);
    expect(await findingsOf(provider({ type: 'slack', channel: 'alerts', username: 'flagger', secretRef: { name: 'slack-url' } }))).toEqual([]);
    expect(await findingsOf(provider({ type: 'msteams', address: 'https://outlook.office.com/webhook/x', proxy: 'http://proxy:3128' }))).toEqual([]);
  });

  it('rejects what the CRDs reject, with the pointer', async () => {
    const cases: [Obj, string, string][] = [
      [template({ provider: { type: 'prometheus' } }), 'MetricTemplate test/errors', '/spec/query'],
      [template({ provider: { type: 'victoria' }, query: 'x' }), 'MetricTemplate test/errors', '/spec/provider/type'],
      [template({ provider: { address: 'http://p' }, query: 'x' }), 'MetricTemplate test/errors', '/spec/provider/type'],
      [template({ provider: { type: 'prometheus', headers: { a: ['b'] } }, query: 'x' }), 'MetricTemplate test/errors', '/spec/provider/headers'],
      [provider({ type: 'slack' }), 'AlertProvider test/on-call', '/spec'],
      [provider({ type: 'slack', address: 'https://hooks', secretRef: { name: 's' } }), 'AlertProvider test/on-call', '/spec'],
      [provider({ type: 'pagerduty', address: 'https://x' }), 'AlertProvider test/on-call', '/spec/type'],
      [provider({ address: 'https://x' }), 'AlertProvider test/on-call', '/spec/type'],
    ];
    for (const [resource, ref, pointer] of cases) {
      const findings = await findingsOf(resource);
      expect(findings.map((f) => [f.rule, f.resource, f.pointer]), JSON.stringify(resource.spec)).toContainEqual(['schema', ref, pointer]);
    }
  });
});

describe('schema version', () => {
  it('follows the Flagger release the repository installs, on both engines', () => {
    const release = yaml.load(readFileSync(`${root}/apps/flagger/flux/release.yaml`, 'utf8')) as Obj;
    const application = yaml.load(readFileSync(`${root}/apps/flagger/argocd/application.yaml`, 'utf8')) as Obj;
    expect(release.spec.chart.spec.version).toBe(FLAGGER_VERSION);
    expect(application.spec.source.targetRevision).toBe(FLAGGER_VERSION);
  });
});
