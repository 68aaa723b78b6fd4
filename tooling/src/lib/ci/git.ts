// How the exercise pointers moved between two commits, for the CI commands: a pointer file's text at each
// commit (through the one git layer, lib/git.ts, which checks refs from the environment) read as a pointer.
import { showFile } from '../git.ts';
import { readPointer } from '../rewriters/pointer.ts';
import { clusterOfPointerFile } from './changes.ts';

export interface PointerMove {
  cluster: string;
  file: string;
  /** Exercise before the change; undefined for a new cluster. */
  from?: string;
  /** Exercise after the change; undefined when the cluster was removed. */
  to?: string;
  /** Set when a side of the pointer file could not be read. */
  error?: string;
}

function pointerAt(text: string | undefined, file: string): { id?: string; error?: string } {
  if (text === undefined) return {};
  try {
    return { id: readPointer(text, file).exerciseId };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * How each changed pointer file moved between two commits. `before` may be undefined (or the zero
 * SHA of a new branch), in which case every pointer counts as new. Unchanged pointers are dropped.
 */
export async function pointerMoves(root: string, before: string | undefined, after: string, paths: readonly string[]): Promise<PointerMove[]> {
  const moves: PointerMove[] = [];
  for (const file of paths) {
    const cluster = clusterOfPointerFile(file);
    if (!cluster) continue;
    const [old, now] = await Promise.all([
      before === undefined ? Promise.resolve(undefined) : showFile(root, before, file),
      showFile(root, after, file),
    ]);
    const a = pointerAt(old, file);
    const b = pointerAt(now, file);
    if (a.id !== undefined && a.id === b.id) continue;
    if (old === undefined && now === undefined) continue;
    const move: PointerMove = { cluster, file };
    if (a.id !== undefined) move.from = a.id;
    if (b.id !== undefined) move.to = b.id;
    const error = b.error ?? a.error;
    if (error !== undefined) move.error = error;
    moves.push(move);
  }
  return moves.sort((x, y) => x.cluster.localeCompare(y.cluster));
}
