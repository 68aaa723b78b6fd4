// Clusters are folders under `clusters/`. Each has `exercise/kustomization.yaml`, whose one pointer line
// names the exercise the cluster runs; the engine objects (flux/, argocd/) never change with it.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { readPointer } from './rewriters/pointer.ts';

export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface Cluster {
  name: string;
  /** Repository-relative cluster folder, `clusters/<name>`. */
  dir: string;
  /** Repository-relative pointer file. */
  pointerFile: string;
  /** The exercise id the pointer names. */
  exerciseId: string;
  /** 1-based line of the pointer in `pointerFile`. */
  pointerLine: number;
}

export function pointerFileOf(name: string): string {
  return `clusters/${name}/exercise/kustomization.yaml`;
}

/** Every cluster folder that has a pointer file, sorted by name. */
export async function loadClusters(root: string): Promise<Cluster[]> {
  const base = join(root, 'clusters');
  if (!existsSync(base)) return [];
  const entries = await readdir(base, { withFileTypes: true });
  const clusters: Cluster[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !CLUSTER_NAME.test(entry.name)) continue;
    const pointerFile = pointerFileOf(entry.name);
    const abs = join(root, pointerFile);
    if (!existsSync(abs)) continue;
    const pointer = readPointer(await readFile(abs, 'utf8'), pointerFile);
    clusters.push({ name: entry.name, dir: `clusters/${entry.name}`, pointerFile, exerciseId: pointer.exerciseId, pointerLine: pointer.line });
  }
  return clusters.sort((a, b) => a.name.localeCompare(b.name));
}

export function findCluster(clusters: readonly Cluster[], name: string): Cluster {
  const found = clusters.find((c) => c.name === name);
  if (found) return found;
  const shown = CLUSTER_NAME.test(name) ? `"${name}"` : JSON.stringify(name);
  throw new NotFoundError(
    `Unknown cluster ${shown}.${didYouMean(name, clusters.map((c) => c.name))}`,
    `Clusters are the folders under clusters/: ${clusters.map((c) => c.name).join(', ') || '(none)'}.`,
  );
}
