// The two cluster profiles. `cloud` keeps the ingress gateway's LoadBalancer Service (a cloud or MetalLB gives
// it an address); `local` (kind, k3d, minikube, kubeadm without a load balancer) makes it a NodePort Service on
// fixed ports, because both engines hold a LoadBalancer Service without an address as not ready: Argo CD's
// built-in Service health is Progressing until `status.loadBalancer.ingress` has an entry, and Flux's
// helm-controller installs with Helm's wait, whose Service check asks for the same.
export type Profile = 'local' | 'cloud';
export type Engine = 'flux' | 'argocd';
export type EngineChoice = Engine | 'both';

export const PROFILES: readonly Profile[] = ['local', 'cloud'];
export const ENGINE_CHOICES: readonly EngineChoice[] = ['both', 'flux', 'argocd'];

/** The node ports the `local` profile fixes, and where kind/cluster.yaml publishes them on the laptop. */
export const NODE_PORTS = { http: 30080, https: 30443 } as const;
export const HOST_PORTS = { http: 8080, https: 8443 } as const;

/** The repository's kind configuration, which maps NODE_PORTS to HOST_PORTS on localhost. */
export const KIND_CONFIG = 'kind/cluster.yaml';

/** The file the `local` profile adds to `clusters/<name>/argocd/`: a kustomize patch of the gateway Application. */
export const ARGOCD_PROFILE_PATCH = 'patch-ingressgateway-nodeport.yaml';

/**
 * The gateway chart's `service` values under the `local` profile, as YAML indented by `indent` spaces. The chart
 * copies `service.ports` into the Service verbatim, so the list must keep its default ports (15021, 80, 443)
 * and only adds a fixed `nodePort` to the two the Bookinfo Gateway can use.
 */
export function nodePortServiceValues(indent: number): string {
  const pad = ' '.repeat(indent);
  return [
    'service:',
    '  type: NodePort',
    '  ports:',
    '    - name: status-port',
    '      port: 15021',
    '      protocol: TCP',
    '      targetPort: 15021',
    '    - name: http2',
    '      port: 80',
    '      protocol: TCP',
    '      targetPort: 80',
    `      nodePort: ${NODE_PORTS.http}`,
    '    - name: https',
    '      port: 443',
    '      protocol: TCP',
    '      targetPort: 443',
    `      nodePort: ${NODE_PORTS.https}`,
  ].map((line) => `${pad}${line}\n`).join('');
}

/** Where /productpage is reached on a `local` cluster created from kind/cluster.yaml. */
export const LOCAL_PRODUCTPAGE_URL = `http://localhost:${HOST_PORTS.http}/productpage`;

/** What one cluster folder is written from. */
export interface ClusterParams {
  /** Folder name under clusters/, checked against CLUSTER_NAME. */
  name: string;
  /** The Git repository both engines read (an https or ssh URL, checked by checkRepoUrl). */
  repoURL: string;
  /** The branch the engines follow. */
  branch: string;
  engines: readonly Engine[];
  profile: Profile;
  /** The exercise the pointer starts at. */
  exercise: string;
}
