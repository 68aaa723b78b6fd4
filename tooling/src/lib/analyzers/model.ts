// An index over one rendered unit that the rule checks share: the service registry (Services,
// ServiceEntries and the hosts Flagger generates for a Canary), workloads and their pod templates, and
// the host resolution Istio applies (dotless names in the referrer's namespace, dotted names literally).
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';
import { ruleInfo, type RuleId } from './rules.ts';
import { CLUSTER_DOMAIN, qualify } from '../hosts.ts';

export type Obj = Record<string, unknown>;

export function rec(value: unknown): Obj | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** Shared by every `arr` of a missing list (most fields are), rather than a new empty array each time. */
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : NO_ITEMS;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Whether `labelsOf(value)` has a label, without building it: whether `value` has an own key other than
 * `__proto__`, the one key that assigning cannot copy. (for-in walks the keys without listing them.)
 */
export function hasLabels(value: unknown): boolean {
  // `rec`, written out: this runs for every subset of every DestinationRule.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const k in value) if (Object.hasOwn(value, k) && k !== '__proto__') return true;
  return false;
}

export function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = rec(value);
  if (!r) return out;
  const keys = Object.keys(r);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out[k] = String(r[k]);
  }
  return out;
}

/** Namespace of a namespaced resource; resources rendered without one land in `default`, as kubectl would. */
export function nsOf(res: SourcedResource): string {
  return res.object.metadata.namespace || 'default';
}

export function nameOf(res: SourcedResource): string {
  return res.object.metadata.name ?? '<unnamed>';
}

export function specOf(res: SourcedResource): Obj {
  return rec(res.object.spec) ?? {};
}

/** Every key of `selector` is present with the same value in `labels`. An empty selector selects nothing. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

const CLUSTER_SUFFIX = `.${CLUSTER_DOMAIN}`;

export { qualify };

/**
 * The cluster-local FQDN a pod's DNS resolver reaches for `host` from namespace `ns` (the search path
 * `<ns>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`), or undefined for an external name.
 * Only for plain in-cluster calls such as webhook URLs, never for Istio hosts (see `qualify`).
 */
export function dnsQualify(host: string, ns: string): string | undefined {
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${ns}${CLUSTER_SUFFIX}`;
  if (parts.length === 2) return `${host}${CLUSTER_SUFFIX}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  if (parts.length === 5 && host.endsWith(CLUSTER_SUFFIX)) return host;
  return undefined;
}

/** The namespace of a cluster-local FQDN (`<name>.<ns>.svc.cluster.local`), or undefined for an external name. */
export function clusterNamespace(fqdn: string): string | undefined {
  if (!fqdn.endsWith(CLUSTER_SUFFIX)) return undefined;
  // Exactly one dot before the suffix; found with indexOf, as this runs for every host a unit names.
  const name = fqdn.slice(0, fqdn.length - CLUSTER_SUFFIX.length);
  const dot = name.indexOf('.');
  return dot >= 0 && name.indexOf('.', dot + 1) < 0 ? name.slice(dot + 1) : undefined;
}

/** `*.example.com` matches `a.example.com`; `*` matches everything; otherwise names must be equal. */
export function wildcardMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) || host === pattern;
  return pattern === host;
}

/** Whether two host patterns can name a common host (Istio's gateway/VirtualService host intersection). */
export function hostsIntersect(a: string, b: string): boolean {
  return wildcardMatches(a, b) || wildcardMatches(b, a);
}

export interface ServicePort {
  port: number;
  name?: string;
  appProtocol?: string;
}

export interface RegistryEntry {
  kind: 'service' | 'serviceentry' | 'canary';
  /** The object that defines the host. */
  res: SourcedResource;
  ports: ServicePort[];
  /** Pod selector, for Services that select workloads. */
  selector?: Record<string, string>;
}

export interface Workload {
  res: SourcedResource;
  kind: string;
  ns: string;
  name: string;
  podLabels: Record<string, string>;
  podSpec: Obj;
  /** JSON pointer to the pod template (`/spec/template`), or `` for a bare Pod. */
  templatePointer: string;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

const WORKLOAD_KIND_SET = new Set(WORKLOAD_KINDS);
const HOST_SOURCE_KINDS = new Set(['Service', 'ServiceEntry', 'Canary']);

function workloadOf(res: SourcedResource): Workload | undefined {
  const o = res.object;
  if (!WORKLOAD_KIND_SET.has(o.kind)) return undefined;
  const spec = rec(o.spec) ?? {};
  let template: Obj | undefined;
  let templatePointer: string;
  if (o.kind === 'Pod') {
    template = { metadata: o.metadata, spec };
    templatePointer = '';
  } else if (o.kind === 'CronJob') {
    template = rec(rec(rec(spec.jobTemplate)?.spec)?.template);
    templatePointer = '/spec/jobTemplate/spec/template';
  } else {
    template = rec(spec.template);
    templatePointer = '/spec/template';
  }
  return {
    res,
    kind: o.kind,
    ns: nsOf(res),
    name: nameOf(res),
    podLabels: labelsOf(rec(template?.metadata)?.labels),
    podSpec: rec(template?.spec) ?? {},
    templatePointer,
  };
}

export type Lookup =
  | { found: true; entry: RegistryEntry; fqdn: string }
  | { found: false; fqdn: string; outOfView: boolean };

export interface Model {
  resources: SourcedResource[];
  byKind: (kind: string) => SourcedResource[];
  /** Namespaces any resource of the unit lives in (or a rendered Namespace object names). */
  namespaces: Set<string>;
  workloads: Workload[];
  /** The workloads of namespace `ns`, in resource order. */
  workloadsIn: (ns: string) => readonly Workload[];
  /** The workloads of namespace `ns` whose pod labels `selector` selects (see `selects`), in resource order. */
  selectedPods: (ns: string, selector: Record<string, string>) => readonly Workload[];
  /** Cluster-local FQDN -> what defines it. */
  registry: Map<string, RegistryEntry>;
  serviceEntries: { res: SourcedResource; hosts: string[]; ports: ServicePort[] }[];
  /** Flagger Canary -> the service name it generates (`spec.service.name` or the target's name). */
  canaryService: (canary: SourcedResource) => string;
  /** How a VirtualService or DestinationRule host written in `ns` resolves; answers are shared, not copies. */
  lookup: (host: string, ns: string) => Lookup;
  /** The registry entries (by FQDN) whose names a host pattern such as `*.bookinfo.svc.cluster.local` covers. */
  covered: (pattern: string) => readonly [string, RegistryEntry][];
  /**
   * The DestinationRules that apply to `fqdn`: those whose host is exactly it, else those whose wildcard
   * host is the most specific (longest) one covering it, as Istio picks them. Rules for one host merge.
   */
  destinationRulesFor: (fqdn: string) => readonly SourcedResource[];
  /** For a dotted host that only DNS would complete to a rendered Service (`reviews.bookinfo`): what to write instead. */
  dnsOnlyHint: (host: string, ns: string) => string;
}

/** A DestinationRule's `spec.host` as Istio resolves it, or undefined when it has none. */
export function destinationRuleHost(dr: SourcedResource): string | undefined {
  const host = str(specOf(dr).host);
  return host ? qualify(host, nsOf(dr)) : undefined;
}

/** A wildcard that covers Services of more than one namespace (`*`, `*.local`, `*.svc.cluster.local`). */
function spansNamespaces(pattern: string): boolean {
  return pattern.startsWith('*') && wildcardMatches(pattern, `a.b${CLUSTER_SUFFIX}`) && wildcardMatches(pattern, `a.c${CLUSTER_SUFFIX}`);
}

function portsOf(value: unknown): ServicePort[] {
  return arr(value).flatMap((p) => {
    const r = rec(p);
    const port = num(r?.port) ?? num(r?.number);
    if (!r || port === undefined) return [];
    const out: ServicePort = { port };
    const name = str(r.name);
    const appProtocol = str(r.appProtocol);
    if (name !== undefined) out.name = name;
    if (appProtocol !== undefined) out.appProtocol = appProtocol;
    return [out];
  });
}

/** What one pass over a unit's resources finds: each kind's list, namespaces and workloads. */
interface ResourceIndex {
  kinds: Map<string, SourcedResource[]>;
  namespaces: Set<string>;
  hostNamespaces: Set<string>;
  workloads: Workload[];
}

/** The resources of one kind, and what that kind is to `indexResources`. */
interface KindIndex {
  list: SourcedResource[];
  workload: boolean;
  hostSource: boolean;
}

function indexResources(resources: SourcedResource[]): ResourceIndex {
  // What each kind is, found once per kind rather than once per resource.
  const byKind = new Map<string, KindIndex>();
  const namespaces = new Set<string>();
  // Hosts are judged only in namespaces where the unit renders what hosts come from (Services, workloads,
  // the Namespace itself): a fragment that renders one VirtualService sees none of its namespace's Services.
  const hostNamespaces = new Set<string>();
  const workloads: Workload[] = [];
  let inDefault = false;
  // Resources mostly share a namespace: the latest one added is not added again (a set keeps its order).
  let lastNamespace: string | undefined;
  // An index loop, as in the other passes that run over every resource or rule: a for-of allocates an
  // iterator result per step in code not yet optimized, and one run is mostly such code.
  for (let r = 0; r < resources.length; r++) {
    const res = resources[r] as SourcedResource;
    const { kind, metadata } = res.object;
    let index = byKind.get(kind);
    if (index) index.list.push(res);
    else {
      const workload = WORKLOAD_KIND_SET.has(kind);
      index = { list: [res], workload, hostSource: workload || HOST_SOURCE_KINDS.has(kind) };
      byKind.set(kind, index);
    }
    if (kind === 'Namespace') {
      if (metadata.name) namespaces.add(metadata.name);
      hostNamespaces.add(nameOf(res));
      continue;
    }
    const namespace = metadata.namespace;
    if (namespace) {
      if (namespace !== lastNamespace) namespaces.add(namespace);
      lastNamespace = namespace;
    } else inDefault = true;
    if (index.workload) workloads.push(workloadOf(res) as Workload);
    if (index.hostSource) hostNamespaces.add(nsOf(res));
  }
  // Added last, as before, so that the set keeps its order: rendered namespaces first.
  if (inDefault) namespaces.add('default');
  const kinds = new Map<string, SourcedResource[]>();
  byKind.forEach((index, kind) => kinds.set(kind, index.list));
  return { kinds, namespaces, hostNamespaces, workloads };
}

/** A registry entry for a ServiceEntry host, qualified in the ServiceEntry's namespace. */
interface ServiceEntryHost {
  fqdn: string;
  entry: RegistryEntry;
}

/**
 * Builds `Model.lookup`. Every VirtualService destination and DestinationRule resolves a host, and most of
 * them name the same few hosts, so each (namespace, host) pair is resolved once and the result shared.
 */
function hostLookup(
  registry: Map<string, RegistryEntry>,
  seHosts: ServiceEntryHost[],
  hostNamespaces: Set<string>,
  covered: (pattern: string) => readonly [string, RegistryEntry][],
): (host: string, ns: string) => Lookup {
  const resolve = (fqdn: string): Lookup => {
    if (fqdn.includes('*')) {
      const first = covered(fqdn)[0];
      if (first) return { found: true, entry: first[1], fqdn };
    } else {
      const entry = registry.get(fqdn);
      if (entry) return { found: true, entry, fqdn };
    }
    for (let i = 0; i < seHosts.length; i++) {
      const se = seHosts[i] as ServiceEntryHost;
      if (hostsIntersect(se.fqdn, fqdn)) return { found: true, entry: se.entry, fqdn };
    }
    const hostNs = clusterNamespace(fqdn);
    // A host of a namespace whose Services this unit does not render is defined in some other unit, and
    // a mesh-wide wildcard covers hosts of every unit: neither can be judged here.
    const outOfView = hostNs === undefined ? spansNamespaces(fqdn) : !hostNamespaces.has(hostNs);
    return { found: false, fqdn, outOfView };
  };
  /**
   * The usual host: a short name (no dot, no wildcard) in a namespace that is a plain DNS label. Its name is
   * `<host>.<ns>.svc.cluster.local` and its namespace `ns`, which `resolve` would find again by taking that
   * name apart; this answers the same without doing so (it runs once per host, thousands of times in a
   * large unit).
   */
  const resolveShort = (host: string, ns: string): Lookup => {
    const fqdn = `${host}.${ns}${CLUSTER_SUFFIX}`;
    const entry = registry.size === 0 ? undefined : registry.get(fqdn);
    if (entry) return { found: true, entry, fqdn };
    for (let i = 0; i < seHosts.length; i++) {
      const se = seHosts[i] as ServiceEntryHost;
      if (hostsIntersect(se.fqdn, fqdn)) return { found: true, entry: se.entry, fqdn };
    }
    return { found: false, fqdn, outOfView: !hostNamespaces.has(ns) };
  };
  /** Per namespace: its hosts' answers, and whether it is a plain label (no dot, no wildcard; see `resolveShort`). */
  const cache = new Map<string, { plain: boolean; hosts: Map<string, Lookup> }>();
  // The destinations of a VirtualService mostly name one host, one after another, and the objects of a
  // unit mostly share a namespace: the latest answer and namespace are kept apart, so that they need not
  // be looked up in the maps.
  let lastHost: string | undefined;
  let lastNs: string | undefined;
  let lastFound: Lookup | undefined;
  let lastInNs: { plain: boolean; hosts: Map<string, Lookup> } | undefined;
  return (host, ns) => {
    if (host === lastHost && ns === lastNs && lastFound) return lastFound;
    let inNs = ns === lastNs ? lastInNs : cache.get(ns);
    if (!inNs) {
      inNs = { plain: !ns.includes('.') && !ns.includes('*'), hosts: new Map() };
      cache.set(ns, inNs);
    }
    let found = inNs.hosts.get(host);
    if (!found) {
      found = inNs.plain && !host.includes('.') && !host.includes('*') ? resolveShort(host, ns) : resolve(qualify(host, ns));
      inNs.hosts.set(host, found);
    }
    lastInNs = inNs;
    lastHost = host;
    lastNs = ns;
    lastFound = found;
    return found;
  };
}

/**
 * Builds `Model.destinationRulesFor`. Only a wildcard host can cover a host other than itself, and two
 * wildcards of one length that both cover a host are the same text, so the rules are grouped by host and
 * only the distinct wildcard hosts are scanned. The groups are built on first use, as many units never
 * ask, and each answer is kept.
 */
function destinationRuleChooser(destinationRules: SourcedResource[]): (fqdn: string) => readonly SourcedResource[] {
  let byHost: Map<string, SourcedResource[]> | undefined;
  const wildcards: string[] = [];
  const cache = new Map<string, readonly SourcedResource[]>();
  const group = (): Map<string, SourcedResource[]> => {
    const groups = new Map<string, SourcedResource[]>();
    for (const dr of destinationRules) {
      const host = destinationRuleHost(dr);
      if (host === undefined) continue;
      const list = groups.get(host);
      if (list) list.push(dr);
      else groups.set(host, [dr]);
    }
    for (const host of groups.keys()) if (host.startsWith('*')) wildcards.push(host);
    return groups;
  };
  const choose = (fqdn: string): readonly SourcedResource[] => {
    byHost ??= group();
    const exact = byHost.get(fqdn);
    if (exact) return exact;
    let longest: string | undefined;
    for (const host of wildcards) {
      if (wildcardMatches(host, fqdn) && (longest === undefined || host.length > longest.length)) longest = host;
    }
    return longest === undefined ? [] : (byHost.get(longest) as SourcedResource[]);
  };
  return (fqdn) => {
    let rules = cache.get(fqdn);
    if (!rules) {
      rules = choose(fqdn);
      cache.set(fqdn, rules);
    }
    return rules;
  };
}

/**
 * Builds `Model.selectedPods`: workloads indexed by namespace and by each pod label, so a selector is
 * matched against the workloads that carry its first label rather than against every workload.
 */
function podSelector(workloads: Workload[]): (ns: string, selector: Record<string, string>) => readonly Workload[] {
  let index: Map<string, Map<string, Map<string, Workload[]>>> | undefined;
  const buildIndex = (): Map<string, Map<string, Map<string, Workload[]>>> => {
    const byNs = new Map<string, Map<string, Map<string, Workload[]>>>();
    for (const w of workloads) {
      let byKey = byNs.get(w.ns);
      if (!byKey) byNs.set(w.ns, (byKey = new Map()));
      for (const [key, value] of Object.entries(w.podLabels)) {
        let byValue = byKey.get(key);
        if (!byValue) byKey.set(key, (byValue = new Map()));
        const list = byValue.get(value);
        if (list) list.push(w);
        else byValue.set(value, [w]);
      }
    }
    return byNs;
  };
  return (ns, selector) => {
    const key = Object.keys(selector)[0];
    if (key === undefined) return [];
    index ??= buildIndex();
    const candidates = index.get(ns)?.get(key)?.get(selector[key] as string) ?? [];
    return candidates.filter((w) => selects(selector, w.podLabels));
  };
}

export function buildModel(resources: SourcedResource[]): Model {
  const { kinds, namespaces, hostNamespaces, workloads } = indexResources(resources);
  const byKind = (kind: string): SourcedResource[] => kinds.get(kind) ?? [];

  const registry = new Map<string, RegistryEntry>();
  for (const res of byKind('Service')) {
    const spec = specOf(res);
    const selector = labelsOf(spec.selector);
    const entry: RegistryEntry = { kind: 'service', res, ports: portsOf(spec.ports) };
    if (Object.keys(selector).length > 0) entry.selector = selector;
    registry.set(qualify(nameOf(res), nsOf(res)), entry);
  }
  const canaryService = (canary: SourcedResource): string => {
    const spec = specOf(canary);
    return str(rec(spec.service)?.name) ?? str(rec(spec.targetRef)?.name) ?? nameOf(canary);
  };
  // Flagger creates `<svc>`, `<svc>-primary` and `<svc>-canary` at runtime, so they exist for routing purposes.
  for (const canary of byKind('Canary')) {
    const svc = canaryService(canary);
    const port = num(rec(specOf(canary).service)?.port);
    for (const name of [svc, `${svc}-primary`, `${svc}-canary`]) {
      const fqdn = qualify(name, nsOf(canary));
      if (!registry.has(fqdn)) registry.set(fqdn, { kind: 'canary', res: canary, ports: port === undefined ? [] : [{ port }] });
    }
  }
  const serviceEntries = byKind('ServiceEntry').map((res) => {
    const spec = specOf(res);
    return { res, hosts: arr(spec.hosts).filter((h): h is string => typeof h === 'string'), ports: portsOf(spec.ports) };
  });
  // In the order lookups try them: ServiceEntries in turn, and the hosts of each in turn.
  const seHosts = serviceEntries.flatMap((se) => {
    const entry: RegistryEntry = { kind: 'serviceentry', res: se.res, ports: se.ports };
    return se.hosts.map((host) => ({ fqdn: qualify(host, nsOf(se.res)), entry }));
  });

  // The registry is complete from here on, so what a pattern covers never changes: each is computed once.
  const coveredCache = new Map<string, readonly [string, RegistryEntry][]>();
  const covered = (pattern: string): readonly [string, RegistryEntry][] => {
    let entries = coveredCache.get(pattern);
    if (!entries) {
      entries = [...registry].filter(([name]) => wildcardMatches(pattern, name));
      coveredCache.set(pattern, entries);
    }
    return entries;
  };
  const lookup = hostLookup(registry, seHosts, hostNamespaces, covered);
  const destinationRulesFor = destinationRuleChooser(byKind('DestinationRule'));
  const selectedPods = podSelector(workloads);
  const workloadsByNs = new Map<string, Workload[]>();
  for (const w of workloads) {
    const list = workloadsByNs.get(w.ns);
    if (list) list.push(w);
    else workloadsByNs.set(w.ns, [w]);
  }
  const workloadsIn = (ns: string): readonly Workload[] => workloadsByNs.get(ns) ?? [];

  const dnsOnlyHint = (host: string, ns: string): string => {
    const dns = host.includes('.') ? dnsQualify(host, ns) : undefined;
    return dns !== undefined && dns !== host && registry.has(dns)
      ? ` Istio does not complete a host with a dot as DNS does: write "${dns}" (or the short name from its own namespace).`
      : '';
  };

  return {
    resources,
    byKind,
    namespaces,
    workloads,
    workloadsIn,
    selectedPods,
    registry,
    serviceEntries,
    canaryService,
    lookup,
    covered,
    destinationRulesFor,
    dnsOnlyHint,
  };
}

/** Go's time.ParseDuration grammar (used by Flagger, and by Istio's CRD validation): `1m30s`, `1.5s`, `500ms`. */
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
/** One number and unit of a duration. Global, so `exec` walks a string from `lastIndex`. */
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Durations already parsed. Units repeat the same few (`7s`, `1m`) in every fault and Canary, and a map
 * lookup costs less than the two regular expressions; the bound keeps odd inputs from growing it.
 */
const parsedDurations = new Map<string, number | undefined>();
const PARSED_DURATIONS_MAX = 1024;

/** Milliseconds in a Go duration string, or undefined when it does not parse. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const known = parsedDurations.get(text);
  if (known !== undefined || parsedDurations.has(text)) return known;
  const ms = durationMs(text);
  if (parsedDurations.size >= PARSED_DURATIONS_MAX) parsedDurations.clear();
  parsedDurations.set(text, ms);
  return ms;
}

function durationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  const signed = text.startsWith('-') || text.startsWith('+');
  let total = 0;
  // The whole text matched DURATION, so the parts follow one another from after the sign to the end.
  DURATION_PART.lastIndex = signed ? 1 : 0;
  for (let m = DURATION_PART.exec(text); m !== null; m = DURATION_PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  }
  return (text.startsWith('-') ? -1 : 1) * total;
}

/** Collects findings together with the resource each one is about, which silencing needs. */
export class Collector {
  readonly items: { finding: Finding; owner: SourcedResource }[] = [];

  add(rule: RuleId, owner: SourcedResource, pointer: string, message: string, hint?: string): void {
    const info = ruleInfo(rule);
    this.items.push({
      owner,
      finding: {
        rule,
        severity: info.severity,
        ...placeOf(owner, pointer),
        resource: resourceRef(owner.object),
        pointer,
        message,
        hint: hint ?? info.hint,
        source: 'toolkit',
      },
    });
  }
}

export function ref(res: SourcedResource): string {
  return resourceRef(res.object);
}

/** RFC 6901 escaping for one pointer segment. */
export function seg(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
