// The catalog of mesh analyzer rules: stable ids, severities and the istioctl / Kiali codes they mirror.
// docs/rules.md documents each entry; a test keeps the two in step.
import type { Severity } from '../findings.ts';

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One line on what the rule catches. */
  summary: string;
  /** Default fix hint; a check may pass a more specific one. */
  hint: string;
  category: 'routing' | 'flagger' | 'workloads' | 'silencing';
  /** The matching `istioctl analyze` message code, where there is one. */
  istio?: string;
  /** The matching Kiali validation code, where there is one. */
  kiali?: string;
}

export const RULES = [
  // Mesh routing
  {
    id: 'vs-host-not-found',
    severity: 'error',
    category: 'routing',
    istio: 'IST0101',
    kiali: 'KIA1101',
    summary: 'A VirtualService route or mirror destination host matches no Service or ServiceEntry.',
    hint: 'Fix the host: a name without a dot resolves in the VirtualService namespace, one with a dot must be the full name (`reviews.bookinfo.svc.cluster.local`, not `reviews.bookinfo`). Or add the Service or ServiceEntry it needs.',
  },
  {
    id: 'vs-subset-not-found',
    severity: 'error',
    category: 'routing',
    istio: 'IST0101',
    kiali: 'KIA1107',
    summary: 'A destination names a subset that no DestinationRule for that host defines.',
    hint: 'Add the subset to the DestinationRule for the host, or route to a subset that exists.',
  },
  {
    id: 'vs-port-not-found',
    severity: 'error',
    category: 'routing',
    istio: 'IST0101',
    summary: 'A destination selects a port number the destination Service or ServiceEntry does not expose.',
    hint: 'Use one of the ports the Service declares in `spec.ports`.',
  },
  {
    id: 'vs-port-required',
    severity: 'error',
    category: 'routing',
    istio: 'IST0112',
    summary: 'A destination Service exposes several ports and the destination selects none.',
    hint: 'Set `destination.port.number` to the port the route is for.',
  },
  {
    id: 'vs-weights-invalid',
    severity: 'error',
    category: 'routing',
    summary: "The weights of a route's destinations do not add up to 100.",
    hint: 'Give every destination a weight from 0 to 100 so that together they add up to 100.',
  },
  {
    id: 'vs-single-destination-weight',
    severity: 'info',
    category: 'routing',
    kiali: 'KIA1104',
    summary: 'A route with a single destination carries a weight other than 100; Istio sends it all traffic anyway.',
    hint: 'Remove the weight, or set it to 100, so the file says what Envoy does.',
  },
  {
    id: 'vs-conflicting-mesh-host',
    severity: 'error',
    category: 'routing',
    istio: 'IST0109',
    kiali: 'KIA1106',
    summary: 'Two VirtualServices bound to the mesh gateway route the same host; only one of them takes effect.',
    hint: 'Merge the routes into one VirtualService per host (name it after the host), and delete the other.',
  },
  {
    id: 'vs-unreachable-rule',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0130',
    summary: 'An HTTP rule comes after a rule that matches every request, so it can never match.',
    hint: 'Move the catch-all rule (the one without `match`) to the end of `http`.',
  },
  {
    id: 'vs-ineffective-match',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0131',
    summary: 'An HTTP match repeats a match of an earlier rule, so the earlier rule always wins.',
    hint: 'Remove the repeated match, or change it so that it differs from the earlier one.',
  },
  {
    id: 'vs-gateway-not-found',
    severity: 'error',
    category: 'routing',
    istio: 'IST0101',
    kiali: 'KIA1102',
    summary: 'A VirtualService names a Gateway that is not in the rendered set.',
    hint: 'Fix the gateway name (`name` or `namespace/name`), or add the Gateway; use `mesh` for sidecar traffic.',
  },
  {
    id: 'vs-host-not-in-gateway',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0132',
    summary: 'A VirtualService host is not served by any server of the Gateway it is bound to.',
    hint: "Add the host to the Gateway's `servers[].hosts`, or change the VirtualService host to one the Gateway serves.",
  },
  {
    id: 'dr-host-not-found',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0174',
    kiali: 'KIA0202',
    summary: 'A DestinationRule is for a host that matches no Service or ServiceEntry.',
    hint: 'Fix `spec.host` (a name without a dot resolves in the DestinationRule namespace, one with a dot must be the full name), or delete the DestinationRule.',
  },
  {
    id: 'dr-subset-no-pods',
    severity: 'error',
    category: 'routing',
    istio: 'IST0173',
    kiali: 'KIA0203',
    summary: "A DestinationRule subset's labels select no pod of the host's workloads (requests to it get 503 UH).",
    hint: "Change the subset labels to match a workload's pod labels (usually `version`), or deploy that version.",
  },
  {
    id: 'dr-subset-no-labels',
    severity: 'warning',
    category: 'routing',
    kiali: 'KIA0209',
    summary: 'A DestinationRule subset has no labels, so it selects every pod of the host and is not a version.',
    hint: 'Give the subset the labels of the version it stands for, e.g. `version: v1`.',
  },
  {
    id: 'dr-duplicate-host',
    severity: 'warning',
    category: 'routing',
    kiali: 'KIA0201',
    summary: 'Two DestinationRules are for the same host; which one applies is not defined.',
    hint: 'Merge them into one DestinationRule per host.',
  },
  {
    id: 'service-port-name',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0118',
    summary: "A Service port's name (or `appProtocol`) names no protocol Istio knows (`<protocol>[-<suffix>]`).",
    hint: 'Name the port after its protocol (`http`, `http-web`, `grpc`, `tcp`, ...), or set `appProtocol`.',
  },
  {
    id: 'service-externalname-port-name',
    severity: 'warning',
    category: 'routing',
    istio: 'IST0150',
    summary: 'An ExternalName Service port is unnamed, named plain `tcp`, or named after no protocol Istio knows.',
    hint: 'Name the port after its protocol (`http`, `https`, `tls`, ...) or set `appProtocol`, so that Istio can route the external host by name.',
  },
  {
    id: 'vs-regex-invalid',
    severity: 'error',
    category: 'routing',
    summary: 'A VirtualService HTTP match `regex` is not valid RE2: it does not compile, or uses lookaround, backreferences, atomic groups or possessive quantifiers.',
    hint: 'Rewrite the regex in RE2 syntax, without lookaround, backreferences, atomic groups or possessive quantifiers (see the RE2 Syntax reference).',
  },
  // Flagger
  {
    id: 'canary-target-not-found',
    severity: 'error',
    category: 'flagger',
    summary: 'A Canary `targetRef` names no Deployment in the rendered set.',
    hint: 'Fix `spec.targetRef.name`, or add the Deployment to the same kustomization.',
  },
  {
    id: 'canary-route-conflict',
    severity: 'error',
    category: 'flagger',
    summary: 'A hand-written VirtualService or DestinationRule is for a host whose routing a Canary generates.',
    hint: 'Delete the hand-written object; Flagger owns the VirtualService and DestinationRules of a Canary host.',
  },
  {
    id: 'canary-weights-invalid',
    severity: 'error',
    category: 'flagger',
    summary: 'A Canary `stepWeight`, `stepWeights` or `maxWeight` is outside 1..100, or `stepWeight` exceeds `maxWeight`.',
    hint: 'Use weights from 1 to 100 with `stepWeight` no greater than `maxWeight` (e.g. 10 and 50).',
  },
  {
    id: 'canary-threshold-invalid',
    severity: 'error',
    category: 'flagger',
    summary: 'A Canary analysis `threshold` is below 1, so the first failed check rolls back or none ever does.',
    hint: 'Set `analysis.threshold` to a whole number of failed checks of at least 1, e.g. 5.',
  },
  {
    id: 'canary-interval-invalid',
    severity: 'error',
    category: 'flagger',
    summary: 'A Canary interval or webhook timeout is not a positive Go duration.',
    hint: 'Write durations as Go durations such as `30s`, `1m` or `1m30s`.',
  },
  {
    id: 'canary-port-not-exposed',
    severity: 'error',
    category: 'flagger',
    summary: "A Canary `service.targetPort` (or `service.port`) is not a port the target's containers expose.",
    hint: "Use a `containerPort` number or port name of the target Deployment's containers.",
  },
  {
    id: 'canary-webhook-host-not-found',
    severity: 'error',
    category: 'flagger',
    summary: 'A Canary webhook URL points at an in-cluster host that matches no Service in the rendered set.',
    hint: 'Point the URL at a rendered Service (`name`, `name.namespace` or `name.namespace.svc.cluster.local`), e.g. the load tester.',
  },
  {
    id: 'canary-metric-unknown',
    severity: 'error',
    category: 'flagger',
    summary: "A Canary metric is neither one of Flagger's built-ins nor backed by a MetricTemplate in the rendered set.",
    hint: 'Use `request-success-rate` or `request-duration`, or add a `templateRef` to a MetricTemplate that is rendered.',
  },
  {
    id: 'canary-metric-inline-query',
    severity: 'warning',
    category: 'flagger',
    summary: 'A Canary metric carries an inline Prometheus `query`, deprecated by Flagger in favour of a MetricTemplate.',
    hint: 'Move the query into a MetricTemplate (flagger.app/v1beta1, `spec.provider` and `spec.query`) and reference it with `templateRef: {name: <template>}`; keep `thresholdRange` on the metric.',
  },
  // Workloads
  {
    id: 'image-not-pinned',
    severity: 'warning',
    category: 'workloads',
    summary: 'A container image has no tag or digest, or uses `latest`.',
    hint: 'Pin the image to a version tag (e.g. `:1.20.2`) or a digest.',
  },
  {
    id: 'container-resources-missing',
    severity: 'warning',
    category: 'workloads',
    summary: 'A container lacks CPU or memory requests or limits.',
    hint: 'Set `resources.requests` and `resources.limits` for both `cpu` and `memory`.',
  },
  {
    id: 'workload-labels-missing',
    severity: 'warning',
    category: 'workloads',
    summary: "A Deployment's pod template lacks the `app` or `version` label that Istio telemetry and Kiali use.",
    hint: 'Add `app: <service>` and `version: <vN>` to `spec.template.metadata.labels`.',
  },
  {
    id: 'service-selector-no-match',
    severity: 'warning',
    category: 'workloads',
    summary: "A Service's selector matches no workload's pod labels, so it has no endpoints.",
    hint: "Fix `spec.selector` to match the workload's pod template labels.",
  },
  {
    id: 'namespace-injection-missing',
    severity: 'warning',
    category: 'workloads',
    istio: 'IST0102',
    summary: 'A Namespace has neither an `istio-injection` nor an `istio.io/rev` label, and the injector does not inject by default.',
    hint: 'Label the Namespace `istio-injection: enabled` (or `istio.io/rev: <revision>`); use `disabled` to opt out on purpose.',
  },
  // The silencing annotations themselves
  {
    id: 'ignore-rules-unknown',
    severity: 'warning',
    category: 'silencing',
    summary: 'A `mesh-workshop.dev/ignore-rules` annotation lists an id that is no mesh analyzer rule, so it silences nothing.',
    hint: 'Use the rule id a finding prints (see docs/rules.md), or remove the entry.',
  },
  {
    id: 'ignore-reason-missing',
    severity: 'warning',
    category: 'silencing',
    summary: 'A resource silences rules (`mesh-workshop.dev/ignore-rules` or `galley.istio.io/analyze-suppress`) but says nowhere why.',
    hint: 'Add `mesh-workshop.dev/ignore-reason: "<why the rule does not apply here>"` next to the silencing annotation.',
  },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

const BY_ID = new Map<string, RuleInfo>(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: RuleId): RuleInfo {
  return BY_ID.get(id) as RuleInfo;
}

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}
