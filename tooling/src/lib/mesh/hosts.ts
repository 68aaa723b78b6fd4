// Istio's rules for host names, shared by the mesh analyzers and the traffic simulator so that the two
// never disagree on what a host means: short names, FQDNs, wildcards and which of several hosts is the
// most specific for a name (pilot's ResolveShortnameToFQDN and MostSpecificHostMatch).

/** The cluster's service domain (Kubernetes' default). */
export const CLUSTER_DOMAIN = 'svc.cluster.local';
const CLUSTER_SUFFIX = `.${CLUSTER_DOMAIN}`;

/**
 * The registry name Istio gives a host written in namespace `ns` (pilot's ResolveShortnameToFQDN): a name
 * without a dot gains `<ns>.svc.cluster.local`; anything with a dot (`reviews.bookinfo` included) and `*`
 * are taken literally, because Istio does no DNS search.
 */
export function qualify(host: string, ns: string): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${ns}${CLUSTER_SUFFIX}`;
}

/** The cluster-local FQDN `<name>.<ns>.svc.cluster.local`. */
export function serviceFqdn(name: string, ns: string): string {
  return `${name}.${ns}${CLUSTER_SUFFIX}`;
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

/** The namespace of a cluster-local FQDN (`<name>.<ns>.svc.cluster.local`), or undefined for an external name. */
export function clusterNamespace(fqdn: string): string | undefined {
  if (!fqdn.endsWith(CLUSTER_SUFFIX)) return undefined;
  const name = fqdn.slice(0, fqdn.length - CLUSTER_SUFFIX.length);
  const dot = name.indexOf('.');
  return dot >= 0 && name.indexOf('.', dot + 1) < 0 ? name.slice(dot + 1) : undefined;
}

/**
 * Whether host pattern `pattern` covers `host` (Istio's host.Name.Matches, one way): `*` covers everything;
 * `*.example.com` covers `a.example.com`, `a.b.example.com` and the narrower wildcard `*.a.example.com`;
 * otherwise the names must be equal.
 */
export function wildcardMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) || host === pattern;
  return pattern === host;
}

/** Whether two host patterns can name a common host: `*.productpage.d` and `*.d` do, as do `*` and anything. */
export function hostsIntersect(a: string, b: string): boolean {
  return wildcardMatches(a, b) || wildcardMatches(b, a);
}

/** A wildcard that covers Services of more than one namespace (`*`, `*.local`, `*.svc.cluster.local`). */
export function spansNamespaces(pattern: string): boolean {
  return pattern.startsWith('*') && wildcardMatches(pattern, `a.b${CLUSTER_SUFFIX}`) && wildcardMatches(pattern, `a.c${CLUSTER_SUFFIX}`);
}

/**
 * Of `hosts`, the one Istio picks for `fqdn` (MostSpecificHostMatch): `fqdn` itself when listed, else the
 * longest wildcard that covers it; undefined when none does.
 */
export function mostSpecificHost(fqdn: string, hosts: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const host of hosts) {
    if (host === fqdn) return host;
    if (host.startsWith('*') && wildcardMatches(host, fqdn) && (best === undefined || host.length > best.length)) best = host;
  }
  return best;
}
