// The few git reads the CI commands need: changed paths between two commits and a file's text at a
// commit, turned into pointer moves. Refs come from the environment, so they are checked before use.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ToolkitError, UsageError } from '../errors.ts';
import { readPointer } from '../rewriters/pointer.ts';
import { clusterOfPointerFile } from './changes.ts';

const run = promisify(execFile);

/** A branch, tag, `origin/<branch>` or commit SHA; never an option (`-x`) or a range (`a..b`). */
const SAFE_REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
/** What GitHub sends as `before` when a push creates the branch. */
export const ZERO_SHA = /^0{40}$/;

export function checkRef(ref: string, what: string): string {
  if (!SAFE_REF.test(ref)) {
    throw new UsageError(`Invalid git ref for ${what}: ${JSON.stringify(ref.slice(0, 80))}.`, 'Pass a commit SHA or a branch name such as origin/main.');
  }
  return ref;
}

async function git(root: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new ToolkitError(`git ${args[0]} failed in ${root}: ${stderr || (error as Error).message}`, {
      hint: 'Check that the commits exist locally (actions/checkout needs fetch-depth: 0 for history).',
      cause: error,
    });
  }
}

/** Paths changed between two commits (`git diff --name-only from to`). */
export async function changedFiles(root: string, from: string, to: string): Promise<string[]> {
  const out = await git(root, ['diff', '--name-only', '--no-renames', checkRef(from, 'the base commit'), checkRef(to, 'the head commit'), '--']);
  return out.split('\n').filter((l) => l !== '');
}

/** Every file path under `dir` at `ref` (`git ls-tree -r --name-only`). */
export async function listFiles(root: string, ref: string, dir: string): Promise<string[]> {
  const out = await git(root, ['ls-tree', '-r', '--name-only', checkRef(ref, 'a commit'), '--', dir]);
  return out.split('\n').filter((l) => l !== '');
}

/** Whether `ref` names a commit in this repository. */
export async function commitExists(root: string, ref: string): Promise<boolean> {
  try {
    await run('git', ['cat-file', '-e', `${checkRef(ref, 'a commit')}^{commit}`], { cwd: root });
    return true;
  } catch {
    return false;
  }
}

/** The file's text at `ref`, or undefined when the file does not exist there. */
export async function showFile(root: string, ref: string, path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['show', `${checkRef(ref, 'a commit')}:${path}`], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

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
