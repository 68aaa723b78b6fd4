// `cluster-path-mismatch`: the Flux Kustomizations and Argo CD Applications in clusters/<name>/ must sync
// folders of clusters/<name>/ only. A hand-copied cluster keeps the paths of the one it was copied from, renders
// and validates, and yet its engine would sync the other cluster's pointer: promoting it changes nothing there.
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';
import type { RenderedUnit } from '../analyzers/types.ts';

const CLUSTER_OF_SOURCE = /^clusters\/([^/]+)(?:\/|$)/;
const CLUSTER_OF_PATH = /^(?:\.\/)*clusters\/([^/]+)(\/.*)?$/;

/** The repository paths an engine object syncs, with the JSON pointer of each. */
function syncedPaths(r: SourcedResource): { pointer: string; path: string }[] {
  const { apiVersion, kind, spec } = r.object as { apiVersion?: unknown; kind?: unknown; spec?: Record<string, unknown> };
  if (typeof apiVersion !== 'string' || !spec || typeof spec !== 'object') return [];
  const out: { pointer: string; path: string }[] = [];
  if (apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && kind === 'Kustomization' && typeof spec.path === 'string') {
    out.push({ pointer: '/spec/path', path: spec.path });
  }
  if (apiVersion.startsWith('argoproj.io/') && kind === 'Application') {
    const source = spec.source as { path?: unknown } | undefined;
    if (typeof source?.path === 'string') out.push({ pointer: '/spec/source/path', path: source.path });
    if (Array.isArray(spec.sources)) {
      spec.sources.forEach((s: { path?: unknown } | null, i: number) => {
        if (typeof s?.path === 'string') out.push({ pointer: `/spec/sources/${i}/path`, path: s.path });
      });
    }
  }
  return out;
}

export function checkClusterPaths(unit: Pick<RenderedUnit, 'source' | 'resources'>): Finding[] {
  const own = CLUSTER_OF_SOURCE.exec(unit.source)?.[1];
  if (own === undefined) return [];
  const findings: Finding[] = [];
  for (const r of unit.resources) {
    for (const { pointer, path } of syncedPaths(r)) {
      const m = CLUSTER_OF_PATH.exec(path.replace(/^\/+/, ''));
      if (!m || m[1] === own) continue;
      const other = m[1] as string;
      const fixed = path.replace(`clusters/${other}`, `clusters/${own}`);
      findings.push({
        rule: 'cluster-path-mismatch',
        severity: 'error',
        ...placeOf(r, pointer),
        resource: resourceRef(r.object),
        pointer,
        message: `Cluster ${own} syncs ${path}, a folder of cluster ${other}: its engine would follow ${other}'s pointer, so promoting ${own} changes nothing on it.`,
        hint: `Change it to ${fixed}. A cluster written by \`npm run cluster -- add ${own}\` has its own paths throughout.`,
      });
    }
  }
  return findings;
}
