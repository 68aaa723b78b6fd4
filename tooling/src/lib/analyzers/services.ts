// Service port names as istiod reads a protocol from them (pkg/config/kube ConvertProtocol) and istioctl's
// PortNameAnalyzer judges them: IST0118 for a port whose protocol Istio cannot tell, IST0150 for an
// ExternalName Service, whose ports must name a protocol other than plain `tcp`.
import type { SourcedResource } from '../manifests.ts';
import { arr, nsOf, num, rec, ref, specOf, str, type Collector, type Model } from './model.ts';

/** Namespaces istioctl never analyzes (pkg/kube/inject IgnoredNamespaces). */
export const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Protocol names istiod knows (pkg/config/protocol Parse), lower case. */
const PROTOCOLS = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
/** Ports istiod takes as TCP whatever their name (SMTP, DNS, MySQL, MongoDB). */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);
/** Standard `appProtocol` values Kubernetes defines, which istiod maps itself. */
const KUBERNETES_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss']);

/** Whether istiod can tell a port's protocol (ConvertProtocol is not Unsupported). */
export function protocolKnown(port: number | undefined, name: string | undefined, protocol: string | undefined, appProtocol: string | undefined): boolean {
  if (protocol === 'UDP') return true;
  const text = appProtocol ?? name ?? '';
  if (appProtocol !== undefined && KUBERNETES_APP_PROTOCOLS.has(appProtocol)) return true;
  const lower = text.toLowerCase();
  if (lower.startsWith('grpc-web')) return true;
  const dash = lower.indexOf('-');
  if (PROTOCOLS.has(dash >= 0 ? lower.slice(0, dash) : lower)) return true;
  return port !== undefined && WELL_KNOWN_TCP_PORTS.has(port);
}

/** Istio's own Services (labelled `istio` or `release: istio`) and Gateway-managed ones are not the user's to name. */
function skipped(svc: SourcedResource): boolean {
  const labels = svc.object.metadata.labels ?? {};
  return IGNORED_NAMESPACES.has(nsOf(svc)) || 'istio' in labels || labels.release === 'istio' || 'gateway.istio.io/managed' in labels;
}

export function checkServicePorts(model: Model, out: Collector): void {
  for (const svc of model.byKind('Service')) {
    if (skipped(svc)) continue;
    const spec = specOf(svc);
    const external = spec.type === 'ExternalName';
    arr(spec.ports).forEach((raw, k) => {
      const port = rec(raw);
      if (!port) return;
      const name = str(port.name);
      const known = protocolKnown(num(port.port), name, str(port.protocol), str(port.appProtocol));
      if (known && !(external && name === 'tcp')) return;
      const pointer = `/spec/ports/${k}${name === undefined ? '' : '/name'}`;
      const shown = name === undefined ? 'has no name' : `is named "${name}"`;
      if (external) {
        out.add('service-externalname-port-name', svc, pointer, `${ref(svc)} is an ExternalName Service and its port ${String(port.port)} ${shown}, so Istio treats it as plain TCP and cannot route it by host.`);
      } else {
        out.add('service-port-name', svc, pointer, `${ref(svc)} port ${String(port.port)} ${shown}, so Istio cannot tell its protocol.`);
      }
    });
  }
}
