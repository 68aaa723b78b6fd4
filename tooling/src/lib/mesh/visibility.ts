// Who sees a Service, ServiceEntry, VirtualService or DestinationRule: Istio's `exportTo` (and, for a
// Kubernetes Service, the annotation `networking.istio.io/exportTo`). Empty means every namespace, as with
// Istio's default mesh config (`defaultServiceExportTo` and its siblings unset); `.` is the resource's own
// namespace, `*` every namespace, `~` none, anything else a namespace by name.

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

export interface Visibility {
  all: boolean;
  namespaces: ReadonlySet<string>;
}

export const PUBLIC: Visibility = Object.freeze({ all: true, namespaces: new Set<string>() });

/** The namespaces `exportTo: values` names for a resource of namespace `ownNs` (`.` is its own), each once; unset, its own. */
export function exportedNamespaces(values: unknown, ownNs: string): string[] {
  const list = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  return list.length === 0 ? [ownNs] : [...new Set(list.map((v) => (v === '.' ? ownNs : v)))];
}

/** The visibility `exportTo: values` gives a resource of namespace `ownNs`. */
export function exportScope(values: unknown, ownNs: string): Visibility {
  const list = Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  if (list.length === 0) return PUBLIC;
  const namespaces = new Set<string>();
  for (const raw of list) {
    const v = raw.trim();
    if (v === '*') return PUBLIC;
    if (v === '.') namespaces.add(ownNs);
    else if (v !== '~' && v !== '') namespaces.add(v);
  }
  return { all: false, namespaces };
}

/** The visibility of a Kubernetes Service, from its annotation (a comma-separated `exportTo` list). */
export function serviceScope(annotations: Record<string, unknown> | undefined, ownNs: string): Visibility {
  const text = annotations?.[EXPORT_TO_ANNOTATION];
  return typeof text === 'string' && text.trim() !== '' ? exportScope(text.split(','), ownNs) : PUBLIC;
}

export function visibleIn(scope: Visibility, ns: string): boolean {
  return scope.all || scope.namespaces.has(ns);
}
