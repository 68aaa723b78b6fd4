// What istiod's validating webhook (and the CEL rules of Istio's CRDs) reject beyond what a JSON Schema can
// say, for VirtualService and DestinationRule: durations as Go parses them and at least 1ms, weights,
// percentages, HTTP status codes, retry policies and port numbers. Written from istio/istio 1.24.2
// (pkg/config/validation: validation.go, virtualservice.go; agent/validation.go ValidateDuration), the Istio
// the repository installs. Each finding carries its own rule id (ADMISSION_RULES, docs/rules.md) and a hint
// that proposes a value istiod accepts. Pure: one resource in, problems out.
import type { Severity } from '../findings.ts';
import { formatDuration, parseGoDuration } from '../go-duration.ts';
import { arr, rec } from '../mesh/objects.ts';

export interface AdmissionRule {
  id: string;
  severity: Severity;
  summary: string;
}

export const ADMISSION_RULES = [
  { id: 'istio-duration-invalid', severity: 'error', summary: 'An Istio duration that Go cannot parse, below 1ms, or finer than istiod takes.' },
  { id: 'istio-weight-invalid', severity: 'error', summary: 'A negative route weight, or several destinations whose weights are all 0.' },
  { id: 'istio-percentage-range', severity: 'error', summary: 'A fault, mirror or outlier-detection percentage outside what istiod takes.' },
  { id: 'istio-http-status', severity: 'error', summary: 'An abort or direct-response status outside 200-599, or a redirect code that is not 3xx.' },
  { id: 'istio-fault-invalid', severity: 'error', summary: 'A fault with neither abort nor delay, or with a form istiod does not support.' },
  { id: 'istio-retry-invalid', severity: 'error', summary: 'A retry policy with negative attempts, settings while attempts is 0, or an unknown retryOn policy.' },
  { id: 'istio-port-range', severity: 'error', summary: 'A port number outside 1..65535.' },
] as const satisfies readonly AdmissionRule[];

export type AdmissionRuleId = (typeof ADMISSION_RULES)[number]['id'];

export interface AdmissionProblem {
  rule: AdmissionRuleId;
  severity: Severity;
  pointer: string;
  message: string;
  hint: string;
}

type Obj = Record<string, unknown>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const field = (pointer: string) => pointer.slice(pointer.lastIndexOf('/') + 1);

class Problems {
  readonly items: AdmissionProblem[] = [];

  add(rule: AdmissionRuleId, pointer: string, message: string, hint: string): void {
    const severity = ADMISSION_RULES.find((r) => r.id === rule)?.severity ?? 'error';
    this.items.push({ rule, severity, pointer, message, hint });
  }
}

const MS = 1_000_000n;

/** agent.ValidateDuration: jsonpb parses with time.ParseDuration; at least 1ms, whole milliseconds. */
function duration(out: Problems, pointer: string, value: unknown, opts: { seconds?: boolean } = {}): void {
  if (value === undefined || value === null) return;
  const name = field(pointer);
  if (typeof value === 'number') {
    const unit = Math.abs(value) >= 100 ? 'ms' : 's';
    out.add(
      'istio-duration-invalid',
      pointer,
      `"${name}" is the number ${value}; Istio takes a duration string with a unit, such as 10s or 500ms.`,
      `Write it with a unit: \`${name}: ${Math.abs(value)}${unit}\` (a bare number is not a duration, and quoting it does not make one).`,
    );
    return;
  }
  if (typeof value !== 'string') return; // the schema's finding
  const parsed = parseGoDuration(value);
  if (!parsed.ok) {
    const missingUnit = /^[+-]?[0-9]*\.?[0-9]+$/.test(value.trim());
    out.add(
      'istio-duration-invalid',
      pointer,
      `"${name}" is ${JSON.stringify(value)}, which is not a duration istiod can parse (${parsed.error}).`,
      missingUnit
        ? `Add a unit: \`${name}: ${value.trim().replace(/^[+-]/, '')}${Number(value) >= 100 ? 'ms' : 's'}\`.`
        : `Write a Go duration: a number and a unit (ms, s, m, h), e.g. \`${name}: 10s\`, \`500ms\` or \`1m30s\`.`,
    );
    return;
  }
  if (parsed.ns < MS) {
    const proposal = parsed.ns < 0n ? formatDuration(-parsed.ns) : '1ms';
    const safe = parsed.ns < 0n && -parsed.ns >= MS && -parsed.ns % MS === 0n ? proposal : '1s';
    out.add(
      'istio-duration-invalid',
      pointer,
      `"${name}" is ${JSON.stringify(value)}; istiod takes durations of at least 1ms ("duration must be greater than 1ms").`,
      `Use a positive duration, e.g. \`${name}: ${safe}\`.`,
    );
    return;
  }
  const step = opts.seconds ? 1_000_000_000n : MS;
  if (parsed.ns % step !== 0n) {
    const rounded = formatDuration(((parsed.ns + step / 2n) / step) * step);
    out.add(
      'istio-duration-invalid',
      pointer,
      `"${name}" is ${JSON.stringify(value)}; istiod takes ${opts.seconds ? 'whole seconds here' : 'durations to millisecond precision only'}.`,
      `Round it: \`${name}: ${rounded}\`.`,
    );
  }
}

/** validatePercentage: 0, or from 0.0001 to 100. */
function percentage(out: Problems, pointer: string, value: unknown, what: string): void {
  if (!isNum(value)) return;
  if (value >= 0 && value <= 100 && !(value > 0 && value < 0.0001)) return;
  const proposal = value > 100 ? 100 : value < 0 ? 0 : 0.0001;
  out.add(
    'istio-percentage-range',
    pointer,
    `${what} for ${value}% of requests; istiod takes 0, or 0.0001 to 100.`,
    `Use \`value: ${proposal}\`${value > 100 ? ' (every matching request)' : ''}.`,
  );
}

/** ValidatePercent and the mirror checks: a whole-number or decimal percent from 0 to 100. */
function percent(out: Problems, pointer: string, value: unknown, what: string): void {
  if (!isNum(value) || (value >= 0 && value <= 100)) return;
  out.add('istio-percentage-range', pointer, `${what} is ${value}; istiod takes 0 to 100.`, `Use \`${field(pointer)}: ${value > 100 ? 100 : 0}\`.`);
}

function port(out: Problems, pointer: string, value: unknown): void {
  if (!isNum(value) || (value >= 1 && value <= 65535)) return;
  out.add('istio-port-range', pointer, `port ${value} is outside 1..65535.`, 'Use the port number the Service declares in `spec.ports`, from 1 to 65535.');
}

function httpStatus(out: Problems, pointer: string, value: unknown, what: string): void {
  // istiod's check is `< 200 || > 600` with the message "not in range 200-599"; Envoy's own proto rule is
  // [200, 600), so 600 is rejected here too (istiod would pass it on and Envoy would refuse the route).
  if (!isNum(value) || (value >= 200 && value <= 599)) return;
  out.add('istio-http-status', pointer, `${what} ${value} is not an HTTP status from 200 to 599.`, `Use a status such as \`${field(pointer)}: 503\` (service unavailable) or 500.`);
}

// x-envoy-retry-on and x-envoy-retry-grpc-on, as istiod lists them (supportedRetryOnPolicies).
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
// The codes Go's http.StatusText names: istiod accepts a retryOn entry that is one of them.
const STATUS_TEXT = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407,
  408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

function retries(out: Problems, base: string, r: Obj): void {
  const attempts = isNum(r.attempts) ? r.attempts : 0;
  if (attempts < 0) {
    out.add('istio-retry-invalid', `${base}/attempts`, `retries.attempts is ${attempts}; attempts cannot be negative.`, 'Use `attempts: 0` to turn retries off, or e.g. `attempts: 3`.');
  }
  if (attempts === 0 && (r.perTryTimeout !== undefined || (typeof r.retryOn === 'string' && r.retryOn !== '') || r.retryRemoteLocalities !== undefined)) {
    out.add(
      'istio-retry-invalid',
      `${base}/attempts`,
      'a retry policy is configured while attempts is 0 (retries disabled); istiod rejects it.',
      'Set `attempts: 3` (or another number above 0), or remove perTryTimeout, retryOn and retryRemoteLocalities.',
    );
  }
  duration(out, `${base}/perTryTimeout`, r.perTryTimeout);
  if (typeof r.retryOn === 'string' && r.retryOn !== '') {
    for (const policy of r.retryOn.split(',')) {
      const code = /^[+-]?[0-9]+$/.test(policy) ? Number(policy) : NaN;
      if (RETRY_ON.has(policy) || STATUS_TEXT.has(code)) continue;
      const trimmed = policy.trim();
      out.add(
        'istio-retry-invalid',
        `${base}/retryOn`,
        `retryOn lists ${JSON.stringify(policy)}, which is not a retry policy istiod knows.`,
        RETRY_ON.has(trimmed) ? `Remove the spaces: \`retryOn: ${r.retryOn.split(',').map((p) => p.trim()).join(',')}\`.` : 'Use Envoy policies separated by commas without spaces, e.g. `retryOn: 5xx,connect-failure,refused-stream`.',
      );
    }
  }
}

function fault(out: Problems, base: string, f: Obj): void {
  const delay = rec(f.delay);
  const abort = rec(f.abort);
  if (!delay && !abort) {
    out.add('istio-fault-invalid', base, 'the fault has neither `abort` nor `delay`; istiod requires at least one.', 'Add `delay: {fixedDelay: 7s, percentage: {value: 100}}` or `abort: {httpStatus: 500, percentage: {value: 100}}`, or remove `fault`.');
  }
  if (delay) {
    percentage(out, `${base}/delay/percentage/value`, rec(delay.percentage)?.value, 'the fault injects a delay');
    duration(out, `${base}/delay/fixedDelay`, delay.fixedDelay);
    if (delay.exponentialDelay !== undefined) {
      duration(out, `${base}/delay/exponentialDelay`, delay.exponentialDelay);
      out.add('istio-fault-invalid', `${base}/delay/exponentialDelay`, 'exponentialDelay is not supported by istiod yet.', 'Use `fixedDelay` instead, e.g. `fixedDelay: 7s`.');
    }
  }
  if (abort) {
    percentage(out, `${base}/abort/percentage/value`, rec(abort.percentage)?.value, 'the fault injects an abort');
    httpStatus(out, `${base}/abort/httpStatus`, abort.httpStatus, 'the abort status');
    if (abort.http2Error !== undefined) {
      out.add('istio-fault-invalid', `${base}/abort/http2Error`, 'HTTP/2 abort fault injection is not supported by istiod yet.', 'Use `httpStatus: 503` (or `grpcStatus: UNAVAILABLE` for gRPC) instead.');
    }
  }
}

function destinations(out: Problems, base: string, route: readonly unknown[]): void {
  let total = 0;
  // A weight that is set but not a number is the schema's finding; counting it as 0 would add a second one.
  let typed = true;
  route.forEach((raw, k) => {
    const d = rec(raw);
    if (!d) return;
    port(out, `${base}/${k}/destination/port/number`, rec(rec(d.destination)?.port)?.number);
    if (d.weight !== undefined && d.weight !== null && !isNum(d.weight)) typed = false;
    if (isNum(d.weight)) {
      total += d.weight;
      if (d.weight < 0) {
        out.add('istio-weight-invalid', `${base}/${k}/weight`, `weight ${d.weight} is negative; istiod rejects it ("weight ${d.weight} < 0").`, `Use \`weight: ${Math.abs(d.weight)}\` or 0; weights are relative shares.`);
      }
    }
  });
  if (typed && route.length > 1 && total === 0) {
    out.add('istio-weight-invalid', base, `the route's ${route.length} destinations have weights adding up to 0 ("total destination weight = 0").`, 'Give the destinations their shares, e.g. `weight: 50` each.');
  }
}

function httpRoute(out: Problems, base: string, h: Obj): void {
  duration(out, `${base}/timeout`, h.timeout);
  const r = rec(h.retries);
  if (r) retries(out, `${base}/retries`, r);
  const f = rec(h.fault);
  if (f) fault(out, `${base}/fault`, f);
  percent(out, `${base}/mirrorPercentage/value`, rec(h.mirrorPercentage)?.value, 'mirrorPercentage');
  percent(out, `${base}/mirrorPercent`, h.mirrorPercent, 'mirrorPercent');
  port(out, `${base}/mirror/port/number`, rec(rec(h.mirror)?.port)?.number);
  arr(h.mirrors).forEach((m, k) => {
    percent(out, `${base}/mirrors/${k}/percentage/value`, rec(rec(m)?.percentage)?.value, 'the mirror percentage');
    port(out, `${base}/mirrors/${k}/destination/port/number`, rec(rec(rec(m)?.destination)?.port)?.number);
  });
  const cors = rec(h.corsPolicy);
  if (cors) duration(out, `${base}/corsPolicy/maxAge`, cors.maxAge, { seconds: true });
  const direct = rec(h.directResponse);
  if (direct) httpStatus(out, `${base}/directResponse/status`, direct.status, 'the direct response status');
  const redirect = rec(h.redirect);
  if (redirect) {
    const code = redirect.redirectCode;
    if (isNum(code) && code !== 0 && (code < 300 || code > 399)) {
      out.add('istio-http-status', `${base}/redirect/redirectCode`, `redirectCode ${code} is not a 3xx redirect code.`, 'Use `redirectCode: 301` (permanent) or 302 (found).');
    }
    port(out, `${base}/redirect/port`, redirect.port);
  }
  arr(h.match).forEach((m, k) => port(out, `${base}/match/${k}/port`, rec(m)?.port));
  destinations(out, `${base}/route`, arr(h.route));
}

function trafficPolicy(out: Problems, base: string, p: Obj): void {
  const outlier = rec(p.outlierDetection);
  if (outlier) {
    duration(out, `${base}/outlierDetection/baseEjectionTime`, outlier.baseEjectionTime);
    duration(out, `${base}/outlierDetection/interval`, outlier.interval);
    percent(out, `${base}/outlierDetection/maxEjectionPercent`, outlier.maxEjectionPercent, 'maxEjectionPercent');
    percent(out, `${base}/outlierDetection/minHealthPercent`, outlier.minHealthPercent, 'minHealthPercent');
  }
  const pool = rec(p.connectionPool);
  const http = rec(pool?.http);
  if (http) duration(out, `${base}/connectionPool/http/idleTimeout`, http.idleTimeout);
  const tcp = rec(pool?.tcp);
  if (tcp) {
    for (const key of ['connectTimeout', 'maxConnectionDuration', 'idleTimeout']) duration(out, `${base}/connectionPool/tcp/${key}`, tcp[key]);
    const keepalive = rec(tcp.tcpKeepalive);
    if (keepalive) for (const key of ['time', 'interval']) duration(out, `${base}/connectionPool/tcp/tcpKeepalive/${key}`, keepalive[key]);
  }
  arr(p.portLevelSettings).forEach((s, k) => {
    const setting = rec(s);
    if (!setting) return;
    port(out, `${base}/portLevelSettings/${k}/port/number`, rec(setting.port)?.number);
    trafficPolicy(out, `${base}/portLevelSettings/${k}`, setting);
  });
}

const ISTIO_NETWORKING = /^networking\.istio\.io\/v1(alpha3|beta1)?$/;

/** istiod's checks for one resource; none for kinds it does not cover. */
export function admissionProblems(resource: { apiVersion?: unknown; kind?: unknown; spec?: unknown }): AdmissionProblem[] {
  if (typeof resource.apiVersion !== 'string' || !ISTIO_NETWORKING.test(resource.apiVersion)) return [];
  const spec = rec(resource.spec);
  if (!spec) return [];
  const out = new Problems();
  if (resource.kind === 'VirtualService') {
    arr(spec.http).forEach((h, i) => {
      const route = rec(h);
      if (route) httpRoute(out, `/spec/http/${i}`, route);
    });
    for (const key of ['tcp', 'tls']) {
      arr(spec[key]).forEach((r, i) => {
        const route = rec(r);
        if (!route) return;
        arr(route.match).forEach((m, k) => port(out, `/spec/${key}/${i}/match/${k}/port`, rec(m)?.port));
        destinations(out, `/spec/${key}/${i}/route`, arr(route.route));
      });
    }
  } else if (resource.kind === 'DestinationRule') {
    const top = rec(spec.trafficPolicy);
    if (top) trafficPolicy(out, '/spec/trafficPolicy', top);
    arr(spec.subsets).forEach((s, k) => {
      const policy = rec(rec(s)?.trafficPolicy);
      if (policy) trafficPolicy(out, `/spec/subsets/${k}/trafficPolicy`, policy);
    });
  }
  return out.items;
}
