// Mesh routing checks over VirtualServices, DestinationRules, Gateways and Services: the mistakes that are
// schema-valid but make Envoy answer 503, shadow a route, or silently drop a rule (istioctl analyze / Kiali).
import type { SourcedResource } from '../manifests.ts';
import {
  arr,
  clusterNamespace,
  hostsIntersect,
  labelsOf,
  nameOf,
  nsOf,
  num,
  parseDuration,
  qualify,
  rec,
  ref,
  selects,
  specOf,
  str,
  type Collector,
  type Model,
  type Obj,
} from './model.ts';
import { checkMatchRegexes } from './regex.ts';

const ROUTE_KINDS = ['http', 'tcp', 'tls'] as const;

function checkDestination(model: Model, out: Collector, vs: SourcedResource, dest: Obj, pointer: string, what: string): void {
  const host = str(dest.host);
  if (!host) return;
  const ns = nsOf(vs);
  const found = model.lookup(host, ns);
  if (!found.found) {
    if (!found.outOfView) {
      out.add('vs-host-not-found', vs, `${pointer}/host`, `${ref(vs)} ${what} host "${host}", which matches no Service or ServiceEntry (looked for ${found.fqdn}).${model.dnsOnlyHint(host, ns)}`);
    }
    return;
  }
  const { entry } = found;
  const port = num(rec(dest.port)?.number);
  if (entry.kind !== 'canary' && entry.ports.length > 0) {
    if (port !== undefined && !entry.ports.some((p) => p.port === port)) {
      out.add(
        'vs-port-not-found',
        vs,
        `${pointer}/port/number`,
        `${ref(vs)} ${what} "${host}" port ${port}, but ${ref(entry.res)} exposes only ${entry.ports.map((p) => p.port).join(', ')}.`,
      );
    } else if (port === undefined && entry.ports.length > 1) {
      out.add(
        'vs-port-required',
        vs,
        pointer,
        `${ref(vs)} ${what} "${host}", which exposes ports ${entry.ports.map((p) => p.port).join(', ')}, without selecting one.`,
      );
    }
  }
  const subset = str(dest.subset);
  if (subset !== undefined) {
    const rules = model.destinationRulesFor(found.fqdn);
    const defined = rules.some((dr) => arr(specOf(dr).subsets).some((s) => str(rec(s)?.name) === subset));
    if (!defined) {
      const where = rules.length === 0 ? 'no DestinationRule exists for that host' : `${rules.map(ref).join(', ')} defines no such subset`;
      out.add('vs-subset-not-found', vs, `${pointer}/subset`, `${ref(vs)} ${what} subset "${subset}" of "${host}", but ${where}.`);
    }
  }
}

function checkWeights(out: Collector, vs: SourcedResource, route: unknown[], pointer: string): void {
  const raw = route.map((d) => rec(d)?.weight);
  const weights = raw.map(num);
  const negative = weights.findIndex((w) => w !== undefined && w < 0);
  if (negative >= 0) {
    out.add('vs-weights-invalid', vs, `${pointer}/${negative}/weight`, `${ref(vs)} gives a destination the negative weight ${weights[negative]}.`);
    return;
  }
  // A weight that is set but not a number (`"80"`) is the schema's finding; adding it up as 0 here
  // would only add a second, misleading one.
  if (raw.some((w, i) => w !== undefined && w !== null && weights[i] === undefined)) return;
  if (route.length > 1) {
    const sum = weights.reduce<number>((a, w) => a + (w ?? 0), 0);
    if (sum !== 100) {
      const shown = weights.map((w) => (w === undefined ? 'unset' : String(w))).join(' + ');
      out.add('vs-weights-invalid', vs, pointer, `${ref(vs)} splits a route ${shown} = ${sum}, not 100 (an unset weight counts as 0).`);
    }
  } else if (route.length === 1 && weights[0] !== undefined && weights[0] !== 100) {
    out.add(
      'vs-single-destination-weight',
      vs,
      `${pointer}/0/weight`,
      `${ref(vs)} gives its only destination weight ${weights[0]}; Istio sends it 100% of the traffic regardless.`,
    );
  }
}

const FAULT_NAME = { delay: 'a delay', abort: 'an abort' } as const;

function checkFault(out: Collector, vs: SourcedResource, fault: Obj, pointer: string): void {
  for (const kind of ['delay', 'abort'] as const) {
    const f = rec(fault[kind]);
    if (!f) continue;
    const value = num(rec(f.percentage)?.value);
    if (value !== undefined && (value < 0 || value > 100)) {
      out.add('fault-percentage-range', vs, `${pointer}/${kind}/percentage/value`, `${ref(vs)} injects ${FAULT_NAME[kind]} for ${value}% of requests; a percentage must be 0..100.`);
    }
    const percent = num(f.percent);
    if (percent !== undefined && (percent < 0 || percent > 100)) {
      out.add('fault-percentage-range', vs, `${pointer}/${kind}/percent`, `${ref(vs)} injects ${FAULT_NAME[kind]} for ${percent}% of requests; a percentage must be 0..100.`);
    }
  }
  const delay = rec(fault.delay);
  if (delay && delay.fixedDelay !== undefined) {
    const ms = parseDuration(delay.fixedDelay);
    if (ms === undefined || ms < 1) {
      out.add('fault-delay-invalid', vs, `${pointer}/delay/fixedDelay`, `${ref(vs)} has fault delay ${JSON.stringify(delay.fixedDelay)}, which is not a duration of at least 1ms.`);
    }
  }
  const abort = rec(fault.abort);
  if (abort && abort.httpStatus !== undefined) {
    const status = num(abort.httpStatus);
    if (status === undefined || !Number.isInteger(status) || status < 200 || status > 599) {
      out.add('fault-abort-status', vs, `${pointer}/abort/httpStatus`, `${ref(vs)} aborts with HTTP status ${JSON.stringify(abort.httpStatus)}; it must be 200..599.`);
    }
  }
}

/** A match object matches every request when it sets nothing but its name. */
function matchesEverything(match: unknown): boolean {
  const m = rec(match);
  return !m || Object.entries(m).every(([k, v]) => k === 'name' || v === undefined || v === null);
}

/** Key-order independent text of a match, without its name, to compare two matches. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const r = rec(value);
  if (!r) return JSON.stringify(value);
  const keys = Object.keys(r).filter((k) => k !== 'name' && r[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(r[k])}`).join(',')}}`;
}

function checkShadowing(out: Collector, vs: SourcedResource, http: unknown[]): void {
  let catchAll: number | undefined;
  const seen = new Map<string, number>();
  http.forEach((raw, i) => {
    const rule = rec(raw) ?? {};
    if (catchAll !== undefined) {
      out.add('vs-unreachable-rule', vs, `/spec/http/${i}`, `${ref(vs)} http rule ${i} can never match: rule ${catchAll} before it matches every request.`);
      return;
    }
    const matches = arr(rule.match);
    const own: string[] = [];
    matches.forEach((m, k) => {
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier !== undefined && !matchesEverything(m)) {
        out.add('vs-ineffective-match', vs, `/spec/http/${i}/match/${k}`, `${ref(vs)} http rule ${i} repeats match ${key} of rule ${earlier}, so it never applies.`);
      }
      own.push(key);
    });
    for (const key of own) if (!seen.has(key)) seen.set(key, i);
    if (matches.length === 0 || matches.some(matchesEverything)) catchAll = i;
  });
}

/** The Gateway a VirtualService names, as { ns, name }; `mesh` is the sidecars, not an object. */
function gatewayRef(text: string, vsNs: string): { ns: string; name: string } | undefined {
  if (text === 'mesh') return undefined;
  if (text.includes('/')) {
    const [ns, name] = text.split('/', 2) as [string, string];
    return { ns, name };
  }
  const parts = text.split('.');
  if (parts.length > 1) return { name: parts[0] as string, ns: parts[1] as string };
  return { ns: vsNs, name: text };
}

function gatewayServes(gw: SourcedResource, host: string, vsNs: string): boolean {
  return arr(specOf(gw).servers).some((server) =>
    arr(rec(server)?.hosts).some((raw) => {
      if (typeof raw !== 'string') return false;
      let hostPart = raw;
      if (raw.includes('/')) {
        const [nsPart, h] = raw.split('/', 2) as [string, string];
        const allowed = nsPart === '*' || (nsPart === '.' ? nsOf(gw) === vsNs : nsPart === vsNs);
        if (!allowed) return false;
        hostPart = h;
      }
      return hostsIntersect(hostPart, host);
    }),
  );
}

function checkVirtualService(model: Model, out: Collector, vs: SourcedResource): void {
  const spec = specOf(vs);
  const ns = nsOf(vs);
  for (const kind of ROUTE_KINDS) {
    arr(spec[kind]).forEach((raw, i) => {
      const rule = rec(raw);
      if (!rule) return;
      const route = arr(rule.route);
      route.forEach((d, j) => {
        const dest = rec(rec(d)?.destination);
        if (dest) checkDestination(model, out, vs, dest, `/spec/${kind}/${i}/route/${j}/destination`, 'routes to');
      });
      checkWeights(out, vs, route, `/spec/${kind}/${i}/route`);
      if (kind !== 'http') return;
      const mirror = rec(rule.mirror);
      if (mirror) checkDestination(model, out, vs, mirror, `/spec/http/${i}/mirror`, 'mirrors to');
      arr(rule.mirrors).forEach((m, k) => {
        const dest = rec(rec(m)?.destination);
        if (dest) checkDestination(model, out, vs, dest, `/spec/http/${i}/mirrors/${k}/destination`, 'mirrors to');
      });
      const fault = rec(rule.fault);
      if (fault) checkFault(out, vs, fault, `/spec/http/${i}/fault`);
      checkMatchRegexes(out, vs, rule, i);
    });
  }
  checkShadowing(out, vs, arr(spec.http));

  const hosts = arr(spec.hosts).filter((h): h is string => typeof h === 'string');
  arr(spec.gateways).forEach((raw, k) => {
    if (typeof raw !== 'string') return;
    const target = gatewayRef(raw, ns);
    if (!target) return;
    if (!model.namespaces.has(target.ns)) return;
    const gw = model.byKind('Gateway').find((g) => nameOf(g) === target.name && nsOf(g) === target.ns);
    if (!gw) {
      out.add('vs-gateway-not-found', vs, `/spec/gateways/${k}`, `${ref(vs)} is bound to gateway "${raw}", but no Gateway ${target.ns}/${target.name} is rendered.`);
      return;
    }
    hosts.forEach((host, h) => {
      if (!gatewayServes(gw, host, ns)) {
        out.add('vs-host-not-in-gateway', vs, `/spec/hosts/${h}`, `${ref(vs)} host "${host}" is not served by any server of ${ref(gw)}.`);
      }
    });
  });
}

function onMesh(vs: SourcedResource): boolean {
  const gateways = arr(specOf(vs).gateways);
  return gateways.length === 0 || gateways.includes('mesh');
}

function checkMeshConflicts(model: Model, out: Collector): void {
  const byHost = new Map<string, { vs: SourcedResource; index: number; host: string }[]>();
  for (const vs of model.byKind('VirtualService')) {
    if (!onMesh(vs)) continue;
    arr(specOf(vs).hosts).forEach((host, index) => {
      if (typeof host !== 'string') return;
      const key = qualify(host, nsOf(vs));
      const list = byHost.get(key) ?? [];
      if (!list.some((e) => e.vs === vs)) list.push({ vs, index, host });
      byHost.set(key, list);
    });
  }
  for (const [fqdn, list] of byHost) {
    if (list.length < 2) continue;
    for (const entry of list) {
      const others = list.filter((e) => e !== entry).map((e) => ref(e.vs));
      out.add('vs-conflicting-mesh-host', entry.vs, `/spec/hosts/${entry.index}`, `${ref(entry.vs)} and ${others.join(', ')} both route host ${fqdn} on the mesh gateway.`);
    }
  }
}

function checkDestinationRules(model: Model, out: Collector): void {
  const byHost = new Map<string, SourcedResource[]>();
  const unitHasWorkloads = model.workloads.length > 0;
  for (const dr of model.byKind('DestinationRule')) {
    const spec = specOf(dr);
    const host = str(spec.host);
    if (!host) continue;
    const found = model.lookup(host, nsOf(dr));
    byHost.set(found.fqdn, [...(byHost.get(found.fqdn) ?? []), dr]);
    if (!found.found) {
      if (!found.outOfView) out.add('dr-host-not-found', dr, '/spec/host', `${ref(dr)} is for host "${host}", which matches no Service or ServiceEntry (looked for ${found.fqdn}).${model.dnsOnlyHint(host, nsOf(dr))}`);
    }
    // The Services whose pods the subsets choose from: the host's own, or every one a wildcard host covers.
    const candidates = found.fqdn.includes('*') ? model.covered(found.fqdn) : found.found ? [[found.fqdn, found.entry] as const] : [];
    const services = candidates.flatMap(([fqdn, entry]) =>
      entry.kind === 'service' && entry.selector ? [{ ns: clusterNamespace(fqdn), selector: entry.selector }] : [],
    );
    arr(spec.subsets).forEach((raw, k) => {
      const subset = rec(raw) ?? {};
      const name = str(subset.name) ?? `#${k}`;
      const labels = labelsOf(subset.labels);
      if (Object.keys(labels).length === 0) {
        out.add('dr-subset-no-labels', dr, `/spec/subsets/${k}`, `${ref(dr)} subset "${name}" has no labels, so it selects every pod of "${host}".`);
        return;
      }
      // Without a selector of the host's Services, or without any workload in the unit, the pods are out of view.
      if (services.length === 0 || !unitHasWorkloads) return;
      const pods = model.workloads.filter((w) => services.some((svc) => w.ns === svc.ns && selects(svc.selector, w.podLabels)));
      if (!pods.some((w) => selects(labels, w.podLabels))) {
        const shown = Object.entries(labels).map(([k2, v]) => `${k2}=${v}`).join(',');
        out.add(
          'dr-subset-no-pods',
          dr,
          `/spec/subsets/${k}/labels`,
          `${ref(dr)} subset "${name}" selects ${shown}, which no pod of "${host}" carries${pods.length ? ` (workloads: ${pods.map((w) => w.name).join(', ')})` : ''}.`,
        );
      }
    });
  }
  for (const [fqdn, list] of byHost) {
    if (list.length < 2) continue;
    for (const dr of list) {
      const others = list.filter((d) => d !== dr).map(ref);
      out.add('dr-duplicate-host', dr, '/spec/host', `${ref(dr)} and ${others.join(', ')} are both for host ${fqdn}.`);
    }
  }
}

const PROTOCOL_PORT_NAME = /^(grpc|grpc-web|http|http2|https|mongo|mysql|redis|tcp|tls|udp)(-.*)?$/i;

function checkServicePorts(model: Model, out: Collector): void {
  for (const svc of model.byKind('Service')) {
    arr(specOf(svc).ports).forEach((raw, k) => {
      const port = rec(raw);
      if (!port || str(port.appProtocol)) return;
      const name = str(port.name);
      if (name !== undefined && PROTOCOL_PORT_NAME.test(name)) return;
      const shown = name === undefined ? 'has no name' : `is named "${name}"`;
      out.add('service-port-name', svc, `/spec/ports/${k}${name === undefined ? '' : '/name'}`, `${ref(svc)} port ${String(port.port)} ${shown}, so Istio cannot tell its protocol.`);
    });
  }
}

export function checkRouting(model: Model, out: Collector): void {
  for (const vs of model.byKind('VirtualService')) checkVirtualService(model, out, vs);
  checkMeshConflicts(model, out);
  checkDestinationRules(model, out);
  checkServicePorts(model, out);
}
