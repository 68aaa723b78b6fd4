// Predicts what each user's page shows by walking the call graph through Istio routing, enumerating every
// branch (weights x fault percentages x retries) with its exact probability. No sampling, no clock.
import type { Outcome } from '../exercises.ts';
import type { SourcedResource } from '../manifests.ts';
import type { CallGraph, CallSpec } from './callgraph.ts';
import { buildMesh, fqdn, type Mesh, type Workload } from './mesh.ts';
import { canaryTimelines } from './canary.ts';
import { merge, round, split, type Dist } from './dist.ts';
import type { PredictedOutcome, RouteEdge, SimulationOptions, SimulationResult, UserResult } from './types.ts';
import { plural } from '../plural.ts';
import { formatMs, pct } from './units.ts';
import { defaultUsers } from './users.ts';
import {
  SimulationError,
  resolveEndpoints,
  retriesPerTryTimeout,
  routeRequest,
  routeWith,
  type HttpRequest,
  type RouteDecision,
} from './routing.ts';


interface NodeResult {
  latencyMs: number;
  outcome?: Outcome;
  path: string[];
  reason?: string;
  cause?: string;
  annotated: boolean;
}

interface HopResult extends NodeResult {
  ok: boolean;
  status: number;
}

const MAX_DEPTH = 12;
const GATEWAY_SOURCE = { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' }, namespace: 'istio-system' };

class Simulator {
  readonly warnings = new Set<string>();
  private edges = new Map<string, RouteEdge[]>();

  constructor(
    private readonly mesh: Mesh,
    private readonly graph: CallGraph,
  ) {}

  resetEdges(): void {
    this.edges = new Map();
  }

  collectEdges(): RouteEdge[] {
    return [...this.edges.values()].flat();
  }

  /** The whole page for one user. */
  page(user: string | null): Dist<PredictedOutcome> {
    const entry = this.graph.entry;
    const host = fqdn(entry.service, entry.namespace);
    const base: Omit<HttpRequest, 'source' | 'port'> = {
      host,
      authority: entry.service,
      path: entry.path,
      method: entry.method,
      query: entry.query,
      headers: {},
    };
    const delivered = user === null ? {} : { [entry.userHeader]: user };
    let hop: Dist<HopResult> | undefined;
    // The browser comes in through the ingress gateway: the first gateway-bound VirtualService with a
    // matching rule routes it. Without one, the request is routed as in-mesh traffic to the entry host.
    for (const vs of this.mesh.virtualServices) {
      const gateway = vs.gateways.find((g) => g !== 'mesh');
      if (!gateway) continue;
      const name = gateway.includes('/') ? gateway.split('/').pop()! : gateway;
      const request: HttpRequest = { ...base, port: this.mesh.gatewayPorts.get(gateway) ?? this.mesh.gatewayPorts.get(name) ?? 80, source: { ...GATEWAY_SOURCE, gateway } };
      const decision = routeWith(vs, request);
      if (decision.kind === 'no-route') continue;
      hop = this.hop('user', entry.service, request, decision, delivered, 0);
      break;
    }
    if (!hop) {
      const port = this.mesh.services.get(host)?.ports[0];
      const request: HttpRequest = { ...base, ...(port === undefined ? {} : { port }), source: { labels: {}, namespace: entry.namespace } };
      hop = this.hop('user', entry.service, request, routeRequest(this.mesh, request), delivered, 0);
    }
    return merge(
      hop.map((b) => {
        const h = b.v;
        let outcome: Outcome;
        if (h.ok && h.outcome) outcome = h.outcome;
        else if (h.ok) {
          this.warnings.add(`${h.path[0] ?? entry.service} shows nothing the call graph names, so the page counts as ${entry.onFailure}.`);
          outcome = entry.onFailure;
        } else outcome = entry.onFailure;
        const out: PredictedOutcome = { outcome, probability: 0, latencyMs: round(h.latencyMs), path: h.path };
        if (h.reason) out.reason = h.reason;
        return { p: b.p, v: out };
      }),
    );
  }

  /** A workload answering a request: its calls one after another, then what it shows. */
  private node(service: string, workload: Workload, version: string, headers: Record<string, string>, depth: number): Dist<NodeResult> {
    if (depth > MAX_DEPTH) {
      throw new SimulationError(`The call graph loops: ${service} is more than ${MAX_DEPTH} calls deep.`, 'Remove the cycle from the call graph.');
    }
    const spec = this.graph.services[service]?.[version];
    if (!spec) {
      this.warnings.add(`${service} ${version} (${workload.ref}) is not in the call graph; it is taken to answer at once and call nothing.`);
      return [{ p: 1, v: { latencyMs: 0, path: [], annotated: false } }];
    }
    type Acc = { latencyMs: number; results: (NodeResult & { ok: boolean })[] };
    let acc: Dist<Acc> = [{ p: 1, v: { latencyMs: 0, results: [] } }];
    for (const call of spec.calls) {
      acc = merge(
        acc.flatMap((a) =>
          this.call(service, workload, call, headers, depth).map((c) => ({
            p: a.p * c.p,
            v: { latencyMs: a.v.latencyMs + c.v.latencyMs, results: [...a.v.results, c.v] },
          })),
        ),
      );
    }
    return merge(
      acc.map((a) => {
        const { results } = a.v;
        const failed = results.findIndex((r) => !r.ok);
        const fromIndex = typeof spec.shows === 'object' ? spec.calls.findIndex((c) => c.service === (spec.shows as { from: string }).from) : -1;
        const out: NodeResult = { latencyMs: a.v.latencyMs, path: [], annotated: false };
        if (failed >= 0) {
          out.outcome = spec.calls[failed]!.onFailure;
          const reason = results[failed]!.reason;
          if (reason) out.reason = reason;
        } else if (typeof spec.shows === 'string') {
          out.outcome = spec.shows;
        } else if (fromIndex >= 0) {
          const from = results[fromIndex]!;
          if (from.outcome) out.outcome = from.outcome;
          if (from.reason) out.reason = from.reason;
        }
        // The calls that decide the outcome: the `shows: from` call when there is one (a sibling only when it
        // failed or passed through a fault), otherwise every call, since each one's success is what lets the
        // version show its fixed label (reviews v2's black stars need ratings to answer).
        const decides = (i: number): boolean => typeof spec.shows !== 'object' || i === fromIndex;
        results.forEach((r, i) => {
          if (decides(i) || !r.ok || r.annotated) {
            out.path.push(...r.path);
            out.annotated ||= r.annotated || !r.ok;
          }
        });
        // Name the deepest reason the answer was slow, for timeout explanations upstream.
        const slowest = results.reduce<(NodeResult & { ok: boolean }) | undefined>((m, r) => (!m || r.latencyMs > m.latencyMs ? r : m), undefined);
        if (slowest && slowest.latencyMs > 0 && slowest.cause) out.cause = slowest.cause;
        return { p: a.p, v: out };
      }),
    );
  }

  /** One call the app makes, with the app's own timeout and attempts around the mesh hop. */
  private call(caller: string, workload: Workload, call: CallSpec, headers: Record<string, string>, depth: number): Dist<NodeResult & { ok: boolean }> {
    const host = fqdn(call.service, workload.namespace);
    const forwarded: Record<string, string> = {};
    for (const h of call.forwardHeaders) if (headers[h] !== undefined) forwarded[h] = headers[h]!;
    const port = call.port ?? this.mesh.services.get(host)?.ports[0];
    const request: HttpRequest = {
      host,
      authority: port === undefined ? call.service : `${call.service}:${port}`,
      path: call.path,
      method: call.method,
      query: call.query,
      headers: forwarded,
      ...(port === undefined ? {} : { port }),
      source: { labels: workload.labels, namespace: workload.namespace },
    };
    const from = `${caller} ${workload.labels[this.graph.versionLabel] ?? 'unversioned'}`;
    const hop = this.hop(from, call.service, request, routeRequest(this.mesh, request), forwarded, depth + 1);
    const limit = call.timeoutMs;
    const attempt = (n: number, elapsed: number): Dist<NodeResult & { ok: boolean }> =>
      merge(
        hop.flatMap((b) => {
          const h = b.v;
          const timedOut = limit !== undefined && h.latencyMs > limit;
          if (h.ok && !timedOut) {
            const v: NodeResult & { ok: boolean } = { ...h, ok: true, latencyMs: elapsed + h.latencyMs };
            return [{ p: b.p, v }];
          }
          const spent = timedOut ? limit : h.latencyMs;
          if (n < call.attempts) return attempt(n + 1, elapsed + spent).map((r) => ({ p: b.p * r.p, v: r.v }));
          const reason = timedOut
            ? `${caller} gave ${call.service} ${formatMs(limit)} x ${plural(call.attempts, 'attempt')}${h.cause ? `; ${h.cause}` : ''}`
            : `${h.reason ?? `${call.service} failed`}${call.attempts > 1 ? ` (${plural(call.attempts, 'attempt')})` : ''}`;
          const v: NodeResult & { ok: boolean } = { ok: false, latencyMs: elapsed + spent, path: h.path, reason, annotated: true };
          if (h.cause) v.cause = h.cause;
          return [{ p: b.p, v }];
        }),
      );
    return attempt(1, 0);
  }

  /** One request through the caller's sidecar: fault, weighted destination, Istio timeout and retries. */
  private hop(from: string, service: string, request: HttpRequest, decision: RouteDecision, delivered: Record<string, string>, depth: number): Dist<HopResult> {
    this.recordEdges(from, service, decision, request.source.namespace);
    this.warnAbout(decision);
    if (decision.kind === 'no-route') {
      return [{ p: 1, v: { ok: false, status: 404, latencyMs: 0, path: [`${service} (no route)`], reason: `no rule in ${decision.vs.ref} matches the request to ${service} (HTTP 404)`, annotated: true } }];
    }
    if (decision.kind === 'direct-response') {
      const ok = decision.status < 400;
      const v: HopResult = { ok, status: decision.status, latencyMs: 0, path: [`${service} (direct response ${decision.status})`], annotated: true };
      if (!ok) v.reason = `${decision.vs.ref} rule ${decision.rule} answers HTTP ${decision.status} itself`;
      return [{ p: 1, v }];
    }
    const delay = decision.delay;
    const abort = decision.abort;
    const afterDelay = (delayMs: number): Dist<HopResult> =>
      split(
        abort?.probability ?? 0,
        (): Dist<HopResult> => {
          const note = delayMs > 0 ? `delay ${formatMs(delayMs)}, abort ${abort!.status}` : `abort ${abort!.status}`;
          return [{ p: 1, v: { ok: false, status: abort!.status, latencyMs: delayMs, path: [`${service} (${note})`], reason: `${service} answered HTTP ${abort!.status} (fault abort in ${decision.vs!.ref})`, annotated: true } }];
        },
        // A weight-0 destination gets no request, so nothing behind it is simulated (or warned about).
        () => decision.destinations.filter((d) => d.probability > 0).flatMap((d) => this.router(service, request, decision, d.host, d.subset, delayMs, delivered, depth).map((b) => ({ p: b.p * d.probability, v: b.v }))),
      );
    return merge(split(delay?.probability ?? 0, () => afterDelay(delay!.ms), () => afterDelay(0)));
  }

  private router(
    service: string,
    request: HttpRequest,
    decision: Extract<RouteDecision, { kind: 'route' }>,
    host: string,
    subset: string | undefined,
    delayMs: number,
    delivered: Record<string, string>,
    depth: number,
  ): Dist<HopResult> {
    const resolved = resolveEndpoints(this.mesh, host, subset, this.graph.versionLabel, request.source.namespace);
    const delayNote = delayMs > 0 ? `delay ${formatMs(delayMs)}` : undefined;
    if (!resolved.ok) {
      const note = [delayNote, `HTTP ${resolved.status}`].filter(Boolean).join(', ');
      return [{ p: 1, v: { ok: false, status: resolved.status, latencyMs: delayMs, path: [`${service} (${note})`], reason: `${service} is unreachable: ${resolved.reason}`, annotated: true } }];
    }
    const destService = this.mesh.services.get(host)?.name ?? service;
    const { retries, perTryTimeoutMs } = decision.retries;
    const retryTimeouts = retriesPerTryTimeout(decision.retries);
    const routeTimeout = decision.timeoutMs;
    const where = decision.vs ? ` (${decision.vs.ref})` : '';
    // Envoy's route timeout starts after the fault filter's delay and spans every retry.
    const tryOnce = (k: number, elapsed: number): Dist<HopResult> =>
      resolved.endpoints.flatMap((e) =>
        this.node(destService, e.workload, e.version, delivered, depth).flatMap(({ p: np, v: n }): Dist<HopResult> => {
          const pe = e.probability * np;
          const u = n.latencyMs;
          const perTry = perTryTimeoutMs !== undefined && u > perTryTimeoutMs;
          const tryEnd = perTry ? perTryTimeoutMs! : u;
          const notes = [delayNote, k > 0 ? `try ${k + 1}` : undefined].filter(Boolean);
          const segment = `${destService} ${e.version}${notes.length ? ` (${notes.join(', ')})` : ''}`;
          const cause = n.cause && n.latencyMs > 0 ? n.cause : u > 0 ? `${destService} answered after ${formatMs(u)}` : undefined;
          const base = { path: [segment, ...n.path], annotated: n.annotated || notes.length > 0, ...(cause ? { cause } : {}) };
          if (routeTimeout !== undefined && elapsed + tryEnd > routeTimeout) {
            return [{ p: pe, v: { ...base, ok: false, status: 504, latencyMs: delayMs + routeTimeout, annotated: true, reason: `Istio timeout ${formatMs(routeTimeout)} on ${service}${where}${cause ? `; ${cause}` : ''}` } }];
          }
          if (perTry) {
            if (retryTimeouts && k < retries) return tryOnce(k + 1, elapsed + perTryTimeoutMs!).map((b) => ({ p: pe * b.p, v: b.v }));
            return [{ p: pe, v: { ...base, ok: false, status: 504, latencyMs: delayMs + elapsed + perTryTimeoutMs!, annotated: true, reason: `Istio perTryTimeout ${formatMs(perTryTimeoutMs!)} x ${plural(k + 1, 'try', 'tries')} on ${service}${where}${cause ? `; ${cause}` : ''}` } }];
          }
          const v: HopResult = { ...base, ok: true, status: 200, latencyMs: delayMs + elapsed + u };
          if (n.outcome) v.outcome = n.outcome;
          if (n.reason) v.reason = n.reason;
          if (delayMs > 0 && delayMs >= n.latencyMs) v.cause = `${destService} answered after ${formatMs(v.latencyMs)}`;
          return [{ p: pe, v }];
        }),
      );
    return merge(tryOnce(0, 0));
  }

  /** Warnings for the parts of a matched rule the model does not follow, so a prediction never hides them. */
  private warnAbout(decision: RouteDecision): void {
    if (decision.kind === 'no-route' || !decision.vs) return;
    const where = `${decision.vs.ref} rule ${decision.rule ?? '?'}`;
    const userHeader = this.graph.entry.userHeader;
    for (const u of decision.unmodelled) {
      if (u.requestHeaders.includes(userHeader)) {
        this.warnings.add(
          `${where} changes the ${userHeader} request header (${u.field}), which the simulator does not apply: ` +
            `routing after this hop is predicted with the original ${userHeader}, so the per-user results may be wrong.`,
        );
      } else if (u.field === 'mirror' || u.field === 'mirrors') {
        this.warnings.add(`${where} mirrors requests (${u.field}), which the simulator does not model: Envoy discards mirrored responses, so pages are unaffected, but the mirror's load and faults are not shown.`);
      } else if (u.field === 'rewrite') {
        this.warnings.add(`${where} rewrites the request (rewrite), which the simulator does not apply: later uri and authority matches are predicted on the original request.`);
      } else {
        const names = u.requestHeaders.length > 0 ? ` ${u.requestHeaders.join(', ')}` : '';
        this.warnings.add(`${where} uses ${u.field}${names}, which the simulator does not apply: the prediction treats the request and response as unchanged.`);
      }
    }
    if (decision.kind === 'route' && decision.faultWith) {
      this.warnings.add(
        `${where} combines a fault with its own ${decision.faultWith.join(' and ')}. The VirtualService reference says ` +
          `"timeouts or retries will not be enabled when faults are enabled on the client side"; the simulator follows the ` +
          `Envoy route Istio generates: injected faults bypass the ${decision.faultWith.join(' and ')}, requests the fault spares still get them ` +
          `(docs/simulate.md). Put the fault in its own rule to test one thing at a time.`,
      );
    }
  }

  private recordEdges(from: string, service: string, decision: RouteDecision, clientNs: string): void {
    const key = `${from}|${service}`;
    if (this.edges.has(key)) return;
    const edges: RouteEdge[] = [];
    if (decision.kind === 'no-route') edges.push({ from, to: `${service} (no route)`, probability: 1, fault: 'HTTP 404' });
    else if (decision.kind === 'direct-response') edges.push({ from, to: `${service} (direct response)`, probability: 1, fault: `HTTP ${decision.status}` });
    else {
      const abortP = decision.abort?.probability ?? 0;
      const delay = decision.delay && decision.delay.probability > 0
        ? `delay ${formatMs(decision.delay.ms)}${decision.delay.probability < 1 ? ` on ${pct(decision.delay.probability)}` : ''}`
        : undefined;
      if (abortP > 0) edges.push({ from, to: `${service} (abort ${decision.abort!.status})`, probability: abortP, fault: `abort ${decision.abort!.status}` });
      for (const d of decision.destinations) {
        const resolved = resolveEndpoints(this.mesh, d.host, d.subset, this.graph.versionLabel, clientNs);
        const name = this.mesh.services.get(d.host)?.name ?? service;
        if (!resolved.ok) {
          edges.push({ from, to: `${name} (unreachable)`, probability: d.probability * (1 - abortP), fault: `HTTP ${resolved.status}` });
          continue;
        }
        for (const e of resolved.endpoints) {
          const edge: RouteEdge = { from, to: `${name} ${e.version}`, probability: d.probability * e.probability * (1 - abortP) };
          if (delay) edge.fault = delay;
          edges.push(edge);
        }
      }
    }
    // Several subsets can land on the same version; the picture shows one arrow per version.
    const combined = new Map<string, RouteEdge>();
    for (const e of edges) {
      const k = `${e.to}|${e.fault ?? ''}`;
      const seen = combined.get(k);
      if (seen) seen.probability += e.probability;
      else combined.set(k, { ...e });
    }
    this.edges.set(key, [...combined.values()].filter((e) => e.probability > 0).map((e) => ({ ...e, probability: round(e.probability) })));
  }
}

/** Simulates every user's page for a rendered manifest set. */
export function simulate(resources: readonly SourcedResource[], graph: CallGraph, options: SimulationOptions): SimulationResult {
  const mesh = buildMesh(resources);
  const sim = new Simulator(mesh, graph);
  const users = (options.users ?? defaultUsers(resources, graph)).map((u) => (u === 'anonymous' ? null : u));
  const unique = users.filter((u, i) => users.indexOf(u) === i);
  const results: UserResult[] = unique.map((user) => {
    sim.resetEdges();
    // Identical outcome, latency and path merge; the most likely branch's reason speaks for them.
    const grouped = new Map<string, { p: number; best: number; v: PredictedOutcome }>();
    for (const b of sim.page(user)) {
      const key = JSON.stringify([b.v.outcome, b.v.latencyMs, b.v.path]);
      const seen = grouped.get(key);
      if (!seen) grouped.set(key, { p: b.p, best: b.p, v: b.v });
      else {
        seen.p += b.p;
        if (b.p > seen.best) Object.assign(seen, { best: b.p, v: b.v });
      }
    }
    const outcomes = [...grouped.values()]
      .map((g) => ({ ...g.v, probability: round(g.p) }))
      .sort((a, b) => b.probability - a.probability || a.outcome.localeCompare(b.outcome) || a.latencyMs - b.latencyMs);
    return { user, outcomes, edges: sim.collectEdges() };
  });
  const canaries = canaryTimelines(mesh.canaries, options.failFrom === undefined ? {} : { failFrom: options.failFrom });
  return { target: options.target, users: results, canaries, warnings: [...sim.warnings] };
}
