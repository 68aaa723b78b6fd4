// The one picture of a rendered unit's mesh that the analyzers and the simulator both read: the service
// registry (Services, ServiceEntries and the hosts Flagger generates for a Canary) with who may see each
// host, workloads and their pods, DestinationRules as a client gets them, and Istio's host resolution.
import type { SourcedResource } from '../manifests.ts';
import { clusterNamespace, dnsQualify, qualify, serviceFqdn, spansNamespaces, wildcardMatches } from './hosts.ts';
import { indexDestinationRules } from './destination-rules.ts';
import { arr, endpointLabels, isWorkloadKind, labelsOf, nameOf, nsOf, num, rec, selects, specOf, str, workloadOf, type Workload } from './objects.ts';
import { exportScope, PUBLIC, serviceScope, visibleIn, type Visibility } from './visibility.ts';

export interface ServicePort {
  port: number;
  name?: string;
  appProtocol?: string;
}

export interface RegistryEntry {
  kind: 'service' | 'serviceentry' | 'canary';
  /** The object that defines the host. */
  res: SourcedResource;
  /** The namespace the host belongs to: its Service's, ServiceEntry's or Canary's. */
  ns: string;
  ports: ServicePort[];
  /** Pod selector, for Services that select workloads. */
  selector?: Record<string, string>;
  /** The namespaces that see the host (`exportTo`, or a Service's `networking.istio.io/exportTo`). */
  scope: Visibility;
}

export type Lookup =
  | { found: true; entry: RegistryEntry; fqdn: string }
  | { found: false; fqdn: string; outOfView: boolean; hidden?: RegistryEntry };

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
  /** Cluster-local FQDN -> the Service (or Canary) that defines it. */
  registry: Map<string, RegistryEntry>;
  /** Flagger Canary -> the service name it generates (`spec.service.name` or the target's name). */
  canaryService: (canary: SourcedResource) => string;
  /**
   * How a host written in namespace `ns` resolves, for clients in `clients` (default: `ns` itself; `*`
   * stands for every namespace, which only a host exported everywhere serves). Answers are shared.
   */
  lookup: (host: string, ns: string, clients?: readonly string[]) => Lookup;
  /** The registry entries (by FQDN) whose names a host pattern such as `*.bookinfo.svc.cluster.local` covers. */
  covered: (pattern: string) => readonly [string, RegistryEntry][];
  /** The DestinationRules a client in `clientNs` gets for `fqdn` (see destination-rules.ts); rules for one host merge. */
  destinationRulesFor: (fqdn: string, clientNs: string) => readonly SourcedResource[];
  /** Every DestinationRule whose host is exactly `fqdn`. */
  destinationRulesNamed: (fqdn: string) => readonly SourcedResource[];
  /** For a dotted host that only DNS would complete to a rendered Service (`reviews.bookinfo`): what to write instead. */
  dnsOnlyHint: (host: string, ns: string) => string;
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

/**
 * What shows that a unit renders a namespace's hosts, beside workloads. Routing objects do not: a fragment
 * of VirtualServices and DestinationRules is routing for Services rendered elsewhere.
 */
const HOST_SOURCE_KINDS = new Set(['Service', 'ServiceEntry', 'Canary', 'Namespace']);

/** Flagger Canary -> the service name it generates (`spec.service.name`, else the target's name). */
export function canaryService(canary: SourcedResource): string {
  const spec = specOf(canary);
  return str(rec(spec.service)?.name) || str(rec(spec.targetRef)?.name) || nameOf(canary);
}

/** An index of `list` by `key`, each group in list order. */
function groupBy<T>(list: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function buildModel(resources: SourcedResource[]): Model {
  const kinds = groupBy(resources, (r) => r.object.kind);
  const byKind = (kind: string): SourcedResource[] => kinds.get(kind) ?? [];
  const namespaces = new Set<string>();
  // Hosts are judged only in namespaces where the unit renders what hosts come from (Services, workloads,
  // the Namespace itself): a fragment that renders one VirtualService sees none of its namespace's Services.
  const hostNamespaces = new Set<string>();
  const workloads: Workload[] = [];
  let inDefault = false;
  for (const res of resources) {
    const { kind, metadata } = res.object;
    if (kind === 'Namespace') {
      if (metadata.name) namespaces.add(metadata.name);
      hostNamespaces.add(nameOf(res));
      continue;
    }
    if (metadata.namespace) namespaces.add(metadata.namespace);
    else inDefault = true;
    const workload = isWorkloadKind(kind) ? workloadOf(res) : undefined;
    if (workload) workloads.push(workload);
    if (workload || HOST_SOURCE_KINDS.has(kind)) hostNamespaces.add(nsOf(res));
  }
  if (inDefault) namespaces.add('default');
  const nodeLabels = new Map(byKind('Node').map((n) => [nameOf(n), labelsOf(n.object.metadata.labels)]));
  for (const w of workloads) w.endpointLabels = endpointLabels(w, nodeLabels);

  const registry = new Map<string, RegistryEntry>();
  for (const res of byKind('Service')) {
    const spec = specOf(res);
    const ns = nsOf(res);
    const selector = labelsOf(spec.selector);
    const entry: RegistryEntry = { kind: 'service', res, ns, ports: portsOf(spec.ports), scope: serviceScope(res.object.metadata.annotations, ns) };
    if (Object.keys(selector).length > 0) entry.selector = selector;
    registry.set(serviceFqdn(nameOf(res), ns), entry);
  }
  // Flagger creates `<svc>`, `<svc>-primary` and `<svc>-canary` at runtime, so they exist for routing purposes.
  for (const canary of byKind('Canary')) {
    const svc = canaryService(canary);
    const ns = nsOf(canary);
    const port = num(rec(specOf(canary).service)?.port);
    for (const name of [svc, `${svc}-primary`, `${svc}-canary`]) {
      const fqdn = serviceFqdn(name, ns);
      if (!registry.has(fqdn)) registry.set(fqdn, { kind: 'canary', res: canary, ns, ports: port === undefined ? [] : [{ port }], scope: PUBLIC });
    }
  }
  const serviceEntries = byKind('ServiceEntry').map((res) => {
    const spec = specOf(res);
    return { res, hosts: arr(spec.hosts).filter((h): h is string => typeof h === 'string'), ports: portsOf(spec.ports) };
  });
  // In the order lookups try them: ServiceEntries in turn, and the hosts of each in turn.
  const seHosts = serviceEntries.flatMap((se) => {
    const ns = nsOf(se.res);
    const entry: RegistryEntry = { kind: 'serviceentry', res: se.res, ns, ports: se.ports, scope: exportScope(specOf(se.res).exportTo, ns) };
    return se.hosts.map((host) => ({ fqdn: qualify(host, ns), entry }));
  });

  const coveredCache = new Map<string, readonly [string, RegistryEntry][]>();
  const covered = (pattern: string): readonly [string, RegistryEntry][] => {
    let entries = coveredCache.get(pattern);
    if (!entries) {
      entries = [...registry].filter(([name]) => wildcardMatches(pattern, name));
      coveredCache.set(pattern, entries);
    }
    return entries;
  };

  const resolve = (fqdn: string, clients: readonly string[]): Lookup => {
    const sees = (scope: Visibility): boolean => scope.all || clients.some((c) => visibleIn(scope, c));
    const own = fqdn.includes('*') ? covered(fqdn).find(([, e]) => sees(e.scope))?.[1] : registry.get(fqdn);
    if (own && sees(own.scope)) return { found: true, entry: own, fqdn };
    // A ServiceEntry host covers the name (`*.example.com` covers `api.example.com`), if the client sees it.
    const se = seHosts.find((h) => sees(h.entry.scope) && wildcardMatches(h.fqdn, fqdn));
    if (se) return { found: true, entry: se.entry, fqdn };
    const hidden = own ?? seHosts.find((h) => wildcardMatches(h.fqdn, fqdn))?.entry;
    if (hidden) return { found: false, fqdn, outOfView: false, hidden };
    const hostNs = clusterNamespace(fqdn);
    // A host of a namespace whose Services this unit does not render is defined in some other unit, and
    // a mesh-wide wildcard covers hosts of every unit: neither can be judged here.
    const outOfView = hostNs === undefined ? spansNamespaces(fqdn) : !hostNamespaces.has(hostNs);
    return { found: false, fqdn, outOfView };
  };
  /** Answers by namespace, then host; answers for other client lists by their joined text. */
  const lookups = new Map<string, Map<string, Lookup>>();
  const lookup = (host: string, ns: string, clients?: readonly string[]): Lookup => {
    // The usual client is the namespace the host is written in.
    const own = clients === undefined || (clients.length === 1 && clients[0] === ns);
    const scope = own ? ns : `${ns}\n${clients.join(',')}`;
    let byHost = lookups.get(scope);
    if (!byHost) lookups.set(scope, (byHost = new Map()));
    let found = byHost.get(host);
    if (!found) {
      found = resolve(qualify(host, ns), own ? [ns] : clients);
      byHost.set(host, found);
    }
    return found;
  };

  const drIndex = indexDestinationRules(byKind('DestinationRule'));
  /** The namespace a host belongs to: its Service's or ServiceEntry's, else the one its name says. */
  const hostNamespace = (fqdn: string): string | undefined =>
    (registry.get(fqdn) ?? seHosts.find((h) => wildcardMatches(h.fqdn, fqdn))?.entry)?.ns ?? clusterNamespace(fqdn);
  const destinationRulesFor = (fqdn: string, clientNs: string): readonly SourcedResource[] => drIndex.forClient(fqdn, clientNs, hostNamespace);

  const workloadsByNs = groupBy(workloads, (w) => w.ns);
  const workloadsIn = (ns: string): readonly Workload[] => workloadsByNs.get(ns) ?? [];
  const selectedPods = (ns: string, selector: Record<string, string>): readonly Workload[] =>
    workloadsIn(ns).filter((w) => selects(selector, w.podLabels));

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
    canaryService,
    lookup,
    covered,
    destinationRulesFor,
    destinationRulesNamed: drIndex.forHost,
    dnsOnlyHint,
  };
}
