// JSON Schemas for Flagger's kinds (flagger.app/v1beta1: Canary, MetricTemplate, AlertProvider), written by
// this project to accept and reject what the API server does with the CRDs of Flagger 1.40.0 installed
// (fluxcd/flagger, charts/flagger/crds/crd.yaml at tag v1.40.0): the same types, required fields, enums,
// patterns and oneOf alternatives, field for field. FLAGGER_VERSION names that release; a test keeps it
// equal to the chart version in apps/flagger/. Where Kubernetes ignores a CRD keyword (`format: url`,
// `format: string`, `format: int32` on strings and integers) it is left out; date-time formats on `status`
// are left out too (status is written by Flagger, not by this repository). Objects list their properties and
// leave additionalProperties unset: the strict layer (strict.ts) reports keys the validator never read, as
// kubectl's strict field validation does. Checks the CRD cannot express (a target that exists, weights that
// add up, durations Go can parse) are analyzer rules (analyzers/flagger.ts).

type Schema = Record<string, unknown>;

/** The Flagger release whose CRDs these schemas follow; must equal the chart version in apps/flagger/. */
export const FLAGGER_VERSION = '1.40.0';

export const FLAGGER_KINDS = ['Canary', 'MetricTemplate', 'AlertProvider'] as const;

const str: Schema = { type: 'string' };
// Kubernetes `type: number` takes integers and decimals alike; `type: integer` only whole numbers.
const num: Schema = { type: 'number' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const stringList: Schema = { type: 'array', items: str };
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: 'object', properties, ...extra });
/** Unanchored at the end as in the CRD: `1m30s` and `500ms` pass, `1h` and `1.5m` do not. */
export const CRD_DURATION_PATTERN = '^[0-9]+(m|s)';
const crdDuration: Schema = { type: 'string', pattern: CRD_DURATION_PATTERN };
const metadataMaps = obj({ labels: stringMap, annotations: stringMap });

/** A ref with apiVersion, kind (one of `kinds`) and name, all required. */
const objectRef = (kinds: string[], more: Record<string, Schema> = {}): Schema =>
  obj({ apiVersion: str, kind: { type: 'string', enum: kinds }, name: str, ...more }, { required: ['apiVersion', 'kind', 'name'] });

const required = (...keys: string[]): Schema => ({ required: keys });

/** Istio's StringMatch as the CRD writes it: at most one of the forms (none is allowed). */
function stringMatch(forms: string[] = ['exact', 'prefix', 'regex']): Schema {
  return obj(Object.fromEntries(forms.map((f) => [f, str])), {
    oneOf: [{ not: { anyOf: forms.map((f) => required(f)) } }, ...forms.map((f) => required(f))],
  });
}

/** The CRD's StringMatch for `analysis.match[].headers`: exactly one form, `suffix` included. */
const headerMatch: Schema = obj(
  { exact: str, prefix: str, suffix: str, regex: str },
  { oneOf: ['exact', 'prefix', 'suffix', 'regex'].map((f) => required(f)) },
);

const stringMatchMap = (match: Schema): Schema => ({ type: 'object', additionalProperties: match });

/** `service.match`: Istio's HTTPMatchRequest as copied into Flagger's CRD. */
const httpMatchRequest: Schema = obj({
  authority: stringMatch(),
  gateways: stringList,
  headers: stringMatchMap(stringMatch()),
  ignoreUriCase: bool,
  method: stringMatch(),
  name: str,
  port: int,
  queryParams: stringMatchMap(stringMatch()),
  scheme: stringMatch(),
  sourceLabels: stringMap,
  sourceNamespace: str,
  uri: stringMatch(),
  withoutHeaders: stringMatchMap(stringMatch()),
});

/** `analysis.match`: the A/B testing conditions. */
const abMatch: Schema = obj({
  headers: stringMatchMap(headerMatch),
  queryParams: stringMatchMap(stringMatch()),
  sourceLabels: stringMap,
});

const headerOps = obj({ add: stringMap, remove: stringList, set: stringMap });

const dnsSubdomainOrEmpty = '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const kindName = '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$';
const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };

const dnsSubdomain = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/**
 * Gateway API's BackendObjectReference. The CRD's CEL rule "Must have port for Service reference" runs after
 * the defaults (group "", kind Service) are applied, so a ref that leaves both out needs a port too.
 */
const backendRef: Schema = obj(
  {
    group: { type: 'string', maxLength: 253, pattern: dnsSubdomainOrEmpty },
    kind: { type: 'string', minLength: 1, maxLength: 63, pattern: kindName },
    name: { type: 'string', minLength: 1, maxLength: 253 },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: dnsLabel },
    port,
  },
  {
    required: ['name'],
    if: { properties: { group: { const: '' }, kind: { const: 'Service' } } },
    then: { required: ['port'] },
  },
);

/** Gateway API's ParentReference, for `service.gatewayRefs`. */
const parentRef: Schema = obj(
  {
    group: { type: 'string', maxLength: 253, pattern: dnsSubdomainOrEmpty },
    kind: { type: 'string', minLength: 1, maxLength: 63, pattern: kindName },
    name: { type: 'string', minLength: 1, maxLength: 253 },
    namespace: { type: 'string', minLength: 1, maxLength: 63, pattern: dnsLabel },
    sectionName: { type: 'string', minLength: 1, maxLength: 253, pattern: dnsSubdomain },
    port,
  },
  { required: ['name'] },
);

const corsPolicy = obj({
  allowCredentials: bool,
  allowHeaders: stringList,
  allowMethods: stringList,
  allowOrigin: stringList,
  allowOrigins: {
    type: 'array',
    items: obj({ exact: str, prefix: str, regex: str }, { oneOf: [required('exact'), required('prefix'), required('regex')] }),
  },
  exposeHeaders: stringList,
  maxAge: str,
});

const consistentHash = obj({
  httpCookie: obj({ name: str, path: str, ttl: str }),
  httpHeaderName: str,
  httpQueryParameterName: str,
  minimumRingSize: int,
  useSourceIp: bool,
});

const trafficPolicy = obj({
  connectionPool: obj({
    http: obj({
      h2UpgradePolicy: { type: 'string', enum: ['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'] },
      http1MaxPendingRequests: int,
      http2MaxRequests: int,
      idleTimeout: str,
      maxRequestsPerConnection: int,
      maxRetries: int,
    }),
  }),
  loadBalancer: obj(
    {
      consistentHash,
      localityLbSetting: obj({
        distribute: { type: 'array', items: obj({ from: str, to: { type: 'object', additionalProperties: int } }) },
        enabled: bool,
        failover: { type: 'array', items: obj({ from: str, to: str }) },
      }),
      simple: { type: 'string', enum: ['ROUND_ROBIN', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'LEAST_REQUEST'] },
      warmupDurationSecs: str,
    },
    {
      // Either `simple`, or a `consistentHash` that sets exactly one of its hash keys.
      oneOf: [
        required('simple'),
        {
          required: ['consistentHash'],
          properties: {
            consistentHash: { oneOf: ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'].map((k) => required(k)) },
          },
        },
      ],
    },
  ),
  outlierDetection: obj({
    baseEjectionTime: str,
    consecutive5xxErrors: int,
    consecutiveErrors: int,
    consecutiveGatewayErrors: int,
    interval: str,
    maxEjectionPercent: int,
    minHealthPercent: int,
  }),
  tls: obj({
    caCertificates: str,
    clientCertificate: str,
    mode: { type: 'string', enum: ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] },
    privateKey: str,
    sni: str,
    subjectAltNames: stringList,
  }),
});

const service = obj(
  {
    name: str,
    port: num,
    portName: str,
    appProtocol: str,
    targetPort: { anyOf: [int, str] },
    portDiscovery: bool,
    timeout: str,
    meshName: str,
    backends: stringList,
    hosts: stringList,
    delegation: bool,
    match: { type: 'array', items: httpMatchRequest },
    retries: obj({ attempts: int, perTryTimeout: str, retryOn: str }),
    rewrite: obj({ uri: str, authority: str, type: str }),
    mirror: { type: 'array', items: obj({ backendRef }, { required: ['backendRef'] }) },
    headers: obj({ request: headerOps, response: headerOps }),
    gateways: stringList,
    gatewayRefs: { type: 'array', maxItems: 32, items: parentRef },
    corsPolicy,
    trafficPolicy,
    apex: metadataMaps,
    primary: metadataMaps,
    canary: metadataMaps,
  },
  { required: ['port'] },
);

const metric = obj(
  {
    name: str,
    interval: crdDuration,
    threshold: num,
    thresholdRange: obj({ min: num, max: num }),
    // Deprecated in favour of a MetricTemplate, still run by 1.40 (analyzer rule canary-metric-inline-query).
    query: str,
    templateRef: obj({ name: str, namespace: str }, { required: ['name'] }),
    templateVariables: stringMap,
  },
  { required: ['name'] },
);

const alert = obj(
  {
    name: str,
    severity: { type: 'string', enum: ['', 'info', 'warn', 'error'] },
    providerRef: obj({ name: str, namespace: str }, { required: ['name'] }),
  },
  { required: ['providerRef', 'name'] },
);

const webhook = obj(
  {
    name: str,
    type: {
      type: 'string',
      enum: ['', 'confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'event', 'rollback', 'confirm-traffic-increase'],
    },
    muteAlert: bool,
    url: str,
    timeout: crdDuration,
    retries: num,
    disableTLS: bool,
    metadata: stringMap,
  },
  { required: ['name', 'url'] },
);

/** The three progressions, of which an analysis sets exactly one (with interval and threshold). */
export const ANALYSIS_PROGRESSIONS = ['iterations', 'stepWeight', 'stepWeights'] as const;

const analysis = obj(
  {
    interval: crdDuration,
    iterations: num,
    threshold: num,
    maxWeight: num,
    stepWeight: num,
    stepWeights: { type: 'array', items: num },
    stepWeightPromotion: num,
    mirror: bool,
    mirrorWeight: num,
    primaryReadyThreshold: num,
    canaryReadyThreshold: num,
    match: { type: 'array', items: abMatch },
    metrics: { type: 'array', items: metric },
    alerts: { type: 'array', items: alert },
    webhooks: { type: 'array', items: webhook },
    // `primaryCookieName` only exists from Flagger 1.41.
    sessionAffinity: obj({ cookieName: str, maxAge: num }, { required: ['cookieName'] }),
  },
  { oneOf: ANALYSIS_PROGRESSIONS.map((p) => required('interval', 'threshold', p)) },
);

const condition = obj(
  { lastTransitionTime: str, lastUpdateTime: str, message: str, reason: str, status: str, type: str },
  { required: ['type', 'status', 'reason'] },
);

const canaryStatus = obj({
  phase: {
    type: 'string',
    enum: ['', 'Initializing', 'Initialized', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded', 'Failed', 'Terminating', 'Terminated'],
  },
  failedChecks: num,
  canaryWeight: num,
  iterations: num,
  trackedConfigs: stringMap,
  lastAppliedSpec: str,
  lastPromotedSpec: str,
  lastTransitionTime: str,
  sessionAffinityCookie: str,
  previousSessionAffinityCookie: str,
  conditions: { type: 'array', items: condition },
});

/** The envelope every kind shares; ObjectMeta is checked like every other kind's metadata (schemas.ts). */
const resource = (spec: Schema, status: Schema = { type: 'object' }): Schema =>
  obj({ apiVersion: str, kind: str, metadata: { type: 'object' }, spec, status });

export const CANARY_SCHEMA: Schema = resource(
  obj(
    {
      provider: str,
      metricsServer: str,
      progressDeadlineSeconds: num,
      targetRef: objectRef(['DaemonSet', 'Deployment', 'Service']),
      autoscalerRef: objectRef(['HorizontalPodAutoscaler', 'ScaledObject'], {
        primaryScalerQueries: stringMap,
        primaryScalerReplicas: obj({ minReplicas: { type: 'integer', minimum: 1 }, maxReplicas: { type: 'integer', minimum: 1 } }),
      }),
      ingressRef: objectRef(['Ingress']),
      routeRef: objectRef(['ApisixRoute']),
      upstreamRef: objectRef(['Upstream'], { namespace: str }),
      service,
      skipAnalysis: bool,
      revertOnDeletion: bool,
      suspend: bool,
      analysis,
    },
    { required: ['targetRef', 'service', 'analysis'] },
  ),
  canaryStatus,
);

export const METRIC_TEMPLATE_SCHEMA: Schema = resource(
  obj(
    {
      provider: obj(
        {
          type: {
            type: 'string',
            enum: ['prometheus', 'influxdb', 'datadog', 'stackdriver', 'cloudwatch', 'newrelic', 'graphite', 'dynatrace', 'keptn', 'splunk'],
          },
          address: str,
          secretRef: obj({ name: str }, { required: ['name'] }),
          region: str,
          insecureSkipVerify: bool,
        },
        { required: ['type'] },
      ),
      query: str,
    },
    { required: ['provider', 'query'] },
  ),
);

export const ALERT_PROVIDER_SCHEMA: Schema = resource(
  obj(
    {
      type: { type: 'string', enum: ['slack', 'msteams', 'discord', 'rocket', 'gchat'] },
      channel: str,
      username: str,
      address: str,
      proxy: str,
      secretRef: obj({ name: str }, { required: ['name'] }),
    },
    // Exactly one of the two: a provider with both `address` and `secretRef` matches both and is rejected.
    { oneOf: [required('type', 'address'), required('type', 'secretRef')] },
  ),
);

export const FLAGGER_SCHEMAS: Record<(typeof FLAGGER_KINDS)[number], Schema> = {
  Canary: CANARY_SCHEMA,
  MetricTemplate: METRIC_TEMPLATE_SCHEMA,
  AlertProvider: ALERT_PROVIDER_SCHEMA,
};
