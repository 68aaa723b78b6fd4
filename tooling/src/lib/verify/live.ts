// Step 2 of verify: does the cluster run what the exercise renders? For the VirtualServices, DestinationRules,
// Deployments and Canaries of the render, the live object's `spec` must contain every field the render sets,
// with the same value. Fields the render does not set are not compared: the API server fills in defaults
// (a Deployment's strategy, a container's imagePullPolicy and terminationMessagePath, a port's protocol),
// and status, metadata and the engines' labels and annotations are not part of `spec`. Flagger's own changes
// are ignored as Flagger documents them: it scales a Canary's target Deployment to zero (`spec.replicas`) and
// generates `<target>-primary`, the VirtualService and the DestinationRules, all owned by the Canary.
// A live object of those kinds in the render's namespaces that the render does not have is a leftover
// (typically what the previous exercise had and the engine has not pruned yet).
import { KINDS, nameOf, type KindRef, type LiveObject, type KubeReader } from './kube.ts';

export const COMPARED_KINDS: readonly KindRef[] = [KINDS.VirtualService, KINDS.DestinationRule, KINDS.Deployment, KINDS.Canary];

export interface Difference {
  /** `Kind namespace/name`. */
  resource: string;
  /** JSON path inside the object, e.g. `spec.http[0].route[0].weight`. */
  path: string;
  rendered: unknown;
  /** undefined when the live object lacks the field. */
  live: unknown;
}

export interface Leftover {
  resource: string;
  /** Who applied it, from the engines' markers: `Kustomization exercise`, `Application exercise`, or `unknown`. */
  managedBy: string;
}

export interface LiveReport {
  ok: boolean;
  /** Every rendered object compared, `Kind namespace/name`. */
  checked: string[];
  missing: string[];
  differences: Difference[];
  leftovers: Leftover[];
  /** Live objects skipped because Flagger owns them. */
  flaggerOwned: string[];
}

const MAX_DIFFERENCES = 50;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // int-or-string fields (ports, maxSurge) may come back as the other type; YAML keys like `weight: 100` do not.
  return (typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string') && String(a) === String(b);
}

/** Every place where `live` lacks or changes what `rendered` sets. */
export function subsetDifferences(rendered: unknown, live: unknown, path: string, out: { path: string; rendered: unknown; live: unknown }[], ignore: ReadonlySet<string> = new Set()): void {
  if (ignore.has(path)) return;
  if (isObject(rendered)) {
    if (!isObject(live)) {
      out.push({ path, rendered, live });
      return;
    }
    for (const [key, value] of Object.entries(rendered)) {
      if (value === null) continue; // the API server drops nulls
      subsetDifferences(value, live[key], path ? `${path}.${key}` : key, out, ignore);
    }
    return;
  }
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live) || live.length !== rendered.length) {
      out.push({ path, rendered, live });
      return;
    }
    rendered.forEach((item, i) => subsetDifferences(item, live[i], `${path}[${i}]`, out, ignore));
    return;
  }
  if (!sameScalar(rendered, live)) out.push({ path, rendered, live });
}

function key(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

function ownedByCanary(object: LiveObject): boolean {
  return (object.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Canary' && String(o.apiVersion ?? '').startsWith('flagger.app/'));
}

function managerOf(object: LiveObject): string {
  const labels = object.metadata?.labels ?? {};
  const flux = labels['kustomize.toolkit.fluxcd.io/name'];
  if (flux) return `Kustomization ${labels['kustomize.toolkit.fluxcd.io/namespace'] ?? ''}/${flux}`.replace(' /', ' ');
  const tracking = object.metadata?.annotations?.['argocd.argoproj.io/tracking-id'] ?? labels['app.kubernetes.io/instance'];
  if (tracking) return `Application ${tracking.split(':')[0]}`;
  return 'unknown';
}

/** The rendered objects verify compares: those of COMPARED_KINDS, each with its namespace (default: `fallbackNamespace`). */
export function comparedObjects(rendered: readonly LiveObject[], fallbackNamespace = 'default'): { kind: KindRef; namespace: string; object: LiveObject }[] {
  const out: { kind: KindRef; namespace: string; object: LiveObject }[] = [];
  for (const object of rendered) {
    const base = COMPARED_KINDS.find((k) => k.kind === object.kind && String(object.apiVersion ?? '').startsWith(`${k.group}/`));
    if (!base || !object.metadata?.name) continue;
    const version = String(object.apiVersion).split('/')[1] ?? base.version;
    out.push({ kind: { ...base, version }, namespace: object.metadata.namespace ?? fallbackNamespace, object });
  }
  return out;
}

/** Compares the live cluster with the render (pure once the live objects are fetched; see `fetchAndCompare`). */
export function compareLive(rendered: readonly LiveObject[], live: ReadonlyMap<string, LiveObject[]>): LiveReport {
  const wanted = comparedObjects(rendered);
  const canaryTargets = new Set(
    wanted
      .filter((w) => w.kind.kind === 'Canary')
      .map((w) => {
        const ref = (w.object.spec as { targetRef?: { kind?: string; name?: string } } | undefined)?.targetRef;
        return ref?.name ? key(ref.kind ?? 'Deployment', w.namespace, ref.name) : '';
      }),
  );
  const liveByKey = new Map<string, LiveObject>();
  for (const objects of live.values()) for (const o of objects) liveByKey.set(key(String(o.kind), o.metadata?.namespace ?? '', o.metadata?.name ?? ''), o);
  const report: LiveReport = { ok: true, checked: [], missing: [], differences: [], leftovers: [], flaggerOwned: [] };
  const renderedKeys = new Set<string>();
  for (const w of wanted) {
    const k = key(w.kind.kind, w.namespace, String(w.object.metadata?.name));
    renderedKeys.add(k);
    report.checked.push(k);
    const actual = liveByKey.get(k);
    if (!actual) {
      report.missing.push(k);
      continue;
    }
    const ignore = new Set<string>(canaryTargets.has(k) ? ['spec.replicas'] : []);
    const found: { path: string; rendered: unknown; live: unknown }[] = [];
    subsetDifferences(w.object.spec ?? {}, actual.spec, 'spec', found, ignore);
    for (const d of found) if (report.differences.length < MAX_DIFFERENCES) report.differences.push({ resource: k, ...d });
  }
  for (const [k, o] of liveByKey) {
    if (renderedKeys.has(k)) continue;
    if (ownedByCanary(o)) report.flaggerOwned.push(k);
    else report.leftovers.push({ resource: nameOf(o), managedBy: managerOf(o) });
  }
  report.ok = report.missing.length === 0 && report.differences.length === 0 && report.leftovers.length === 0;
  return report;
}

/** Lists each compared kind in each namespace the render uses, then compares. */
export async function fetchAndCompare(reader: KubeReader, rendered: readonly LiveObject[]): Promise<LiveReport> {
  const wanted = comparedObjects(rendered);
  const namespaces = [...new Set(wanted.map((w) => w.namespace))].sort();
  const live = new Map<string, LiveObject[]>();
  for (const namespace of namespaces) {
    for (const base of COMPARED_KINDS) {
      const kind = wanted.find((w) => w.kind.kind === base.kind)?.kind ?? base;
      live.set(`${kind.kind} ${namespace}`, (await reader.list(kind, namespace)).map((o) => ({ ...o, kind: kind.kind, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? namespace } })));
    }
  }
  return compareLive(rendered, live);
}
