// JSON Schema for Flagger's Canary (flagger.app/v1beta1), written by this project from Flagger's documented
// Canary spec ("How it works", "Deployment strategies", "Metrics analysis", "Webhooks", "Alerting" pages).
// Objects list their properties and leave additionalProperties unset: the strict layer (strict.ts) rejects
// keys the validator never read. Objects typed only as `object` are free-form on purpose (see docs/validate.md).

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const freeForm: Schema = { type: 'object' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const intOrString: Schema = { anyOf: [{ type: 'integer' }, { type: 'string' }] };
/** Go durations as Flagger parses them: `30s`, `1m`, `1m30s`, `500ms`. */
const duration: Schema = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };
const percent: Schema = { type: 'number', minimum: 0, maximum: 100 };

const objectRef = (kinds?: string[]): Schema => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'name'],
  properties: { apiVersion: str, kind: kinds ? { type: 'string', enum: kinds } : str, name: str },
});

const localRef: Schema = { type: 'object', required: ['name'], properties: { name: str, namespace: str } };

const headerOps: Schema = {
  type: 'object',
  properties: {
    request: { type: 'object', properties: { set: stringMap, add: stringMap, remove: { type: 'array', items: str } } },
    response: { type: 'object', properties: { set: stringMap, add: stringMap, remove: { type: 'array', items: str } } },
  },
};

const metric: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str,
    interval: duration,
    threshold: num,
    thresholdRange: { type: 'object', properties: { min: num, max: num } },
    templateRef: localRef,
    templateVariables: stringMap,
    query: str,
  },
};

const webhook: Schema = {
  type: 'object',
  required: ['name', 'url'],
  properties: {
    name: str,
    type: {
      type: 'string',
      enum: ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', 'confirm-promotion', 'post-rollout', 'rollback', 'event'],
    },
    url: str,
    timeout: duration,
    muteAlert: bool,
    metadata: stringMap,
    retries: int,
  },
};

const alert: Schema = {
  type: 'object',
  required: ['name', 'providerRef'],
  properties: { name: str, severity: { type: 'string', enum: ['info', 'warn', 'error'] }, providerRef: localRef },
};

const analysis: Schema = {
  type: 'object',
  required: ['interval'],
  properties: {
    interval: duration,
    iterations: { type: 'integer', minimum: 0 },
    threshold: { type: 'integer', minimum: 0 },
    maxWeight: percent,
    stepWeight: percent,
    stepWeights: { type: 'array', items: percent },
    stepWeightPromotion: percent,
    primaryReadyThreshold: percent,
    canaryReadyThreshold: percent,
    mirror: bool,
    mirrorWeight: percent,
    // Istio HTTPMatchRequest objects, validated by the VirtualService Flagger generates, not here.
    match: { type: 'array', items: freeForm },
    sessionAffinity: { type: 'object', properties: { cookieName: str, maxAge: int, primaryCookieName: str } },
    metrics: { type: 'array', items: metric },
    webhooks: { type: 'array', items: webhook },
    alerts: { type: 'array', items: alert },
  },
};

const service: Schema = {
  type: 'object',
  required: ['port'],
  properties: {
    name: str,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    portName: str,
    targetPort: intOrString,
    portDiscovery: bool,
    appProtocol: str,
    timeout: duration,
    hosts: { type: 'array', items: str },
    gateways: { type: 'array', items: str },
    delegation: bool,
    // Istio TrafficPolicy, CorsPolicy, HTTPRewrite and HTTPMatchRequest are copied into Istio objects as they are.
    trafficPolicy: freeForm,
    corsPolicy: freeForm,
    rewrite: freeForm,
    match: { type: 'array', items: freeForm },
    retries: { type: 'object', properties: { attempts: int, perTryTimeout: duration, retryOn: str } },
    headers: headerOps,
    primary: { type: 'object', properties: { labels: stringMap, annotations: stringMap } },
    canary: { type: 'object', properties: { labels: stringMap, annotations: stringMap } },
    apex: { type: 'object', properties: { labels: stringMap, annotations: stringMap } },
  },
};

export const CANARY_SCHEMA: Schema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: ['flagger.app/v1beta1'] },
    kind: { type: 'string', enum: ['Canary'] },
    // ObjectMeta is checked by the same rules as every other kind's metadata (see schemas.ts).
    metadata: freeForm,
    spec: {
      type: 'object',
      // Flagger's own CRD lets `analysis` be omitted; a Canary without it never shifts traffic, so this
      // project requires it.
      required: ['targetRef', 'service', 'analysis'],
      properties: {
        provider: str,
        metricsServer: str,
        targetRef: objectRef(['Deployment', 'DaemonSet', 'Service']),
        autoscalerRef: {
          type: 'object',
          required: ['apiVersion', 'kind', 'name'],
          properties: {
            apiVersion: str,
            kind: { type: 'string', enum: ['HorizontalPodAutoscaler', 'ScaledObject'] },
            name: str,
            primaryScalerReplicas: { type: 'object', properties: { minReplicas: int, maxReplicas: int } },
            primaryScalerQueries: stringMap,
          },
        },
        ingressRef: objectRef(),
        routeRef: objectRef(),
        upstreamRef: objectRef(),
        progressDeadlineSeconds: { type: 'integer', minimum: 0 },
        skipAnalysis: bool,
        suspend: bool,
        revertOnDeletion: bool,
        service,
        analysis,
      },
    },
    status: freeForm,
  },
};
