// Istio HTTP routing as the VirtualService reference documents it: the first rule whose match applies
// wins, destinations split by weight, faults, timeout and retries. One hop, no recursion: engine.ts chains hops.
import { RE2JS } from 're2js';
import { ToolkitError } from '../errors.ts';
import { findSubset, labelsOf, mostSpecificHost, parseDuration, visibleIn } from '../mesh/index.ts';
import { fqdn, labelsInclude, type Mesh, type VirtualServiceInfo, type Workload } from './mesh.ts';

export class SimulationError extends ToolkitError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'SimulationError';
  }
}

export interface HttpRequest {
  /** Destination FQDN. */
  host: string;
  /** `Host` header as the app sends it (`reviews:9080`), for `authority` matches. */
  authority: string;
  path: string;
  method: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  port?: number;
  source: {
    labels: Record<string, string>;
    namespace: string;
    /** The gateway the request arrives through; undefined for sidecar (`mesh`) traffic. */
    gateway?: string;
  };
}

export interface RetryPolicy {
  /** Retries after the first try (Istio's `attempts`). */
  retries: number;
  perTryTimeoutMs?: number;
  retryOn: string[];
}

export interface WeightedDestination {
  host: string;
  subset?: string;
  port?: number;
  probability: number;
}

/** A field of the matched rule that acts on the request in a way the model does not follow. */
export interface UnmodelledField {
  /** Where in the rule: `headers.request.set`, `route[1].headers.request.remove`, `rewrite`, `mirror`. */
  field: string;
  /** Request headers the field sets, adds or removes (lower-case); empty for other fields. */
  requestHeaders: string[];
}

export type RouteDecision =
  | {
      kind: 'route';
      /** Undefined when no VirtualService applies and the Service's own endpoints are used. */
      vs?: VirtualServiceInfo;
      rule?: string;
      destinations: WeightedDestination[];
      delay?: { ms: number; probability: number };
      abort?: { status: number; probability: number };
      timeoutMs?: number;
      retries: RetryPolicy;
      /** The rule's own `timeout` / `retries` fields, when it also has a `fault` (see docs/simulate.md). */
      faultWith?: ('timeout' | 'retries')[];
      unmodelled: UnmodelledField[];
    }
  | { kind: 'no-route'; vs: VirtualServiceInfo }
  | { kind: 'direct-response'; vs: VirtualServiceInfo; rule: string; status: number; unmodelled: UnmodelledField[] };

/** Istio's retry policy when a route says nothing (retries connection-level failures twice). */
export const DEFAULT_RETRIES: RetryPolicy = {
  retries: 2,
  retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes', '503'],
};

function badConfig(vs: VirtualServiceInfo, where: string, message: string, hint: string): never {
  throw new SimulationError(`${vs.file}: ${vs.ref} ${where}: ${message}`, hint);
}

function duration(vs: VirtualServiceInfo, where: string, value: unknown): number {
  const ms = parseDuration(value);
  if (ms === undefined) badConfig(vs, where, `${JSON.stringify(value)} is not a duration.`, 'Write durations like 7s, 0.5s or 100ms.');
  return ms;
}

const regexCache = new Map<string, RE2JS>();

/**
 * A regex as Envoy runs it: RE2 (re2js, the engine the analyzers check with), matched against the whole
 * value as Envoy's safe_regex does. Throws Go's error text for a pattern RE2 rejects.
 */
export function fullMatchRegex(pattern: string, ignoreCase = false): RE2JS {
  const key = `${ignoreCase ? 'i' : ''}:${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    re = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    regexCache.set(key, re);
  }
  return re;
}

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

/** Istio StringMatch; an empty match (`{}`) only checks that the value is present. */
export function stringMatches(match: StringMatch | null | undefined, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  if (!match || typeof match !== 'object') return true;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (match.exact !== undefined) return v === (ignoreCase ? String(match.exact).toLowerCase() : String(match.exact));
  if (match.prefix !== undefined) return v.startsWith(ignoreCase ? String(match.prefix).toLowerCase() : String(match.prefix));
  if (match.regex !== undefined) return fullMatchRegex(String(match.regex), ignoreCase).matches(value);
  return true;
}

type MatchBlock = Record<string, unknown>;

function checkRegexes(vs: VirtualServiceInfo, where: string, block: MatchBlock): void {
  const visit = (m: unknown, path: string) => {
    const regex = (m as StringMatch | undefined)?.regex;
    if (regex === undefined) return;
    try {
      fullMatchRegex(String(regex));
    } catch (error) {
      badConfig(vs, `${where}.${path}`, `regex ${JSON.stringify(regex)} is invalid (${(error as Error).message}).`, 'Istio uses RE2 syntax; fix the expression.');
    }
  };
  for (const key of ['uri', 'method', 'scheme', 'authority']) visit(block[key], key);
  for (const key of ['headers', 'withoutHeaders', 'queryParams']) {
    const map = block[key];
    if (map && typeof map === 'object') for (const [name, m] of Object.entries(map)) visit(m, `${key}.${name}`);
  }
}

/** One HTTPMatchRequest: every condition it sets must hold. */
export function matchBlockApplies(block: MatchBlock, request: HttpRequest): boolean {
  const ignoreUriCase = block.ignoreUriCase === true;
  if (block.uri !== undefined && !stringMatches(block.uri as StringMatch, request.path, ignoreUriCase)) return false;
  if (block.method !== undefined && !stringMatches(block.method as StringMatch, request.method)) return false;
  if (block.scheme !== undefined && !stringMatches(block.scheme as StringMatch, 'http')) return false;
  if (block.authority !== undefined && !stringMatches(block.authority as StringMatch, request.authority)) return false;
  if (block.port !== undefined && Number(block.port) !== request.port) return false;
  if (block.sourceNamespace !== undefined && block.sourceNamespace !== request.source.namespace) return false;
  if (block.sourceLabels !== undefined) {
    const wanted = Object.fromEntries(Object.entries(block.sourceLabels as object).map(([k, v]) => [k, String(v)]));
    if (!labelsInclude(request.source.labels, wanted)) return false;
  }
  if (Array.isArray(block.gateways)) {
    const here = request.source.gateway ?? 'mesh';
    if (!(block.gateways as unknown[]).some((g) => String(g) === here || String(g).endsWith(`/${here}`))) return false;
  }
  const headers = (block.headers ?? {}) as Record<string, StringMatch>;
  for (const [name, m] of Object.entries(headers)) {
    if (!stringMatches(m, request.headers[name.toLowerCase()])) return false;
  }
  const without = (block.withoutHeaders ?? {}) as Record<string, StringMatch>;
  for (const [name, m] of Object.entries(without)) {
    if (stringMatches(m, request.headers[name.toLowerCase()])) return false;
  }
  const params = (block.queryParams ?? {}) as Record<string, StringMatch>;
  for (const [name, m] of Object.entries(params)) {
    // The reference says prefix matching is not supported for query parameters, so it never matches.
    if (m && typeof m === 'object' && m.prefix !== undefined && m.exact === undefined && m.regex === undefined) return false;
    if (!stringMatches(m, request.query[name])) return false;
  }
  return true;
}

/** A rule applies when it has no match, or when any one of its match blocks applies (OR of ANDs). */
export function ruleApplies(rule: Record<string, unknown>, request: HttpRequest): boolean {
  const match = rule.match;
  if (!Array.isArray(match) || match.length === 0) return true;
  return match.some((block) => matchBlockApplies((block ?? {}) as MatchBlock, request));
}

function appliesTo(vs: VirtualServiceInfo, gateway: string | undefined, clientNs: string): boolean {
  if (gateway === undefined) return (vs.gateways.length === 0 || vs.gateways.includes('mesh')) && visibleIn(vs.scope, clientNs);
  return vs.gateways.some((g) => g === gateway || g.endsWith(`/${gateway}`));
}

/**
 * The VirtualService that routes `host` for this traffic: one exported to the client's namespace (sidecar
 * traffic; a gateway sees what it is bound to) whose host is the most specific for `host`, as Envoy picks a
 * virtual host: the exact name, else the longest wildcard that covers it (`*.bookinfo.svc.cluster.local`
 * before `*.svc.cluster.local` before `*`). Among equals the first one in the manifests (Istio's oldest-wins
 * is not visible in manifests).
 */
export function virtualServiceFor(mesh: Mesh, host: string, gateway: string | undefined, clientNs: string): VirtualServiceInfo | undefined {
  const candidates = mesh.virtualServices.filter((vs) => appliesTo(vs, gateway, clientNs));
  const best = mostSpecificHost(host, candidates.flatMap((vs) => vs.hosts));
  return best === undefined ? undefined : candidates.find((vs) => vs.hosts.includes(best));
}

function percentage(fault: Record<string, unknown>): number {
  const p = fault.percentage as { value?: unknown } | undefined;
  // Istio injects into no request when neither `percentage` nor the deprecated `percent` is given.
  const value = p && typeof p === 'object' ? Number(p.value ?? 0) : Number(fault.percent ?? 0);
  return Math.min(Math.max(Number.isFinite(value) ? value : 0, 0), 100) / 100;
}

const HEADER_OPERATIONS = ['set', 'add', 'remove'] as const;

function headerOperations(value: unknown, prefix: string, out: UnmodelledField[]): void {
  if (!value || typeof value !== 'object') return;
  for (const side of ['request', 'response'] as const) {
    const ops = (value as Record<string, unknown>)[side];
    if (!ops || typeof ops !== 'object') continue;
    for (const op of HEADER_OPERATIONS) {
      const v = (ops as Record<string, unknown>)[op];
      // set/add are maps of name to value, remove is a list of names.
      const names = Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [];
      if (names.length === 0) continue;
      out.push({ field: `${prefix}headers.${side}.${op}`, requestHeaders: side === 'request' ? names.map((n) => n.toLowerCase()) : [] });
    }
  }
}

/**
 * Fields of a rule the simulator does not apply: header manipulation (rule and per destination),
 * `rewrite` and mirroring. The engine turns them into warnings instead of answering with false confidence.
 */
export function unmodelledFields(rule: Record<string, unknown>): UnmodelledField[] {
  const out: UnmodelledField[] = [];
  headerOperations(rule.headers, '', out);
  if (Array.isArray(rule.route)) {
    (rule.route as unknown[]).forEach((r, i) => headerOperations((r as { headers?: unknown } | null)?.headers, `route[${i}].`, out));
  }
  if (rule.rewrite && typeof rule.rewrite === 'object' && Object.keys(rule.rewrite).length > 0) out.push({ field: 'rewrite', requestHeaders: [] });
  if (rule.mirror !== undefined && rule.mirror !== null) out.push({ field: 'mirror', requestHeaders: [] });
  if (Array.isArray(rule.mirrors) && rule.mirrors.length > 0) out.push({ field: 'mirrors', requestHeaders: [] });
  return out;
}

const GRPC_TO_HTTP: Record<string, number> = { UNAVAILABLE: 503, DEADLINE_EXCEEDED: 504, INTERNAL: 500, UNIMPLEMENTED: 501 };

function decideRoute(vs: VirtualServiceInfo, index: number, rule: Record<string, unknown>): RouteDecision {
  const name = typeof rule.name === 'string' && rule.name ? `"${rule.name}"` : `http[${index}]`;
  const where = `spec.http[${index}]`;
  if (rule.delegate !== undefined) badConfig(vs, where, 'delegates to another VirtualService, which the simulator does not follow.', 'Simulate the delegate target on its own.');
  if (rule.redirect !== undefined) badConfig(vs, where, 'redirects, which the simulator does not model.', 'Route to a destination instead, or leave this rule out of the simulation.');
  if (rule.directResponse !== undefined) {
    return { kind: 'direct-response', vs, rule: name, status: Number((rule.directResponse as { status?: unknown }).status ?? 200), unmodelled: unmodelledFields(rule) };
  }
  const route = Array.isArray(rule.route) ? (rule.route as Record<string, unknown>[]) : [];
  if (route.length === 0) badConfig(vs, where, 'has no route destinations.', 'Add `route:` with at least one destination.');
  const weights = route.map((r) => (r.weight === undefined ? (route.length === 1 ? 100 : 0) : Number(r.weight)));
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) badConfig(vs, `${where}.route`, 'weights add up to 0, so no destination gets traffic.', 'Give the destinations weights that add up to 100.');
  const destinations: WeightedDestination[] = route.map((r, i) => {
    const d = (r.destination ?? {}) as { host?: unknown; subset?: unknown; port?: { number?: unknown } };
    if (typeof d.host !== 'string' || !d.host) badConfig(vs, `${where}.route[${i}]`, 'has no destination host.', 'Set destination.host to a Service name.');
    const out: WeightedDestination = { host: fqdn(d.host, vs.namespace), probability: (weights[i] ?? 0) / total };
    if (typeof d.subset === 'string' && d.subset) out.subset = d.subset;
    if (d.port?.number !== undefined) out.port = Number(d.port.number);
    return out;
  });
  const decision: Extract<RouteDecision, { kind: 'route' }> = { kind: 'route', vs, rule: name, destinations, retries: DEFAULT_RETRIES, unmodelled: unmodelledFields(rule) };
  const fault = rule.fault as { delay?: Record<string, unknown>; abort?: Record<string, unknown> } | undefined;
  if (fault?.delay) {
    const ms = duration(vs, `${where}.fault.delay.fixedDelay`, fault.delay.fixedDelay);
    decision.delay = { ms, probability: percentage(fault.delay) };
  }
  if (fault?.abort) {
    const a = fault.abort;
    const status = a.httpStatus !== undefined ? Number(a.httpStatus) : (GRPC_TO_HTTP[String(a.grpcStatus)] ?? 503);
    decision.abort = { status, probability: percentage(a) };
  }
  if (rule.timeout !== undefined) {
    const ms = duration(vs, `${where}.timeout`, rule.timeout);
    if (ms > 0) decision.timeoutMs = ms;
  }
  const retries = rule.retries as { attempts?: unknown; perTryTimeout?: unknown; retryOn?: unknown } | undefined;
  if (retries && typeof retries === 'object') {
    const attempts = Number(retries.attempts ?? 0);
    const policy: RetryPolicy = {
      retries: Number.isInteger(attempts) && attempts > 0 ? Math.min(attempts, 10) : 0,
      retryOn: typeof retries.retryOn === 'string' ? retries.retryOn.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_RETRIES.retryOn,
    };
    if (retries.perTryTimeout !== undefined) policy.perTryTimeoutMs = duration(vs, `${where}.retries.perTryTimeout`, retries.perTryTimeout);
    decision.retries = policy;
  }
  if (fault && (fault.delay || fault.abort)) {
    // Only a timeout or retries that take effect: `timeout: 0s` and `attempts: 0` turn them off.
    const combined: ('timeout' | 'retries')[] = [];
    if (decision.timeoutMs !== undefined) combined.push('timeout');
    if (retries && typeof retries === 'object' && decision.retries.retries > 0) combined.push('retries');
    if (combined.length > 0) decision.faultWith = combined;
  }
  return decision;
}

/** Routes one request. Throws SimulationError for configuration the simulator cannot interpret. */
export function routeRequest(mesh: Mesh, request: HttpRequest): RouteDecision {
  const vs = mesh.canaryHosts.has(request.host) ? undefined : virtualServiceFor(mesh, request.host, request.source.gateway, request.source.namespace);
  if (!vs) return { kind: 'route', destinations: [{ host: request.host, probability: 1 }], retries: DEFAULT_RETRIES, unmodelled: [] };
  return routeWith(vs, request);
}

/** Applies one VirtualService's rules to a request. */
export function routeWith(vs: VirtualServiceInfo, request: HttpRequest): RouteDecision {
  const rules = Array.isArray(vs.spec.http) ? (vs.spec.http as Record<string, unknown>[]) : [];
  for (const [index, rule] of rules.entries()) {
    if (Array.isArray(rule.match)) rule.match.forEach((b, i) => checkRegexes(vs, `spec.http[${index}].match[${i}]`, (b ?? {}) as MatchBlock));
    if (ruleApplies(rule, request)) return decideRoute(vs, index, rule);
  }
  return { kind: 'no-route', vs };
}

/** True when Envoy would retry a try that hit the per-try timeout (it counts as a 504). */
export function retriesPerTryTimeout(policy: RetryPolicy): boolean {
  return policy.retryOn.some((r) => r === '5xx' || r === 'gateway-error' || r === '504');
}

export interface Endpoint {
  workload: Workload;
  version: string;
  probability: number;
}

export type EndpointResult = { ok: true; endpoints: Endpoint[] } | { ok: false; status: number; reason: string };

/**
 * The pods behind a host (and subset) for a client in namespace `clientNs`: workloads whose pod labels match
 * the Service selector and the subset's labels, weighted by replicas, because Envoy balances over endpoints
 * (pods), not versions. The subset comes from the DestinationRules that client gets (lib/mesh, the same
 * choice the analyzers judge), and a host not exported to the client has no cluster there: 503.
 */
export function resolveEndpoints(mesh: Mesh, host: string, subset: string | undefined, versionLabel: string, clientNs: string): EndpointResult {
  const service = mesh.services.get(host);
  if (!service) return { ok: false, status: 503, reason: `no Service ${host} in the manifests` };
  if (!mesh.model.lookup(host, clientNs).found) {
    return { ok: false, status: 503, reason: `Service ${service.namespace}/${service.name} is not exported to namespace ${clientNs}` };
  }
  if (Object.keys(service.selector).length === 0) {
    return { ok: false, status: 503, reason: `Service ${service.namespace}/${service.name} has no selector` };
  }
  let wanted = service.selector;
  if (subset !== undefined) {
    const rules = mesh.model.destinationRulesFor(host, clientNs);
    const found = findSubset(rules, subset);
    if (!found) {
      const names = rules.map((r) => `${r.object.metadata.namespace ?? 'default'}/${r.object.metadata.name ?? ''}`).join(', ');
      const reason = rules.length === 0
        ? `subset ${subset} of ${service.name} is in no DestinationRule that applies in namespace ${clientNs}`
        : `subset ${subset} of ${service.name} is not in DestinationRule ${names}, the one Istio applies`;
      return { ok: false, status: 503, reason };
    }
    wanted = { ...wanted, ...labelsOf(found.labels) };
  }
  const pods = mesh.workloads.filter((w) => w.namespace === service.namespace && w.replicas > 0 && labelsInclude(w.labels, wanted));
  const total = pods.reduce((sum, w) => sum + w.replicas, 0);
  if (total === 0) {
    const what = subset ? `subset ${subset} of ${service.name}` : service.name;
    return { ok: false, status: 503, reason: `no pods behind ${what}` };
  }
  return {
    ok: true,
    endpoints: pods.map((w) => ({ workload: w, version: w.labels[versionLabel] ?? 'unversioned', probability: w.replicas / total })),
  };
}
