// The routes of a VirtualService: each destination's host (visible to the VirtualService's clients), port
// and subset (in the DestinationRules those clients get), weights and faults. istioctl's virtualservice
// DestinationHostAnalyzer and DestinationRuleAnalyzer, and what istiod's validation rejects.
import type { SourcedResource } from '../manifests.ts';
import {
  arr,
  findSubset,
  num,
  rec,
  ref,
  str,
  type Collector,
  type Lookup,
  type Model,
  type Obj,
  type RegistryEntry,
} from './model.ts';
import { checkMatchRegexes } from './regex.ts';
import type { RouteKind } from './shadowing.ts';

/**
 * One rule of a VirtualService, at `/spec/<kind>/<index>`. A VirtualService's checks move one of these
 * from rule to rule; nothing keeps it past the call it is passed to.
 */
export interface RuleAt {
  vs: SourcedResource;
  /** The VirtualService's namespace, worked out once for all of its destinations. */
  ns: string;
  /** The namespaces whose clients it routes (`exportTo`; its own when unset), for host visibility. */
  clients: readonly string[];
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

function checkDestination(model: Model, out: Collector, at: RuleAt, dest: Obj, field: DestinationField, k: number): void {
  const host = dest.host;
  if (typeof host !== 'string' || host === '') return;
  const { vs, ns } = at;
  const found = model.lookup(host, ns, at.clients);
  if (found.found) checkDestinationPort(out, at, field, k, dest, host, found.entry);
  else if (!found.outOfView) {
    out.add('vs-host-not-found', vs, `${destinationPointer(at, field, k)}/host`, `${ref(vs)} ${verb(field)} host "${host}", which ${notFound(found, at.clients.join(', '))}.${model.dnsOnlyHint(host, ns)}`);
  }
  checkDestinationSubset(model, out, at, field, k, dest, host, found);
}

/** Why a host did not resolve: nothing defines it, or what defines it is not exported to the namespace. */
export function notFound(found: Lookup & { found: false }, ns: string): string {
  return found.hidden
    ? `${ref(found.hidden.res)} defines (${found.fqdn}) but does not export to namespace ${ns} (exportTo)`
    : `matches no Service or ServiceEntry (looked for ${found.fqdn})`;
}

function checkDestinationPort(out: Collector, at: RuleAt, field: DestinationField, k: number, dest: Obj, host: string, entry: RegistryEntry): void {
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

/**
 * The subset a destination names is in the DestinationRules a client in the VirtualService's namespace gets
 * for its host (the same choice the simulator makes). Judged whether or not the host resolved, as istioctl
 * does, unless nothing about the host is rendered (no Service, no DestinationRule for it): then its
 * DestinationRule lives in another unit.
 */
function checkDestinationSubset(model: Model, out: Collector, at: RuleAt, field: DestinationField, k: number, dest: Obj, host: string, found: Lookup): void {
  const subset = str(dest.subset);
  if (subset === undefined) return;
  const { vs, ns } = at;
  const rules = model.destinationRulesFor(found.fqdn, ns);
  // Out of view, the host's DestinationRule may live in another unit, unless this one renders one for it.
  if (rules.length === 0 && !found.found && found.outOfView && model.destinationRulesNamed(found.fqdn).length === 0) return;
  if (findSubset(rules, subset) === undefined) {
    const where = rules.length === 0 ? `no DestinationRule for ${found.fqdn} applies in namespace ${ns}` : `${rules.map(ref).join(', ')} defines no such subset`;
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
 * One `http`, `tcp` or `tls` rule: its destinations and weights; for HTTP, its mirrors, fault and regexes.
 */
function checkRouteRule(model: Model, out: Collector, at: RuleAt, rule: Obj): void {
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
  checkMatchRegexes(out, at.vs, rule, at.index);
}

/** The `http`, `tcp` or `tls` rules of a VirtualService (`rules` is what that field holds). */
export function checkRouteRules(model: Model, out: Collector, at: RuleAt, kind: RouteKind, rules: unknown): void {
  if (!Array.isArray(rules)) return;
  at.kind = kind;
  for (let index = 0; index < rules.length; index++) {
    const raw = rules[index];
    const rule = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Obj) : undefined;
    at.index = index;
    if (rule) checkRouteRule(model, out, at, rule);
  }
}

