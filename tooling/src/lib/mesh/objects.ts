// Reading the parsed objects of a rendered unit: typed views of untyped YAML, a resource's namespace and
// name, labels and selectors, and the workloads (pod templates) of every kind that runs pods.
import type { SourcedResource } from '../manifests.ts';

export type Obj = Record<string, unknown>;

export function rec(value: unknown): Obj | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

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

/** Whether `value` is a map with at least one label. */
export function hasLabels(value: unknown): boolean {
  const r = rec(value);
  return r !== undefined && Object.keys(r).length > 0;
}

/** A label map with every value as text; null values are dropped (`version: null` is no label). */
export function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = rec(value);
  if (!r) return out;
  for (const [k, v] of Object.entries(r)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** Namespace of a namespaced resource; one rendered without a namespace lands in `default`, as kubectl would put it. */
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

/** Every kind whose pods Kubernetes runs from a template, and the bare Pod. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];
const WORKLOAD_KIND_SET = new Set(WORKLOAD_KINDS);

export function isWorkloadKind(kind: string): boolean {
  return WORKLOAD_KIND_SET.has(kind);
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
  /**
   * The labels its endpoints carry in Istio's registry: the pod labels plus those istiod adds from the pod's
   * Node (pilot's AugmentLabels): `kubernetes.io/hostname`, and the Node's region, zone and subzone.
   */
  endpointLabels: Record<string, string>;
  /** Pods it runs when converged: `spec.replicas` (default 1), 1 for a Pod, Job or CronJob; a DaemonSet counts 1. */
  replicas: number;
}

export function workloadOf(res: SourcedResource): Workload | undefined {
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
  const podLabels = labelsOf(rec(template?.metadata)?.labels);
  const replicas = spec.replicas === undefined ? 1 : Number(spec.replicas);
  return {
    res,
    kind: o.kind,
    ns: nsOf(res),
    name: nameOf(res),
    podLabels,
    endpointLabels: podLabels,
    podSpec: rec(template?.spec) ?? {},
    templatePointer,
    replicas: Number.isFinite(replicas) && replicas > 0 ? replicas : 0,
  };
}

/** Node labels istiod copies onto the endpoints of the pods that run there (the pod's locality). */
const LOCALITY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** `podLabels` with what istiod adds from the pod's Node (`nodeLabels` by Node name); see `Workload.endpointLabels`. */
export function endpointLabels(w: Workload, nodeLabels: ReadonlyMap<string, Record<string, string>>): Record<string, string> {
  const node = str(w.podSpec.nodeName);
  if (!node) return w.podLabels;
  const out = { ...w.podLabels };
  const labels = nodeLabels.get(node) ?? {};
  for (const key of LOCALITY_LABELS) if (labels[key]) out[key] = labels[key];
  out['kubernetes.io/hostname'] = node;
  return out;
}
