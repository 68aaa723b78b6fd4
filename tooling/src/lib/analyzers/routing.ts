// Mesh routing checks over VirtualServices, DestinationRules, Gateways and Services: the mistakes that are
// schema-valid but make Envoy answer 503, shadow a route, or silently drop a rule (istioctl analyze / Kiali).
import type { SourcedResource } from '../manifests.ts';
import {
  arr,
  clusterNamespace,
  hasLabels,
  hostsIntersect,
  labelsOf,
  nameOf,
  nsOf,
  num,
  rec,
  ref,
  selects,
  specOf,
  str,
  type Collector,
  type Lookup,
  type Model,
  type Obj,
  type RegistryEntry,
  type Workload,
} from './model.ts';
import { checkMatchRegexes, fieldHasRegex } from './regex.ts';

// The checks below run for every rule, destination and match of every VirtualService, and a unit can hold
// thousands: they use index loops (a for-of allocates an iterator in code not yet optimized) and build JSON
// pointers and messages only for a finding.

type RouteKind = 'http' | 'tcp' | 'tls';

/**
 * One rule of a VirtualService, at `/spec/<kind>/<index>`. A VirtualService's checks move one of these
 * from rule to rule; nothing keeps it past the call it is passed to.
 */
interface RuleAt {
  vs: SourcedResource;
  /** The VirtualService's namespace, worked out once for all of its destinations. */
  ns: string;
  kind: RouteKind;
  index: number;
}

function rulePointer(at: RuleAt): string {
  return `/spec/${at.kind}/${at.index}`;
}

/** Where a rule holds a destination: `route/<k>/destination`, `mirror`, or `mirrors/<k>/destination`. */
type DestinationField = 'route' | 'mirror' | 'mirrors';

function destinationPointer(at: RuleAt, field: DestinationField, k: number): string {
  return field === 'mirror' ? `${rulePointer(at)}/mirror` : `${rulePointer(at)}/${field}/${k}/destination`;
}

function verb(field: DestinationField): string {
  return field === 'route' ? 'routes to' : 'mirrors to';
}

/** A destination whose host resolved, for the port and subset checks. */
interface ResolvedDestination {
  at: RuleAt;
  field: DestinationField;
  k: number;
  dest: Obj;
  host: string;
  fqdn: string;
  entry: RegistryEntry;
}

// The checks of a destination are split so that none of the closures they use is in `checkDestination`
// itself: a function with a closure allocates its variables' context on every call, and this one runs
// for every destination of every VirtualService.
function checkDestination(model: Model, out: Collector, at: RuleAt, dest: Obj, field: DestinationField, k: number): void {
  const host = dest.host;
  if (typeof host !== 'string' || host === '') return;
  const { vs, ns } = at;
  const found = model.lookup(host, ns);
  if (!found.found) {
    if (!found.outOfView) {
      out.add('vs-host-not-found', vs, `${destinationPointer(at, field, k)}/host`, `${ref(vs)} ${verb(field)} host "${host}", which matches no Service or ServiceEntry (looked for ${found.fqdn}).${model.dnsOnlyHint(host, ns)}`);
    }
    return;
  }
  const resolved: ResolvedDestination = { at, field, k, dest, host, fqdn: found.fqdn, entry: found.entry };
  checkDestinationPort(out, resolved);
  checkDestinationSubset(model, out, resolved);
}

function checkDestinationPort(out: Collector, { at, field, k, dest, host, entry }: ResolvedDestination): void {
  const { vs } = at;
  const port = num(rec(dest.port)?.number);
  if (entry.kind === 'canary' || entry.ports.length === 0) return;
  if (port !== undefined && !entry.ports.some((p) => p.port === port)) {
    out.add(
      'vs-port-not-found',
      vs,
      `${destinationPointer(at, field, k)}/port/number`,
      `${ref(vs)} ${verb(field)} "${host}" port ${port}, but ${ref(entry.res)} exposes only ${entry.ports.map((p) => p.port).join(', ')}.`,
    );
  } else if (port === undefined && entry.ports.length > 1) {
    out.add(
      'vs-port-required',
      vs,
      destinationPointer(at, field, k),
      `${ref(vs)} ${verb(field)} "${host}", which exposes ports ${entry.ports.map((p) => p.port).join(', ')}, without selecting one.`,
    );
  }
}

function checkDestinationSubset(model: Model, out: Collector, { at, field, k, dest, host, fqdn }: ResolvedDestination): void {
  const subset = str(dest.subset);
  if (subset === undefined) return;
  const { vs } = at;
  const rules = model.destinationRulesFor(fqdn);
  const defined = rules.some((dr) => arr(specOf(dr).subsets).some((s) => str(rec(s)?.name) === subset));
  if (!defined) {
    const where = rules.length === 0 ? 'no DestinationRule exists for that host' : `${rules.map(ref).join(', ')} defines no such subset`;
    out.add('vs-subset-not-found', vs, `${destinationPointer(at, field, k)}/subset`, `${ref(vs)} ${verb(field)} subset "${subset}" of "${host}", but ${where}.`);
  }
}

/**
 * The weights findings of a route, from what `checkRouteRule` gathered while it read each destination (so
 * the route is read once): the first weight, the index of the first negative one (-1: none), whether a
 * weight is set but not a number, and the sum with unset weights counted as 0. No list is built unless a
 * message needs one.
 */
function checkWeights(out: Collector, at: RuleAt, route: readonly unknown[], first: number | undefined, negative: number, notNumber: boolean, sum: number): void {
  const { vs } = at;
  // A negative weight is istiod's rejection (istio-weight-invalid, validate/admission.ts); a sum that
  // includes it would only add a second, misleading finding.
  if (negative >= 0) return;
  // A weight that is set but not a number (`"80"`) is the schema's finding; adding it up as 0 here
  // would only add a second, misleading one.
  if (notNumber) return;
  if (route.length > 1) {
    if (sum !== 100) {
      const shown = route.map((d) => num(rec(d)?.weight) ?? 'unset').join(' + ');
      out.add('vs-weights-invalid', vs, `${rulePointer(at)}/route`, `${ref(vs)} splits a route ${shown} = ${sum}, not 100 (an unset weight counts as 0).`);
    }
  } else if (route.length === 1 && first !== undefined && first !== 100) {
    out.add(
      'vs-single-destination-weight',
      vs,
      `${rulePointer(at)}/route/0/weight`,
      `${ref(vs)} gives its only destination weight ${first}; Istio sends it 100% of the traffic regardless.`,
    );
  }
}

/**
 * Key-order independent text of a match, without its name, to compare two matches: JSON with sorted keys.
 * Written as loops that append to one string, since it runs for every match of every VirtualService.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // `join` writes an element JSON cannot express (undefined) as nothing.
      text += (canonical(value[i]) as string | undefined) ?? '';
    }
    return `${text}]`;
  }
  const r = rec(value);
  if (!r) return JSON.stringify(value);
  const keys = Object.keys(r);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (let n = 0; n < keys.length; n++) {
    const k = keys[n] as string;
    if (k === 'name' || r[k] === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(k)}:${canonical(r[k])}`;
  }
  return `${text}}`;
}

/** A match object matches every request when it sets nothing but its name. (`scanMatches` works this out itself as it reads each match.) */
function matchesEverything(match: unknown): boolean {
  const m = rec(match);
  if (!m) return true;
  const keys = Object.keys(m);
  for (let n = 0; n < keys.length; n++) {
    const k = keys[n] as string;
    if (k !== 'name' && m[k] !== undefined && m[k] !== null) return false;
  }
  return true;
}

/** Past this many matches in one VirtualService, the shadowing check stops comparing fields pairwise. */
const PAIRWISE_MATCHES = 32;

/**
 * What one read of the `match` lists of a VirtualService's HTTP rules finds, so that each match is read
 * once for the regex check and the shadowing check, and the shadowing check runs only when it can find
 * something. One scan serves every VirtualService in turn (`startScan` resets it; checks never nest).
 */
const scan = {
  /** The first HTTP rule that matches every request (no match, or one that sets nothing), or -1. */
  catchAll: -1,
  /** Matches read so far. */
  n: 0,
  /**
   * Whether a match of one rule could repeat a match of another, judged by the fields they set. Most
   * VirtualServices match on different fields in each rule (a header here, a URI prefix there), and then
   * no canonical text needs building at all.
   */
  mayRepeat: false,
  /** The fields (see `matchFields`) of the first `PAIRWISE_MATCHES` matches, and the rule of each. */
  fields: new Array<string>(PAIRWISE_MATCHES),
  rules: new Array<number>(PAIRWISE_MATCHES),
};

function startScan(): void {
  scan.catchAll = -1;
  scan.n = 0;
  scan.mayRepeat = false;
}

/** The fields a match sets, sorted (part of its canonical text): matches that set different fields differ. */
function matchFields(m: Obj): string {
  return Object.keys(m)
    .filter((k) => k !== 'name' && m[k] !== undefined)
    .sort()
    .join(',');
}

/**
 * Reads the matches of HTTP rule `i` into `scan`; returns whether one has a regex to check. It runs for
 * every match of every VirtualService: one walk over each match's keys gives its fields, whether it
 * matches everything, and whether it has a regex.
 */
function scanMatches(rule: Obj | undefined, i: number): boolean {
  const matches = arr(rule?.match);
  let everything = matches.length === 0;
  let regex = false;
  for (let k = 0; k < matches.length; k++) {
    const m = matches[k] as Obj;
    let broad = true;
    let fields = '';
    let count = 0;
    // `rec`, written out (see `checkRouteRule`).
    if (typeof m === 'object' && m !== null && !Array.isArray(m)) {
      // for-in rather than Object.keys: no list per match, and on objects fresh from the parser Object.keys
      // takes V8's slow path (about ten times the cost) until code is optimized.
      for (const key in m) {
        if (!Object.hasOwn(m, key)) continue;
        const value = m[key];
        if (key === 'name' || value === undefined) continue;
        if (value !== null) broad = false;
        if (count++ === 0) fields = key;
        if (!regex) regex = fieldHasRegex(key, value);
      }
      // The usual match sets one field, which is then the answer, with no list to filter and join.
      if (count > 1 && !scan.mayRepeat) fields = matchFields(m);
    }
    if (broad) everything = true;
    if (scan.mayRepeat) continue;
    const n = scan.n++;
    if (n >= PAIRWISE_MATCHES) {
      scan.mayRepeat = true;
      continue;
    }
    for (let q = 0; q < n; q++) {
      if (scan.rules[q] !== i && scan.fields[q] === fields) {
        scan.mayRepeat = true;
        break;
      }
    }
    scan.fields[n] = fields;
    scan.rules[n] = i;
  }
  if (everything && scan.catchAll < 0) scan.catchAll = i;
  return regex;
}

/**
 * Unreachable rules and repeated matches. Called only when the scan says it can find one: a rule that
 * matches everything before the last rule, or a match that may repeat another.
 */
function checkShadowing(out: Collector, vs: SourcedResource, http: readonly unknown[]): void {
  /** Canonical match -> the first rule that has it; only when some match may repeat another. */
  const seen = scan.mayRepeat ? new Map<string, number>() : undefined;
  let catchAll: number | undefined;
  for (let i = 0; i < http.length; i++) {
    if (catchAll !== undefined) {
      out.add('vs-unreachable-rule', vs, `/spec/http/${i}`, `${ref(vs)} http rule ${i} can never match: rule ${catchAll} before it matches every request.`);
      continue;
    }
    const matches = arr(rec(http[i])?.match);
    let everything = matches.length === 0;
    for (let k = 0; k < matches.length; k++) {
      const m = matches[k];
      const broad = matchesEverything(m);
      everything ||= broad;
      if (!seen) continue;
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, i);
      else if (earlier < i && !broad) {
        out.add('vs-ineffective-match', vs, `/spec/http/${i}/match/${k}`, `${ref(vs)} http rule ${i} repeats match ${key} of rule ${earlier}, so it never applies.`);
      }
    }
    if (everything) catchAll = i;
  }
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

type GatewayFinder = (ns: string, name: string) => SourcedResource | undefined;

/** The first rendered Gateway of each namespace and name, for the VirtualServices that bind to one. */
function gatewayFinder(model: Model): GatewayFinder {
  const byNs = new Map<string, Map<string, SourcedResource>>();
  for (const gw of model.byKind('Gateway')) {
    let byName = byNs.get(nsOf(gw));
    if (!byName) byNs.set(nsOf(gw), (byName = new Map()));
    if (!byName.has(nameOf(gw))) byName.set(nameOf(gw), gw);
  }
  return (ns, name) => byNs.get(ns)?.get(name);
}

/**
 * One `http`, `tcp` or `tls` rule: its destinations and weights; for HTTP, its mirrors, fault and, when
 * the scan found one (`regexes`), its regexes. A field the rule does not set is passed over before any
 * helper is called: most rules set a route, and little else.
 */
function checkRouteRule(model: Model, out: Collector, at: RuleAt, rule: Obj, regexes: boolean): void {
  const route = arr(rule.route);
  // One pass over the route: each destination's checks, and the weights tallied for `checkWeights`
  // (the findings of the destinations come first, then those of the weights, as they always have).
  // `rec` and `num` are written out: this runs for every destination of every VirtualService, and until
  // V8 optimizes it, a call costs as much as the test it makes.
  let first: number | undefined;
  let negative = -1;
  let notNumber = false;
  let sum = 0;
  for (let k = 0; k < route.length; k++) {
    const entry = route[k];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const dest = (entry as Obj).destination;
    if (typeof dest === 'object' && dest !== null && !Array.isArray(dest)) checkDestination(model, out, at, dest as Obj, 'route', k);
    const raw = (entry as Obj).weight;
    if (raw === undefined || raw === null) continue;
    const weight = typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
    if (k === 0) first = weight;
    if (weight === undefined) notNumber = true;
    else {
      if (weight < 0 && negative < 0) negative = k;
      sum += weight;
    }
  }
  checkWeights(out, at, route, first, negative, notNumber, sum);
  if (at.kind !== 'http') return;
  if (rule.mirror !== undefined) {
    const mirror = rec(rule.mirror);
    if (mirror) checkDestination(model, out, at, mirror, 'mirror', 0);
  }
  if (rule.mirrors !== undefined) {
    const mirrors = arr(rule.mirrors);
    for (let k = 0; k < mirrors.length; k++) {
      const dest = rec(rec(mirrors[k])?.destination);
      if (dest) checkDestination(model, out, at, dest, 'mirrors', k);
    }
  }
  if (regexes) checkMatchRegexes(out, at.vs, rule, at.index);
}

/** The `http`, `tcp` or `tls` rules of a VirtualService (`rules` is what that field holds). */
function checkRouteRules(model: Model, out: Collector, at: RuleAt, kind: RouteKind, rules: unknown): void {
  if (!Array.isArray(rules)) return;
  at.kind = kind;
  for (let index = 0; index < rules.length; index++) {
    const raw = rules[index];
    const rule = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Obj) : undefined;
    // Every HTTP rule is scanned, even one that is not an object: it has no matches, so it matches every
    // request, which the scan must know (`scan.catchAll`).
    const regexes = kind === 'http' && scanMatches(rule, index);
    at.index = index;
    if (rule) checkRouteRule(model, out, at, rule, regexes);
  }
}

function checkVirtualService(model: Model, out: Collector, vs: SourcedResource, spec: Obj, ns: string, findGateway: GatewayFinder): void {
  const at: RuleAt = { vs, ns, kind: 'http', index: 0 };
  startScan();
  // A field the VirtualService does not set is passed over before any call (most set only `http`).
  const http = spec.http;
  checkRouteRules(model, out, at, 'http', http);
  if (spec.tcp !== undefined) checkRouteRules(model, out, at, 'tcp', spec.tcp);
  if (spec.tls !== undefined) checkRouteRules(model, out, at, 'tls', spec.tls);
  if (scan.mayRepeat || (scan.catchAll >= 0 && scan.catchAll < arr(http).length - 1)) checkShadowing(out, vs, arr(http));
  if (spec.gateways !== undefined) {
    const gateways = arr(spec.gateways);
    if (gateways.length > 0) checkGateways(model, out, vs, gateways, findGateway);
  }
}

/** The Gateways a VirtualService is bound to exist and serve its hosts. (Apart: it has closures, see `checkDestination`.) */
function checkGateways(model: Model, out: Collector, vs: SourcedResource, gateways: readonly unknown[], findGateway: GatewayFinder): void {
  const ns = nsOf(vs);
  const hosts = arr(specOf(vs).hosts).filter((h): h is string => typeof h === 'string');
  gateways.forEach((raw, k) => {
    if (typeof raw !== 'string') return;
    const target = gatewayRef(raw, ns);
    if (!target) return;
    if (!model.namespaces.has(target.ns)) return;
    const gw = findGateway(target.ns, target.name);
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

function onMesh(spec: Obj): boolean {
  const gateways = arr(spec.gateways);
  return gateways.length === 0 || gateways.includes('mesh');
}

/**
 * The hosts that VirtualServices bound to the mesh gateway route, to report two that route the same one.
 * Filled as each VirtualService is checked, reported after them all.
 */
class MeshHosts {
  /** Qualified host -> each VirtualService that routes it, with the first position of it in `spec.hosts`. */
  private readonly byHost = new Map<string, { vs: SourcedResource; index: number }[]>();

  add(model: Model, vs: SourcedResource, spec: Obj, ns: string): void {
    if (spec.gateways !== undefined && !onMesh(spec)) return;
    const hosts = arr(spec.hosts);
    for (let index = 0; index < hosts.length; index++) {
      const host = hosts[index];
      if (typeof host !== 'string') continue;
      // The qualified name, as the lookup keeps it: a VirtualService's host is mostly the one its
      // destinations have just looked up.
      const key = model.lookup(host, ns).fqdn;
      const list = this.byHost.get(key);
      // One entry per VirtualService: its first host of that name. Its entries are the latest ones pushed.
      if (!list) this.byHost.set(key, [{ vs, index }]);
      else if (list[list.length - 1]?.vs !== vs) list.push({ vs, index });
    }
  }

  report(out: Collector): void {
    this.byHost.forEach((list, fqdn) => {
      if (list.length < 2) return;
      for (const entry of list) {
        const others = list.filter((e) => e !== entry).map((e) => ref(e.vs));
        out.add('vs-conflicting-mesh-host', entry.vs, `/spec/hosts/${entry.index}`, `${ref(entry.vs)} and ${others.join(', ')} both route host ${fqdn} on the mesh gateway.`);
      }
    });
  }
}

/**
 * The pods a DestinationRule's subsets choose from, for each host: those of the host's own Service, or of
 * every Service a wildcard host covers; undefined when no such Service has a selector (pods out of view).
 * A host's pods are the same for every rule, so each host is worked out once.
 */
function hostPods(model: Model): (found: Lookup) => readonly Workload[] | undefined {
  const cache = new Map<string, readonly Workload[] | undefined>();
  const compute = (found: Lookup): readonly Workload[] | undefined => {
    const candidates = found.fqdn.includes('*') ? model.covered(found.fqdn) : found.found ? [[found.fqdn, found.entry] as const] : [];
    const services = candidates.flatMap(([fqdn, entry]) =>
      entry.kind === 'service' && entry.selector ? [{ ns: clusterNamespace(fqdn), selector: entry.selector }] : [],
    );
    if (services.length === 0) return undefined;
    const selected = services.map((svc) => (svc.ns === undefined ? [] : model.selectedPods(svc.ns, svc.selector)));
    if (selected.length === 1) return selected[0];
    // Several Services: each workload once, in resource order, as the messages list them.
    const chosen = new Set(selected.flat());
    return model.workloads.filter((w) => chosen.has(w));
  };
  return (found) => {
    if (!cache.has(found.fqdn)) cache.set(found.fqdn, compute(found));
    return cache.get(found.fqdn);
  };
}

/** A subset's labels select one of the host's pods. (Apart: it has closures, see `checkDestination`.) */
function checkSubsetPods(out: Collector, dr: SourcedResource, host: string, subset: Obj, k: number, pods: readonly Workload[]): void {
  const labels = labelsOf(subset.labels);
  if (pods.some((w) => selects(labels, w.podLabels))) return;
  const name = str(subset.name) ?? `#${k}`;
  const shown = Object.entries(labels).map(([k2, v]) => `${k2}=${v}`).join(',');
  out.add(
    'dr-subset-no-pods',
    dr,
    `/spec/subsets/${k}/labels`,
    `${ref(dr)} subset "${name}" selects ${shown}, which no pod of "${host}" carries${pods.length ? ` (workloads: ${pods.map((w) => w.name).join(', ')})` : ''}.`,
  );
}

function checkDestinationRules(model: Model, out: Collector): void {
  const byHost = new Map<string, SourcedResource[]>();
  const unitHasWorkloads = model.workloads.length > 0;
  const podsOf = hostPods(model);
  const destinationRules = model.byKind('DestinationRule');
  for (let d = 0; d < destinationRules.length; d++) {
    const dr = destinationRules[d] as SourcedResource;
    // `specOf` and `nsOf`, written out (see `checkRouteRule`).
    const rawSpec = dr.object.spec;
    const spec = (typeof rawSpec === 'object' && rawSpec !== null && !Array.isArray(rawSpec) ? rawSpec : {}) as Obj;
    const host = spec.host;
    if (typeof host !== 'string' || host === '') continue;
    const found = model.lookup(host, dr.object.metadata.namespace || 'default');
    const sameHost = byHost.get(found.fqdn);
    if (sameHost) sameHost.push(dr);
    else byHost.set(found.fqdn, [dr]);
    if (!found.found) {
      if (!found.outOfView) out.add('dr-host-not-found', dr, '/spec/host', `${ref(dr)} is for host "${host}", which matches no Service or ServiceEntry (looked for ${found.fqdn}).${model.dnsOnlyHint(host, nsOf(dr))}`);
    }
    const subsets = arr(spec.subsets);
    for (let k = 0; k < subsets.length; k++) {
      // `rec(...) ?? {}`, written out: this runs for every subset of every DestinationRule.
      const raw = subsets[k];
      const subset = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Obj;
      if (!hasLabels(subset.labels)) {
        const name = str(subset.name) ?? `#${k}`;
        out.add('dr-subset-no-labels', dr, `/spec/subsets/${k}`, `${ref(dr)} subset "${name}" has no labels, so it selects every pod of "${host}".`);
        continue;
      }
      // Without a selector of the host's Services, or without any workload in the unit, the pods are out of view.
      if (!unitHasWorkloads) continue;
      const pods = podsOf(found);
      if (pods !== undefined) checkSubsetPods(out, dr, host, subset, k, pods);
    }
  }
  byHost.forEach((list, fqdn) => {
    if (list.length < 2) return;
    for (const dr of list) {
      const others = list.filter((d) => d !== dr).map(ref);
      out.add('dr-duplicate-host', dr, '/spec/host', `${ref(dr)} and ${others.join(', ')} are both for host ${fqdn}.`);
    }
  });
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
  const findGateway = gatewayFinder(model);
  const meshHosts = new MeshHosts();
  const virtualServices = model.byKind('VirtualService');
  for (let v = 0; v < virtualServices.length; v++) {
    const vs = virtualServices[v] as SourcedResource;
    // `specOf` and `nsOf`, written out (see `checkRouteRule`).
    const rawSpec = vs.object.spec;
    const spec = (typeof rawSpec === 'object' && rawSpec !== null && !Array.isArray(rawSpec) ? rawSpec : {}) as Obj;
    const ns = vs.object.metadata.namespace || 'default';
    checkVirtualService(model, out, vs, spec, ns, findGateway);
    meshHosts.add(model, vs, spec, ns);
  }
  meshHosts.report(out);
  checkDestinationRules(model, out);
  checkServicePorts(model, out);
}
