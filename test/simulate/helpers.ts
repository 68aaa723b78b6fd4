// Loads simulator fixtures: plain multi-document manifests, later files replacing earlier resources of the
// same kind, namespace and name (as an overlay would), plus the repository's real call graph.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifests, type SourcedResource } from '../../tooling/src/lib/manifests.ts';
import { loadCallGraph, type CallGraph } from '../../tooling/src/lib/simulate/callgraph.ts';

export const REPO = resolve(import.meta.dirname, '../..');
const DIR = join(REPO, 'test/fixtures/simulate');

export function fixture(...files: string[]): SourcedResource[] {
  const byKey = new Map<string, SourcedResource>();
  for (const file of files) {
    const parsed = parseManifests(readFileSync(join(DIR, file), 'utf8'), `test/fixtures/simulate/${file}`);
    if (parsed.findings.length > 0) throw new Error(`${file}: ${parsed.findings[0]!.message}`);
    for (const r of parsed.resources) byKey.set(`${r.object.kind}/${r.object.metadata.namespace}/${r.object.metadata.name}`, r);
  }
  return [...byKey.values()];
}

export function bookinfo(...overlays: string[]): SourcedResource[] {
  return fixture('bookinfo.yaml', ...overlays);
}

let graph: CallGraph | undefined;
export async function callGraph(): Promise<CallGraph> {
  graph ??= await loadCallGraph(REPO);
  return graph;
}
