// The slice of a rendered manifest set the simulator needs: Services, workloads (as pods), DestinationRules,
// VirtualServices, Gateways and Flagger Canaries, indexed by FQDN. Pure data in, data out.
import type { KubeObject, SourcedResource } from '../manifests.ts';
import { resourceRef } from '../manifests.ts';
import { qualify } from '../hosts.ts';


export interface Workload {
  /** `Deployment ns/name` for messages. */
  ref: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  replicas: number;
}

export interface ServiceInfo {
  name: string;
  namespace: string;
  fqdn: string;
  selector: Record<string, string>;
  ports: number[];
  /** Set when the Service does not exist in the manifests but a Flagger Canary generates it. */
  generatedBy?: string;
}

export interface VirtualServiceInfo {
  ref: string;
  file: string;
  namespace: string;
  hosts: string[];
  /** Empty means mesh only, as in Istio. */
  gateways: string[];
  spec: Record<string, unknown>;
}

export interface DestinationRuleInfo {
  ref: string;
  namespace: string;
  host: string;
  subsets: { name: string; labels: Record<string, string> }[];
}

export interface CanaryInfo {
  ref: string;
  name: string;
  namespace: string;
  file: string;
  target: string;
  serviceName: string;
  port?: number;
  analysis: Record<string, unknown>;
}

export interface Mesh {
  services: Map<string, ServiceInfo>;
  workloads: Workload[];
  virtualServices: VirtualServiceInfo[];
  destinationRules: DestinationRuleInfo[];
  gatewayPorts: Map<string, number>;
  canaries: CanaryInfo[];
  /** FQDNs whose routing Flagger owns. */
  canaryHosts: Set<string>;
}

function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

function nsOf(object: KubeObject): string {
  return object.metadata.namespace ?? 'default';
}

/** A host resolved as Istio does (hosts.ts's `qualify`, the analyzers' rule too), in lower case. */
export function fqdn(host: string, namespace: string): string {
  return qualify(host.toLowerCase(), namespace);
}

/** `*.example.com` style host matching; Istio allows a wildcard only as the leftmost label. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export function buildMesh(resources: readonly SourcedResource[]): Mesh {
  const mesh: Mesh = {
    services: new Map(),
    workloads: [],
    virtualServices: [],
    destinationRules: [],
    gatewayPorts: new Map(),
    canaries: [],
    canaryHosts: new Set(),
  };
  for (const { object, file } of resources) {
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    const ns = nsOf(object);
    const name = object.metadata.name ?? '';
    const group = String(object.apiVersion ?? '').split('/')[0] ?? '';
    if (object.kind === 'Service' && object.apiVersion === 'v1') {
      const ports = Array.isArray(spec.ports) ? (spec.ports as { port?: unknown }[]).map((p) => Number(p.port)).filter(Number.isFinite) : [];
      const svc: ServiceInfo = { name, namespace: ns, fqdn: fqdn(name, ns), selector: labelsOf(spec.selector), ports };
      mesh.services.set(svc.fqdn, svc);
    } else if (WORKLOAD_KINDS.has(object.kind) && group === 'apps') {
      const template = (spec.template ?? {}) as { metadata?: { labels?: unknown } };
      const replicas = spec.replicas === undefined ? 1 : Number(spec.replicas);
      mesh.workloads.push({
        ref: resourceRef({ kind: object.kind, metadata: { name, namespace: ns } }),
        name,
        namespace: ns,
        labels: labelsOf(template.metadata?.labels),
        replicas: Number.isFinite(replicas) && replicas > 0 ? replicas : 0,
      });
    } else if (group === 'networking.istio.io' && object.kind === 'VirtualService') {
      mesh.virtualServices.push({
        ref: resourceRef({ kind: object.kind, metadata: { name, namespace: ns } }),
        file,
        namespace: ns,
        hosts: (Array.isArray(spec.hosts) ? (spec.hosts as unknown[]) : []).map((h) => fqdn(String(h), ns)),
        gateways: Array.isArray(spec.gateways) ? (spec.gateways as unknown[]).map(String) : [],
        spec,
      });
    } else if (group === 'networking.istio.io' && object.kind === 'DestinationRule') {
      const subsets = Array.isArray(spec.subsets) ? (spec.subsets as { name?: unknown; labels?: unknown }[]) : [];
      mesh.destinationRules.push({
        ref: resourceRef({ kind: object.kind, metadata: { name, namespace: ns } }),
        namespace: ns,
        host: fqdn(String(spec.host ?? ''), ns),
        subsets: subsets.map((s) => ({ name: String(s.name ?? ''), labels: labelsOf(s.labels) })),
      });
    } else if (group === 'networking.istio.io' && object.kind === 'Gateway') {
      const servers = Array.isArray(spec.servers) ? (spec.servers as { port?: { number?: unknown } }[]) : [];
      const port = Number(servers[0]?.port?.number);
      if (Number.isFinite(port)) {
        mesh.gatewayPorts.set(name, port);
        mesh.gatewayPorts.set(`${ns}/${name}`, port);
      }
    } else if (group === 'flagger.app' && object.kind === 'Canary') {
      const targetRef = (spec.targetRef ?? {}) as { name?: unknown };
      const service = (spec.service ?? {}) as { name?: unknown; port?: unknown };
      const target = String(targetRef.name ?? '');
      mesh.canaries.push({
        ref: resourceRef({ kind: object.kind, metadata: { name, namespace: ns } }),
        name,
        namespace: ns,
        file,
        target,
        serviceName: typeof service.name === 'string' && service.name ? service.name : target,
        ...(Number.isFinite(Number(service.port)) ? { port: Number(service.port) } : {}),
        analysis: ((spec.analysis ?? spec.canaryAnalysis ?? {}) as Record<string, unknown>),
      });
    }
  }
  // Converged state of a Flagger canary: the primary runs the target's pod template and the apex Service
  // sends all traffic to it, so the Service behaves as if it selected the target Deployment's pods.
  for (const canary of mesh.canaries) {
    const host = fqdn(canary.serviceName, canary.namespace);
    mesh.canaryHosts.add(host);
    const target = mesh.workloads.find((w) => w.name === canary.target && w.namespace === canary.namespace);
    const existing = mesh.services.get(host);
    if (!target) continue;
    const selector = existing?.selector && Object.keys(existing.selector).length > 0 ? existing.selector : { ...target.labels };
    mesh.services.set(host, {
      name: canary.serviceName,
      namespace: canary.namespace,
      fqdn: host,
      selector,
      ports: existing?.ports.length ? existing.ports : canary.port !== undefined ? [canary.port] : [],
      ...(existing ? {} : { generatedBy: canary.ref }),
    });
  }
  return mesh;
}

export function labelsInclude(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}
