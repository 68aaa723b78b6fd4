// How Istio names a host written in a VirtualService or DestinationRule: one rule, shared by the mesh
// analyzers and the traffic simulator so the two never disagree on what a host means.

/** The cluster's service domain (Kubernetes' default). */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/**
 * The registry name Istio gives a host written in namespace `ns` (pilot's ResolveShortnameToFQDN): a name
 * without a dot gains `<ns>.svc.cluster.local`; anything with a dot (`reviews.bookinfo` included) and `*`
 * are taken literally, because Istio does no DNS search.
 */
export function qualify(host: string, ns: string): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${ns}.${CLUSTER_DOMAIN}`;
}
