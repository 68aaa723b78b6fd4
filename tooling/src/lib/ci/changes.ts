// Sorts a pull request's changed paths into what the workshop cares about: which clusters, which
// exercises, which pointer files. Paths come from `git diff --name-only` and are treated as untrusted.
import { CLUSTER_NAME, pointerFileOf } from '../clusters.ts';
import { EXERCISE_ID } from '../exercises.ts';

export interface ChangeSet {
  /** Cluster names with any changed file under `clusters/<name>/`, sorted. */
  clusters: string[];
  /** Exercise ids with any changed file under `exercises/<id>/`, sorted. */
  exercises: string[];
  /** Changed pointer files (`clusters/<name>/exercise/kustomization.yaml`), sorted. */
  pointerFiles: string[];
  /** App names with any changed file under `apps/<name>/`, sorted. */
  apps: string[];
  /** How many changed paths fall outside clusters/, exercises/ and apps/. */
  other: number;
  total: number;
}

const POINTER_PATH = /^clusters\/([^/]+)\/exercise\/kustomization\.yaml$/;

/** Splits newline-separated `git diff --name-only` output into paths, dropping blanks and CRs. */
export function parseChangedFiles(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '').trim()).filter((l) => l !== '');
}

export function classifyChanges(paths: readonly string[]): ChangeSet {
  const clusters = new Set<string>();
  const exercises = new Set<string>();
  const apps = new Set<string>();
  const pointerFiles = new Set<string>();
  let other = 0;
  for (const path of paths) {
    const [top, name] = path.split('/');
    if (top === 'clusters' && name && CLUSTER_NAME.test(name)) {
      clusters.add(name);
      const m = POINTER_PATH.exec(path);
      if (m && pointerFileOf(name) === path) pointerFiles.add(path);
    } else if (top === 'exercises' && name && EXERCISE_ID.test(name) && path.includes('/', 'exercises/'.length)) {
      exercises.add(name);
    } else if (top === 'apps' && name && path.includes('/', 'apps/'.length)) {
      apps.add(name);
    } else {
      other += 1;
    }
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { clusters: sorted(clusters), exercises: sorted(exercises), pointerFiles: sorted(pointerFiles), apps: sorted(apps), other, total: paths.length };
}

/** The cluster name of a pointer file path, or undefined when it is not one. */
export function clusterOfPointerFile(path: string): string | undefined {
  const m = POINTER_PATH.exec(path);
  return m && CLUSTER_NAME.test(m[1] as string) ? (m[1] as string) : undefined;
}
