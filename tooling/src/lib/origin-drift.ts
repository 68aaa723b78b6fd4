// What the checkout has that origin does not. `promote`, `status`, `history` and the GitOps engines read
// origin, while `exercises`, `render`, `validate` and `simulate` read the checkout; when the two differ for the
// files a command is about, it says so ("push first") instead of acting on a version the user is not looking at.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, ToolkitError } from './errors.ts';
import { CLUSTER_NAME, pointerFileOf } from './clusters.ts';
import { EXERCISE_ID } from './exercises.ts';
import { git, revParse } from './git.ts';

export interface Drift {
  /** The commit or ref compared with, as shown to the user (`origin/main`). */
  against: string;
  /** Paths (as asked) that origin does not have at all. */
  missing: string[];
  /** Files under the paths that differ from origin: committed but not pushed, edited, or new and untracked. */
  changed: string[];
  /** One sentence with what to do, or undefined when the checkout and origin agree. */
  message?: string;
}

/** The remote-tracking ref to compare with: origin/<base>, else origin's HEAD, else origin/main. */
async function originRef(root: string, base: string | undefined): Promise<string | undefined> {
  if (base) return (await revParse(root, `refs/remotes/origin/${base}`)) ? `origin/${base}` : undefined;
  const head = await git(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { nothrow: true });
  if (head.exitCode === 0 && head.stdout.trim()) return head.stdout.trim();
  return (await revParse(root, 'refs/remotes/origin/main')) ? 'origin/main' : undefined;
}

/**
 * Compares `paths` (repository-relative files or folders) in the working tree with origin, from the local
 * remote-tracking ref or the given commit (no network). Undefined when there is nothing to compare with.
 */
export async function originDrift(root: string, paths: readonly string[], options: { base?: string; commit?: string; label?: string } = {}): Promise<Drift | undefined> {
  const ref = options.commit ?? (await originRef(root, options.base));
  if (!ref) return undefined;
  const against = options.label ?? ref;
  const missing: string[] = [];
  for (const path of paths) {
    const listed = await git(root, ['ls-tree', '--name-only', ref, '--', path], { nothrow: true });
    if (listed.exitCode === 0 && listed.stdout.trim() === '') missing.push(path);
  }
  const diff = await git(root, ['diff', '--name-only', ref, '--', ...paths], { nothrow: true });
  const untracked = await git(root, ['ls-files', '--others', '--exclude-standard', '--', ...paths], { nothrow: true });
  const changed = [...new Set([...diff.stdout.split('\n'), ...untracked.stdout.split('\n')].map((l) => l.trim()).filter(Boolean))].sort();
  const drift: Drift = { against, missing, changed };
  if (missing.length > 0) {
    drift.message = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} in your checkout but not on ${against}, which is what promotions and the engines read: commit and push first.`;
  } else if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, and ${changed.length - 5} more` : '');
    drift.message = `${shown} ${changed.length === 1 ? 'differs' : 'differ'} from ${against} (not committed or not pushed); promotions and the engines use ${against}'s version: push first.`;
  }
  return drift;
}

/**
 * Promote reads the catalog from origin: an exercise that exists only in the checkout is "unknown" there. When
 * `error` is that NotFoundError and the checkout has `exercises/<id>/exercise.yaml`, say what is wrong instead.
 */
export function explainUnpushedExercise(root: string, id: string | undefined, base: string | undefined, error: unknown): unknown {
  if (!(error instanceof NotFoundError) || id === undefined || !EXERCISE_ID.test(id)) return error;
  if (!error.message.startsWith('Unknown exercise') || !existsSync(join(root, 'exercises', id, 'exercise.yaml'))) return error;
  const branch = base ? `origin/${base}` : 'origin';
  return new ToolkitError(`Exercise "${id}" is in your checkout but not on ${branch}, which promotions read.`, {
    hint: `Commit exercises/${id} (and \`npm run catalog -- write\`), push it to ${branch} first (git push, or merge its pull request), then promote again.`,
    cause: error,
  });
}

/**
 * An "Unknown cluster" error about a cluster that exists in the checkout (its pointer file is there) but not
 * on origin, which promote and history read, becomes "push first"; any other error is returned unchanged.
 */
export function explainUnpushedCluster(root: string, names: readonly string[], base: string | undefined, error: unknown): unknown {
  if (!(error instanceof NotFoundError) || !error.message.startsWith('Unknown cluster')) return error;
  const name = names.find((n) => CLUSTER_NAME.test(n) && error.message.startsWith(`Unknown cluster "${n}"`) && existsSync(join(root, pointerFileOf(n))));
  if (name === undefined) return error;
  const branch = base ? `origin/${base}` : 'origin';
  return new ToolkitError(`Cluster "${name}" is in your checkout but not on ${branch}, which this command reads.`, {
    hint: `Commit clusters/${name} and push it to ${branch} first (git push, or merge its pull request), then run the command again.`,
    cause: error,
  });
}

/** Warnings for clusters whose checkout state is not origin's: missing there, or pointing elsewhere. */
export function clusterDriftWarnings(
  local: readonly { name: string; exerciseId: string }[],
  origin: readonly { name: string; exercise?: string }[],
  against: string,
): string[] {
  const out: string[] = [];
  for (const c of local) {
    const there = origin.find((o) => o.name === c.name);
    if (!there) out.push(`cluster ${c.name} is in your checkout but not on ${against}: the engines and promotions cannot see it until it is pushed (push first).`);
    else if (there.exercise !== undefined && there.exercise !== c.exerciseId) {
      out.push(`cluster ${c.name} points at ${c.exerciseId} in your checkout but at ${there.exercise} on ${against}; ${against} is what the cluster runs (push first, or pull).`);
    }
  }
  return out;
}
