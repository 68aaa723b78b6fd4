// DestinationRule checks: the host exists for the namespaces the rule is exported to (istioctl IST0174),
// each subset selects pods (IST0173), has labels, and no two rules share a host.
import { exportedNamespaces } from '../mesh/visibility.ts';
import type { SourcedResource } from '../manifests.ts';
import { notFound } from './destinations.ts';
import {
  arr,
  clusterNamespace,
  hasLabels,
  labelsOf,
  nsOf,
  rec,
  ref,
  selects,
  specOf,
  str,
  type Collector,
  type Model,
  type Obj,
  type Workload,
} from './model.ts';

/**
 * The pods a DestinationRule's subsets choose from, for a host: those of the host's own Service, or of every
 * Service a wildcard host covers; undefined when no such Service has a selector (the pods are not ours to judge).
 */
function hostPods(model: Model, fqdn: string): readonly Workload[] | undefined {
  // Whoever sees them: the pods are the same for every client that gets the rule.
  const entry = model.registry.get(fqdn);
  const candidates = fqdn.includes('*') ? model.covered(fqdn) : entry ? [[fqdn, entry] as const] : [];
  const services = candidates.flatMap(([fqdn, entry]) => (entry.kind === 'service' && entry.selector ? [{ ns: clusterNamespace(fqdn), selector: entry.selector }] : []));
  if (services.length === 0) return undefined;
  const chosen = new Set(services.flatMap((svc) => (svc.ns === undefined ? [] : model.selectedPods(svc.ns, svc.selector))));
  // Each workload once, in resource order, as the messages list them.
  return model.workloads.filter((w) => chosen.has(w));
}

/** A subset's labels select one of the host's pods, by the labels their endpoints carry (Node labels included). */
function checkSubsetPods(out: Collector, dr: SourcedResource, host: string, subset: Obj, k: number, pods: readonly Workload[]): void {
  const labels = labelsOf(subset.labels);
  if (pods.some((w) => selects(labels, w.endpointLabels))) return;
  const name = str(subset.name) ?? `#${k}`;
  const shown = Object.entries(labels).map(([k2, v]) => `${k2}=${v}`).join(',');
  out.add(
    'dr-subset-no-pods',
    dr,
    `/spec/subsets/${k}/labels`,
    `${ref(dr)} subset "${name}" selects ${shown}, which no pod of "${host}" carries${pods.length ? ` (workloads: ${pods.map((w) => w.name).join(', ')})` : ''}.`,
  );
}

export function checkDestinationRules(model: Model, out: Collector): void {
  const byHost = new Map<string, SourcedResource[]>();
  for (const dr of model.byKind('DestinationRule')) {
    const spec = specOf(dr);
    const host = spec.host;
    if (typeof host !== 'string' || host === '') continue;
    const ns = nsOf(dr);
    const found = model.lookup(host, ns, exportedNamespaces(spec.exportTo, ns));
    const sameHost = byHost.get(found.fqdn);
    if (sameHost) sameHost.push(dr);
    else byHost.set(found.fqdn, [dr]);
    if (!found.found && !found.outOfView) {
      out.add('dr-host-not-found', dr, '/spec/host', `${ref(dr)} is for host "${host}", which ${notFound(found, ns)}.${model.dnsOnlyHint(host, ns)}`);
    }
    const pods = hostPods(model, found.fqdn);
    arr(spec.subsets).forEach((raw, k) => {
      const subset = rec(raw) ?? {};
      if (!hasLabels(subset.labels)) {
        out.add('dr-subset-no-labels', dr, `/spec/subsets/${k}`, `${ref(dr)} subset "${str(subset.name) ?? `#${k}`}" has no labels, so it selects every pod of "${host}".`);
        return;
      }
      if (pods !== undefined) checkSubsetPods(out, dr, host, subset, k, pods);
    });
  }
  byHost.forEach((list, fqdn) => {
    if (list.length < 2) return;
    for (const dr of list) {
      const others = list.filter((d) => d !== dr).map(ref);
      out.add('dr-duplicate-host', dr, '/spec/host', `${ref(dr)} and ${others.join(', ')} are both for host ${fqdn}.`);
    }
  });
}
