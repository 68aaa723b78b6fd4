// Which DestinationRules a client gets for a host, as istiod chooses them (pilot's PushContext
// destinationRule): first the rules of the client's own namespace, then those the host's own namespace
// exports to the client, then those the root namespace exports; within each, the rules for the most
// specific host (that host itself, else the longest wildcard covering it), merged.
import type { SourcedResource } from '../manifests.ts';
import { mostSpecificHost, qualify } from './hosts.ts';
import { nsOf, rec, specOf, str } from './objects.ts';
import { exportScope, visibleIn, type Visibility } from './visibility.ts';

/** Istio's config root namespace (MeshConfig `rootNamespace`, default `istio-system`). */
export const ROOT_NAMESPACE = 'istio-system';

interface Rule {
  res: SourcedResource;
  host: string;
  scope: Visibility;
}

/** Rules of one namespace grouped by host, in resource order, and the wildcard hosts among them. */
interface ByHost {
  rules: Map<string, Rule[]>;
  wildcards: string[];
}

function add(index: Map<string, ByHost>, ns: string, rule: Rule): void {
  let byHost = index.get(ns);
  if (!byHost) index.set(ns, (byHost = { rules: new Map(), wildcards: [] }));
  const list = byHost.rules.get(rule.host);
  if (list) list.push(rule);
  else {
    byHost.rules.set(rule.host, [rule]);
    if (rule.host.startsWith('*')) byHost.wildcards.push(rule.host);
  }
}

function pick(byHost: ByHost | undefined, fqdn: string): Rule[] {
  if (!byHost) return [];
  // The host itself first: only a wildcard can cover another name, so only those need a scan.
  const host = byHost.rules.has(fqdn) ? fqdn : mostSpecificHost(fqdn, byHost.wildcards);
  return host === undefined ? [] : (byHost.rules.get(host) as Rule[]);
}

/** A DestinationRule's `spec.host` as Istio resolves it, or undefined when it has none. */
export function destinationRuleHost(dr: SourcedResource): string | undefined {
  const host = str(specOf(dr).host);
  return host ? qualify(host, nsOf(dr)) : undefined;
}

export interface DestinationRuleIndex {
  /**
   * The rules a client in namespace `clientNs` gets for `fqdn`, a host whose Service or ServiceEntry lives in
   * the namespace `serviceNs` gives (undefined when unknown; asked only when needed). Empty when none applies.
   */
  forClient: (fqdn: string, clientNs: string, serviceNs: (fqdn: string) => string | undefined) => readonly SourcedResource[];
  /** Every rule whose host is exactly `fqdn`, in any namespace, with any visibility. */
  forHost: (fqdn: string) => readonly SourcedResource[];
}

export function indexDestinationRules(destinationRules: readonly SourcedResource[]): DestinationRuleIndex {
  // namespaceLocal, exportedByNamespace and rootNamespaceLocal of pilot's setDestinationRules.
  const local = new Map<string, ByHost>();
  const exported = new Map<string, ByHost>();
  const rootLocal = new Map<string, ByHost>();
  const all = new Map<string, SourcedResource[]>();
  for (const res of destinationRules) {
    const host = destinationRuleHost(res);
    if (host === undefined) continue;
    const ns = nsOf(res);
    const spec = specOf(res);
    const values = rec(spec.workloadSelector) ? ['.'] : spec.exportTo;
    const scope = exportScope(values, ns);
    const rule: Rule = { res, host, scope };
    const list = all.get(host);
    if (list) list.push(res);
    else all.set(host, [res]);
    if (visibleIn(scope, ns)) add(local, ns, rule);
    const privateOnly = !scope.all && scope.namespaces.size === 1 && scope.namespaces.has(ns);
    if (!privateOnly) add(exported, ns, rule);
    else if (ns === ROOT_NAMESPACE) add(rootLocal, ns, rule);
  }
  const exportedTo = (owner: string, fqdn: string, clientNs: string): Rule[] =>
    pick(exported.get(owner), fqdn).filter((r) => visibleIn(r.scope, clientNs));
  /** Answers by client namespace, then host. */
  const cache = new Map<string, Map<string, readonly SourcedResource[]>>();
  const choose = (fqdn: string, clientNs: string, serviceNs: (fqdn: string) => string | undefined): Rule[] => {
    const own = clientNs === ROOT_NAMESPACE ? pick(rootLocal.get(ROOT_NAMESPACE), fqdn) : pick(local.get(clientNs), fqdn);
    if (own.length > 0) return own;
    const hostNs = serviceNs(fqdn);
    const ofService = hostNs === undefined ? [] : exportedTo(hostNs, fqdn, clientNs);
    if (ofService.length > 0) return ofService;
    return exportedTo(ROOT_NAMESPACE, fqdn, clientNs);
  };
  return {
    forClient: (fqdn, clientNs, serviceNs) => {
      let byHost = cache.get(clientNs);
      if (!byHost) cache.set(clientNs, (byHost = new Map()));
      let found = byHost.get(fqdn);
      if (!found) {
        found = choose(fqdn, clientNs, serviceNs).map((r) => r.res);
        byHost.set(fqdn, found);
      }
      return found;
    },
    forHost: (fqdn) => all.get(fqdn) ?? [],
  };
}

/** Each DestinationRule's subsets by name (the first of a name wins), made when first asked for. */
const subsetsByRule = new WeakMap<SourcedResource, Map<string, Record<string, unknown>>>();

function subsetsOf(dr: SourcedResource): Map<string, Record<string, unknown>> {
  let byName = subsetsByRule.get(dr);
  if (!byName) {
    byName = new Map();
    const subsets = specOf(dr).subsets;
    for (const raw of Array.isArray(subsets) ? (subsets as unknown[]) : []) {
      const subset = rec(raw);
      const name = subset?.name;
      if (subset && typeof name === 'string' && !byName.has(name)) byName.set(name, subset);
    }
    subsetsByRule.set(dr, byName);
  }
  return byName;
}

/** The subset `name` of merged rules, as Envoy gets it (the first rule that defines it wins), or undefined. */
export function findSubset(rules: readonly SourcedResource[], name: string): Record<string, unknown> | undefined {
  for (const dr of rules) {
    const subset = subsetsOf(dr).get(name);
    if (subset) return subset;
  }
  return undefined;
}
