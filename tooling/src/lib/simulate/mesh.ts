// The simulator's view of the mesh model (lib/mesh/, the one the analyzers read): Services as endpoints
// behind an FQDN, workloads as pods, VirtualServices, Gateway ports and Flagger Canaries. Pure data in, data out.
import type { SourcedResource } from '../manifests.ts';
import { resourceRef } from '../manifests.ts';
import { buildModel, exportScope, nsOf, qualify, rec, selects, serviceFqdn, specOf, str, type Model, type Visibility } from '../mesh/index.ts';

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
  /** The namespaces whose clients it routes (`exportTo`). */
  scope: Visibility;
  spec: Record<string, unknown>;
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
  /** The shared model: host visibility and the DestinationRules each client gets come from it. */
  model: Model;
  services: Map<string, ServiceInfo>;
  workloads: Workload[];
  virtualServices: VirtualServiceInfo[];
  gatewayPorts: Map<string, number>;
  canaries: CanaryInfo[];
  /** FQDNs whose routing Flagger owns. */
  canaryHosts: Set<string>;
}

/** A host resolved as Istio does (lib/mesh's `qualify`). */
export const fqdn = qualify;

function refOf(res: SourcedResource): string {
  return resourceRef({ kind: res.object.kind, metadata: { name: res.object.metadata.name ?? '', namespace: nsOf(res) } });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function buildMesh(resources: readonly SourcedResource[]): Mesh {
  const model = buildModel([...resources]);
  const mesh: Mesh = { model, services: new Map(), workloads: [], virtualServices: [], gatewayPorts: new Map(), canaries: [], canaryHosts: new Set() };
  for (const [name, entry] of model.registry) {
    if (entry.kind !== 'service') continue;
    const ports = (entry.ports ?? []).map((p) => p.port);
    mesh.services.set(name, { name: entry.res.object.metadata.name ?? '', namespace: entry.ns, fqdn: name, selector: entry.selector ?? {}, ports });
  }
  mesh.workloads = model.workloads.map((w) => ({ ref: refOf(w.res), name: w.name, namespace: w.ns, labels: w.podLabels, replicas: w.replicas }));
  for (const res of model.byKind('VirtualService')) {
    const spec = specOf(res);
    const ns = nsOf(res);
    mesh.virtualServices.push({
      ref: refOf(res),
      file: res.file,
      namespace: ns,
      hosts: strings(spec.hosts).map((h) => qualify(h, ns)),
      gateways: strings(spec.gateways),
      scope: exportScope(spec.exportTo, ns),
      spec,
    });
  }
  for (const res of model.byKind('Gateway')) {
    if (!String(res.object.apiVersion).startsWith('networking.istio.io/')) continue;
    const port = Number(rec(rec((specOf(res).servers as unknown[] | undefined)?.[0])?.port)?.number);
    if (!Number.isFinite(port)) continue;
    mesh.gatewayPorts.set(res.object.metadata.name ?? '', port);
    mesh.gatewayPorts.set(`${nsOf(res)}/${res.object.metadata.name ?? ''}`, port);
  }
  for (const res of model.byKind('Canary')) {
    const spec = specOf(res);
    const port = Number(rec(spec.service)?.port);
    const name = res.object.metadata.name ?? '';
    mesh.canaries.push({
      ref: refOf(res),
      name,
      namespace: nsOf(res),
      file: res.file,
      target: str(rec(spec.targetRef)?.name) ?? '',
      serviceName: model.canaryService(res),
      ...(Number.isFinite(port) ? { port } : {}),
      analysis: rec(spec.analysis) ?? rec(spec.canaryAnalysis) ?? {},
    });
  }
  // Converged state of a Flagger canary: the primary runs the target's pod template and the apex Service
  // sends all traffic to it, so the Service behaves as if it selected the target Deployment's pods.
  for (const canary of mesh.canaries) {
    const host = serviceFqdn(canary.serviceName, canary.namespace);
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

/** Every label `wanted` asks for is on `labels` (an empty `wanted` asks for nothing). */
export function labelsInclude(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.keys(wanted).length === 0 || selects(wanted, labels);
}
