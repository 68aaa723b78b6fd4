// Flagger Canary checks: the target and its ports, the analysis settings Flagger would reject or act on
// badly, webhooks that cannot resolve, unknown metrics, and hand-written routing that fights the Canary.
import type { SourcedResource } from '../manifests.ts';
import { arr, dnsQualify, nameOf, nsOf, num, parseDuration, qualify, rec, ref, specOf, str, type Collector, type Model, type Obj } from './model.ts';

/** Metrics every Flagger mesh provider implements without a MetricTemplate. */
export const FLAGGER_BUILTIN_METRICS = ['request-success-rate', 'request-duration'];

function checkTarget(model: Model, out: Collector, canary: SourcedResource, spec: Obj): void {
  const target = rec(spec.targetRef);
  const name = str(target?.name);
  if (!target || !name) return;
  const kind = str(target.kind) ?? 'Deployment';
  const ns = nsOf(canary);
  const workload = model.workloadsIn(ns).find((w) => w.kind === kind && w.name === name);
  if (!workload) {
    out.add('canary-target-not-found', canary, '/spec/targetRef/name', `${ref(canary)} targets ${kind} ${ns}/${name}, which is not in the rendered set.`);
    return;
  }
  const service = rec(spec.service);
  if (!service) return;
  const field = service.targetPort !== undefined ? 'targetPort' : 'port';
  const wanted = service[field];
  if (typeof wanted !== 'number' && typeof wanted !== 'string') return;
  const ports = arr(workload.podSpec.containers).flatMap((c) => arr(rec(c)?.ports).map((p) => rec(p) ?? {}));
  const exposed = ports.some((p) => (typeof wanted === 'number' ? num(p.containerPort) === wanted : str(p.name) === wanted));
  if (!exposed) {
    const listed = ports.map((p) => (p.name ? `${String(p.name)}/${String(p.containerPort)}` : String(p.containerPort))).join(', ') || 'none';
    out.add(
      'canary-port-not-exposed',
      canary,
      `/spec/service/${field}`,
      `${ref(canary)} service.${field} ${JSON.stringify(wanted)} is not exposed by the containers of ${ref(workload.res)} (ports: ${listed}).`,
    );
  }
}

function checkWeights(out: Collector, canary: SourcedResource, analysis: Obj, base: string): void {
  const inRange = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100;
  for (const field of ['stepWeight', 'maxWeight'] as const) {
    if (analysis[field] !== undefined && !inRange(analysis[field])) {
      out.add('canary-weights-invalid', canary, `${base}/${field}`, `${ref(canary)} analysis.${field} is ${JSON.stringify(analysis[field])}; it must be a whole number from 1 to 100.`);
    }
  }
  arr(analysis.stepWeights).forEach((w, k) => {
    if (!inRange(w)) out.add('canary-weights-invalid', canary, `${base}/stepWeights/${k}`, `${ref(canary)} analysis.stepWeights[${k}] is ${JSON.stringify(w)}; it must be from 1 to 100.`);
  });
  const step = num(analysis.stepWeight);
  const max = num(analysis.maxWeight);
  if (step !== undefined && max !== undefined && inRange(step) && inRange(max) && step > max) {
    out.add('canary-weights-invalid', canary, `${base}/stepWeight`, `${ref(canary)} analysis.stepWeight ${step} is greater than maxWeight ${max}, so the first step overshoots.`);
  }
}

function checkDurations(out: Collector, canary: SourcedResource, analysis: Obj, base: string): void {
  const check = (value: unknown, pointer: string, label: string): void => {
    if (value === undefined) return;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) {
      out.add('canary-interval-invalid', canary, pointer, `${ref(canary)} ${label} ${JSON.stringify(value)} is not a positive duration.`);
    }
  };
  check(analysis.interval, `${base}/interval`, 'analysis.interval');
  arr(analysis.metrics).forEach((m, k) => check(rec(m)?.interval, `${base}/metrics/${k}/interval`, `metric ${k} interval`));
  arr(analysis.webhooks).forEach((w, k) => check(rec(w)?.timeout, `${base}/webhooks/${k}/timeout`, `webhook ${k} timeout`));
}

function checkWebhooks(model: Model, out: Collector, canary: SourcedResource, analysis: Obj, base: string): void {
  arr(analysis.webhooks).forEach((raw, k) => {
    const hook = rec(raw);
    const url = str(hook?.url);
    if (!hook || url === undefined) return;
    const pointer = `${base}/webhooks/${k}/url`;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      out.add('canary-webhook-host-not-found', canary, pointer, `${ref(canary)} webhook "${String(hook.name ?? k)}" has URL ${JSON.stringify(url)}, which does not parse.`);
      return;
    }
    const fqdn = dnsQualify(host, nsOf(canary));
    // Unlike routes, a webhook host is checked even in a namespace the unit does not render: the seed's
    // `flagger-loadtester.default` must resolve to the load tester that this repository deploys.
    if (fqdn && !model.registry.has(fqdn)) {
      out.add(
        'canary-webhook-host-not-found',
        canary,
        pointer,
        `${ref(canary)} webhook "${String(hook.name ?? k)}" calls host "${host}", which matches no rendered Service (looked for ${fqdn}).`,
      );
    }
  });
}

function checkMetrics(model: Model, out: Collector, canary: SourcedResource, analysis: Obj, base: string): void {
  arr(analysis.metrics).forEach((raw, k) => {
    const metric = rec(raw);
    if (!metric) return;
    const name = str(metric.name) ?? '';
    const template = rec(metric.templateRef);
    if (!template && typeof metric.query === 'string') {
      // Deprecated since Flagger 1.0 but still run by 1.40: a warning, with the replacement.
      out.add(
        'canary-metric-inline-query',
        canary,
        `${base}/metrics/${k}/query`,
        `${ref(canary)} metric "${name}" has an inline \`query\`, which Flagger deprecates in favour of a MetricTemplate.`,
      );
      return;
    }
    if (!template) {
      if (!FLAGGER_BUILTIN_METRICS.includes(name)) {
        out.add(
          'canary-metric-unknown',
          canary,
          `${base}/metrics/${k}/name`,
          `${ref(canary)} metric "${name}" is not a Flagger built-in (${FLAGGER_BUILTIN_METRICS.join(', ')}) and has no templateRef.`,
        );
      }
      return;
    }
    const tName = str(template.name) ?? '';
    const tNs = str(template.namespace) ?? nsOf(canary);
    if (!model.byKind('MetricTemplate').some((t) => nameOf(t) === tName && nsOf(t) === tNs)) {
      out.add('canary-metric-unknown', canary, `${base}/metrics/${k}/templateRef`, `${ref(canary)} metric "${name}" refers to MetricTemplate ${tNs}/${tName}, which is not rendered.`);
    }
  });
}

/** Positions (in `byKind` order) of the resources filed under each key. */
class Positions {
  private readonly map = new Map<string, number[]>();

  add(key: string, position: number): void {
    const list = this.map.get(key);
    if (list) list.push(position);
    else this.map.set(key, [position]);
  }

  get(key: string): readonly number[] {
    return this.map.get(key) ?? [];
  }
}

/** A key for a namespaced name that no two (namespace, name) pairs share. */
function nsName(ns: string, name: string): string {
  return JSON.stringify([ns, name]);
}

/**
 * The hand-written VirtualServices and DestinationRules by the hosts they are for and by name, built once
 * for all Canaries, so that each Canary looks up its three generated names instead of scanning every object.
 */
interface RouteIndex {
  vs: SourcedResource[];
  /** Qualified host -> position of each VirtualService with that host, and where in `spec.hosts` it first is. */
  vsByHost: Map<string, { position: number; index: number }[]>;
  vsByName: Positions;
  dr: SourcedResource[];
  drByHost: Positions;
  drByName: Positions;
}

function routeIndex(model: Model): RouteIndex {
  const vs = model.byKind('VirtualService');
  const vsByHost = new Map<string, { position: number; index: number }[]>();
  const vsByName = new Positions();
  vs.forEach((res, position) => {
    vsByName.add(nsName(nsOf(res), nameOf(res)), position);
    const seen = new Set<string>();
    arr(specOf(res).hosts).forEach((h, index) => {
      if (typeof h !== 'string') return;
      const fqdn = qualify(h, nsOf(res));
      if (seen.has(fqdn)) return;
      seen.add(fqdn);
      const list = vsByHost.get(fqdn);
      if (list) list.push({ position, index });
      else vsByHost.set(fqdn, [{ position, index }]);
    });
  });
  const dr = model.byKind('DestinationRule');
  const drByHost = new Positions();
  const drByName = new Positions();
  dr.forEach((res, position) => {
    drByName.add(nsName(nsOf(res), nameOf(res)), position);
    const host = str(specOf(res).host);
    if (host !== undefined) drByHost.add(qualify(host, nsOf(res)), position);
  });
  return { vs, vsByHost, vsByName, dr, drByHost, drByName };
}

/** Hand-written VirtualServices and DestinationRules for the hosts (or object names) Flagger generates. */
function checkRouteConflicts(model: Model, out: Collector, canary: SourcedResource, routes: RouteIndex): void {
  const ns = nsOf(canary);
  const svc = model.canaryService(canary);
  const generated = [svc, `${svc}-primary`, `${svc}-canary`];
  const fqdns = new Set(generated.map((n) => qualify(n, ns)));

  // VirtualService position -> the first of its hosts that is generated, or -1 when only its name is.
  const vsHits = new Map<number, number>();
  for (const fqdn of fqdns) {
    for (const { position, index } of routes.vsByHost.get(fqdn) ?? []) {
      vsHits.set(position, Math.min(vsHits.get(position) ?? index, index));
    }
  }
  for (const position of routes.vsByName.get(nsName(ns, svc))) if (!vsHits.has(position)) vsHits.set(position, -1);
  for (const position of [...vsHits.keys()].sort((a, b) => a - b)) {
    const vs = routes.vs[position] as SourcedResource;
    const index = vsHits.get(position) as number;
    const hosts = arr(specOf(vs).hosts);
    out.add(
      'canary-route-conflict',
      vs,
      index >= 0 ? `/spec/hosts/${index}` : '/metadata/name',
      `${ref(vs)} routes host "${index >= 0 ? String(hosts[index]) : svc}", whose VirtualService ${ref(canary)} generates; the two overwrite each other.`,
    );
  }

  // DestinationRule position -> whether its host is generated (else only its name is).
  const drHits = new Map<number, boolean>();
  for (const fqdn of fqdns) for (const position of routes.drByHost.get(fqdn)) drHits.set(position, true);
  for (const name of generated.slice(1)) {
    for (const position of routes.drByName.get(nsName(ns, name))) if (!drHits.has(position)) drHits.set(position, false);
  }
  for (const position of [...drHits.keys()].sort((a, b) => a - b)) {
    const dr = routes.dr[position] as SourcedResource;
    const byHost = drHits.get(position) as boolean;
    const host = str(specOf(dr).host);
    out.add(
      'canary-route-conflict',
      dr,
      byHost ? '/spec/host' : '/metadata/name',
      `${ref(dr)} is for host "${host ?? nameOf(dr)}", whose DestinationRules ${ref(canary)} generates; the two fight over it.`,
    );
  }
}

export function checkFlagger(model: Model, out: Collector): void {
  const canaries = model.byKind('Canary');
  if (canaries.length === 0) return;
  const routes = routeIndex(model);
  for (const canary of canaries) {
    const spec = specOf(canary);
    checkTarget(model, out, canary, spec);
    checkRouteConflicts(model, out, canary, routes);
    // `canaryAnalysis` is the v1alpha name of `analysis`; both still appear in the wild.
    const key = spec.analysis !== undefined ? 'analysis' : 'canaryAnalysis';
    const analysis = rec(spec[key]);
    if (!analysis) continue;
    const base = `/spec/${key}`;
    checkWeights(out, canary, analysis, base);
    if (analysis.threshold !== undefined) {
      const t = analysis.threshold;
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) {
        out.add('canary-threshold-invalid', canary, `${base}/threshold`, `${ref(canary)} analysis.threshold is ${JSON.stringify(t)}; it must be a whole number of at least 1.`);
      }
    }
    checkDurations(out, canary, analysis, base);
    checkWebhooks(model, out, canary, analysis, base);
    checkMetrics(model, out, canary, analysis, base);
  }
}
