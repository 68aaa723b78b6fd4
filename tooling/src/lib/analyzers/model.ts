// An index over one rendered unit that the rule checks share: the service registry (Services,
// ServiceEntries and the hosts Flagger generates for a Canary), workloads and their pod templates, and
// the host resolution Istio applies (dotless names in the referrer's namespace, dotted names literally).
import type { Finding } from '../findings.ts';
import { resourceRef, type SourcedResource } from '../manifests.ts';
import { ruleInfo, type RuleId } from './rules.ts';

export type Obj = Record<string, unknown>;

export function rec(value: unknown): Obj | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(value) ?? {})) out[k] = String(v);
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

const CLUSTER_SUFFIX = '.svc.cluster.local';

/**
 * The registry name Istio gives a VirtualService or DestinationRule host written in namespace `ns`
 * (pilot's ResolveShortnameToFQDN): a name without a dot gains `<ns>.svc.cluster.local`; anything with
 * a dot (`reviews.bookinfo` included) and `*` are taken literally, because Istio does no DNS search.
 */
export function qualify(host: string, ns: string): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${ns}${CLUSTER_SUFFIX}`;
}

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

/** The namespace of a cluster-local FQDN, or undefined for an external name. */
export function clusterNamespace(fqdn: string): string | undefined {
  if (!fqdn.endsWith(CLUSTER_SUFFIX)) return undefined;
  const parts = fqdn.split('.');
  return parts.length === 5 ? parts[1] : undefined;
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

const HOST_SOURCE_KINDS = new Set(['Service', 'ServiceEntry', 'Canary']);

function workloadOf(res: SourcedResource): Workload | undefined {
  const o = res.object;
  if (!WORKLOAD_KINDS.includes(o.kind)) return undefined;
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
  /** Cluster-local FQDN -> what defines it. */
  registry: Map<string, RegistryEntry>;
  serviceEntries: { res: SourcedResource; hosts: string[]; ports: ServicePort[] }[];
  /** Flagger Canary -> the service name it generates (`spec.service.name` or the target's name). */
  canaryService: (canary: SourcedResource) => string;
  lookup: (host: string, ns: string) => Lookup;
  /** The registry entries (by FQDN) whose names a host pattern such as `*.bookinfo.svc.cluster.local` covers. */
  covered: (pattern: string) => [string, RegistryEntry][];
  /**
   * The DestinationRules that apply to `fqdn`: those whose host is exactly it, else those whose wildcard
   * host is the most specific (longest) one covering it, as Istio picks them. Rules for one host merge.
   */
  destinationRulesFor: (fqdn: string) => SourcedResource[];
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

export function buildModel(resources: SourcedResource[]): Model {
  const kinds = new Map<string, SourcedResource[]>();
  const namespaces = new Set<string>();
  for (const res of resources) {
    const list = kinds.get(res.object.kind) ?? [];
    list.push(res);
    kinds.set(res.object.kind, list);
    if (res.object.kind === 'Namespace') {
      if (res.object.metadata.name) namespaces.add(res.object.metadata.name);
    } else if (res.object.metadata.namespace) {
      namespaces.add(res.object.metadata.namespace);
    }
  }
  const byKind = (kind: string): SourcedResource[] => kinds.get(kind) ?? [];
  if (resources.some((r) => r.object.kind !== 'Namespace' && !r.object.metadata.namespace)) namespaces.add('default');
  // Hosts are judged only in namespaces where the unit renders what hosts come from (Services, workloads,
  // the Namespace itself): a fragment that renders one VirtualService sees none of its namespace's Services.
  const hostNamespaces = new Set<string>();
  for (const res of resources) {
    const kind = res.object.kind;
    if (kind === 'Namespace') hostNamespaces.add(nameOf(res));
    else if (HOST_SOURCE_KINDS.has(kind) || WORKLOAD_KINDS.includes(kind)) hostNamespaces.add(nsOf(res));
  }

  const workloads = resources.map(workloadOf).filter((w): w is Workload => w !== undefined);
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

  const covered = (pattern: string): [string, RegistryEntry][] => [...registry].filter(([name]) => wildcardMatches(pattern, name));

  const lookup = (host: string, ns: string): Lookup => {
    const fqdn = qualify(host, ns);
    if (fqdn.includes('*')) {
      const first = covered(fqdn)[0];
      if (first) return { found: true, entry: first[1], fqdn };
    } else {
      const entry = registry.get(fqdn);
      if (entry) return { found: true, entry, fqdn };
    }
    for (const se of serviceEntries) {
      for (const seHost of se.hosts) {
        if (hostsIntersect(qualify(seHost, nsOf(se.res)), fqdn)) {
          return { found: true, entry: { kind: 'serviceentry', res: se.res, ports: se.ports }, fqdn };
        }
      }
    }
    const hostNs = clusterNamespace(fqdn);
    // A host of a namespace whose Services this unit does not render is defined in some other unit, and
    // a mesh-wide wildcard covers hosts of every unit: neither can be judged here.
    const outOfView = hostNs === undefined ? spansNamespaces(fqdn) : !hostNamespaces.has(hostNs);
    return { found: false, fqdn, outOfView };
  };

  const drHosts = byKind('DestinationRule').flatMap((dr) => {
    const host = destinationRuleHost(dr);
    return host === undefined ? [] : [{ dr, host }];
  });
  const destinationRulesFor = (fqdn: string): SourcedResource[] => {
    const matching = drHosts.filter((d) => wildcardMatches(d.host, fqdn));
    const exact = matching.filter((d) => d.host === fqdn);
    if (exact.length > 0) return exact.map((d) => d.dr);
    const longest = Math.max(0, ...matching.map((d) => d.host.length));
    return matching.filter((d) => d.host.length === longest).map((d) => d.dr);
  };

  const dnsOnlyHint = (host: string, ns: string): string => {
    const dns = host.includes('.') ? dnsQualify(host, ns) : undefined;
    return dns !== undefined && dns !== host && registry.has(dns)
      ? ` Istio does not complete a host with a dot as DNS does: write "${dns}" (or the short name from its own namespace).`
      : '';
  };

  return { resources, byKind, namespaces, workloads, registry, serviceEntries, canaryService, lookup, covered, destinationRulesFor, dnsOnlyHint };
}

/** Go's time.ParseDuration grammar (used by Flagger, and by Istio's CRD validation): `1m30s`, `1.5s`, `500ms`. */
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration string, or undefined when it does not parse. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of text.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  }
  return sign * total;
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
        file: owner.file,
        line: owner.line,
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
