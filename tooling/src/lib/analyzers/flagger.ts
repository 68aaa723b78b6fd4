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
  const workload = model.workloads.find((w) => w.kind === kind && w.name === name && w.ns === ns);
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

/** Hand-written VirtualServices and DestinationRules for the hosts (or object names) Flagger generates. */
function checkRouteConflicts(model: Model, out: Collector, canary: SourcedResource): void {
  const ns = nsOf(canary);
  const svc = model.canaryService(canary);
  const generated = [svc, `${svc}-primary`, `${svc}-canary`];
  const fqdns = new Set(generated.map((n) => qualify(n, ns)));
  for (const vs of model.byKind('VirtualService')) {
    const hosts = arr(specOf(vs).hosts);
    const index = hosts.findIndex((h) => typeof h === 'string' && fqdns.has(qualify(h, nsOf(vs))));
    const sameName = nsOf(vs) === ns && nameOf(vs) === svc;
    if (index >= 0 || sameName) {
      out.add(
        'canary-route-conflict',
        vs,
        index >= 0 ? `/spec/hosts/${index}` : '/metadata/name',
        `${ref(vs)} routes host "${index >= 0 ? String(hosts[index]) : svc}", whose VirtualService ${ref(canary)} generates; the two overwrite each other.`,
      );
    }
  }
  for (const dr of model.byKind('DestinationRule')) {
    const host = str(specOf(dr).host);
    const byHost = host !== undefined && fqdns.has(qualify(host, nsOf(dr)));
    const sameName = nsOf(dr) === ns && generated.slice(1).includes(nameOf(dr));
    if (byHost || sameName) {
      out.add(
        'canary-route-conflict',
        dr,
        byHost ? '/spec/host' : '/metadata/name',
        `${ref(dr)} is for host "${host ?? nameOf(dr)}", whose DestinationRules ${ref(canary)} generates; the two fight over it.`,
      );
    }
  }
}

export function checkFlagger(model: Model, out: Collector): void {
  for (const canary of model.byKind('Canary')) {
    const spec = specOf(canary);
    checkTarget(model, out, canary, spec);
    checkRouteConflicts(model, out, canary);
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
