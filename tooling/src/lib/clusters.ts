// Clusters are folders under `clusters/`. Each has `exercise/kustomization.yaml`, whose one pointer line
// names the exercise the cluster runs; the engine objects (flux/, argocd/) never change with it.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, UsageError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { readPointer } from './rewriters/pointer.ts';

export const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** `name` when it is a valid cluster name (a DNS label, as kind and the folder need); a UsageError otherwise. */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new UsageError(`Invalid cluster name ${JSON.stringify(name)}.`, 'Use lowercase letters, digits and dashes (at most 63), starting and ending with a letter or digit.');
  }
  return name;
}

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

/** A cluster folder whose pointer file cannot be read; `error` says why (and how to fix it). */
export interface BrokenCluster {
  name: string;
  pointerFile: string;
  error: Error;
}

/** Every cluster folder that has a pointer file, sorted by name; unreadable pointers are listed, not thrown. */
export async function scanClusters(root: string): Promise<{ clusters: Cluster[]; broken: BrokenCluster[] }> {
  const base = join(root, 'clusters');
  if (!existsSync(base)) return { clusters: [], broken: [] };
  const entries = await readdir(base, { withFileTypes: true });
  const clusters: Cluster[] = [];
  const broken: BrokenCluster[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !CLUSTER_NAME.test(entry.name)) continue;
    const pointerFile = pointerFileOf(entry.name);
    const abs = join(root, pointerFile);
    if (!existsSync(abs)) continue;
    try {
      const pointer = readPointer(await readFile(abs, 'utf8'), pointerFile);
      clusters.push({ name: entry.name, dir: `clusters/${entry.name}`, pointerFile, exerciseId: pointer.exerciseId, pointerLine: pointer.line });
    } catch (error) {
      broken.push({ name: entry.name, pointerFile, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { clusters: clusters.sort(byName), broken: broken.sort(byName) };
}

/** Every cluster folder that has a pointer file, sorted by name. Throws on the first unreadable pointer. */
export async function loadClusters(root: string): Promise<Cluster[]> {
  const { clusters, broken } = await scanClusters(root);
  if (broken[0]) throw broken[0].error;
  return clusters;
}

export function findCluster<T extends { name: string }>(clusters: readonly T[], name: string): T {
  const found = clusters.find((c) => c.name === name);
  if (found) return found;
  const shown = CLUSTER_NAME.test(name) ? `"${name}"` : JSON.stringify(name);
  throw new NotFoundError(
    `Unknown cluster ${shown}.${didYouMean(name, clusters.map((c) => c.name))}`,
    `Clusters are the folders under clusters/: ${clusters.map((c) => c.name).join(', ') || '(none)'}.`,
  );
}
