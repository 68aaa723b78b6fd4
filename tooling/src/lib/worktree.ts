// Temporary worktrees for promotions: created detached at a commit, removed on every exit path including
// Ctrl-C, SIGTERM and SIGHUP, and leftovers of killed runs pruned at the next start.
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { git, gitSync } from './git.ts';

export interface Worktree {
  path: string;
  /** Full ref name (`refs/heads/x`) when a branch is checked out there. */
  branch?: string;
  head?: string;
  /** git says its directory is gone (`prunable`): `git worktree prune` would drop the record. */
  prunable?: boolean;
}

/** Every worktree of the repository, the main one first (`git worktree list --porcelain`). */
export async function listWorktrees(repo: string): Promise<Worktree[]> {
  const out = (await git(repo, ['worktree', 'list', '--porcelain'])).stdout;
  const trees: Worktree[] = [];
  for (const block of out.split(/\n\n+/)) {
    const tree: Partial<Worktree> = {};
    for (const line of block.split('\n')) {
      const space = line.indexOf(' ');
      const key = space < 0 ? line : line.slice(0, space);
      const value = space < 0 ? '' : line.slice(space + 1);
      if (key === 'worktree') tree.path = value;
      else if (key === 'branch') tree.branch = value;
      else if (key === 'HEAD') tree.head = value;
      else if (key === 'prunable') tree.prunable = true;
    }
    if (tree.path) trees.push(tree as Worktree);
  }
  return trees;
}

// Our temporary worktrees live at <tmpdir>/promote-XXXXXX/worktree, next to a file naming the owning process.
const TEMP_PREFIX = 'promote-';
const TEMP_PARENT = /^promote-[A-Za-z0-9]{6}$/;
const OWNER_FILE = 'owner.pid';
const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function tmpRoots(): string[] {
  const roots = [tmpdir()];
  try {
    roots.push(realpathSync(tmpdir()));
  } catch {
    // tmpdir missing: nothing of ours can be there either
  }
  return roots;
}

/** True for a path this module created: <tmpdir>/promote-XXXXXX/worktree. */
function isOurTempWorktree(path: string): boolean {
  const parent = dirname(path);
  return basename(path) === 'worktree' && TEMP_PARENT.test(basename(parent)) && tmpRoots().includes(dirname(parent));
}

function ownerAlive(parent: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(parent, OWNER_FILE), 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary worktrees that earlier runs left behind when they were killed (SIGKILL, power loss):
 * registrations whose directory is gone, and our own <tmpdir>/promote-* worktrees whose process is dead.
 * Worktrees anywhere else, and those of a promotion still running, are left alone. Returns the removed paths.
 */
export async function pruneStaleWorktrees(repo: string): Promise<string[]> {
  const removed: string[] = [];
  const trees = await listWorktrees(repo).catch(() => [] as Worktree[]);
  // Records of vanished directories first; git is asked only when it listed one.
  if (trees.some((t) => t.prunable)) await git(repo, ['worktree', 'prune'], { nothrow: true });
  for (const tree of trees.slice(1)) {
    if (tree.prunable) continue;
    if (!isOurTempWorktree(tree.path) || ownerAlive(dirname(tree.path))) continue;
    await git(repo, ['worktree', 'remove', '--force', '--force', '--', tree.path], { nothrow: true });
    await rm(dirname(tree.path), { recursive: true, force: true });
    removed.push(tree.path);
  }
  // Temp folders whose worktree was never registered or already unregistered (a run interrupted while git
  // was still checking out), with a dead owner.
  for (const root of new Set(tmpRoots())) {
    const names = await readdir(root).catch(() => [] as string[]);
    for (const name of names.filter((n) => TEMP_PARENT.test(n))) {
      const parent = join(root, name);
      if (!existsSync(join(parent, OWNER_FILE)) || ownerAlive(parent) || removed.includes(join(parent, 'worktree'))) continue;
      // Files may still be appearing (a dead run's git finishing its checkout): what is left, a later run removes.
      const gone = await rm(parent, { recursive: true, force: true, maxRetries: 3 }).then(() => true, () => false);
      if (gone) removed.push(join(parent, 'worktree'));
    }
  }
  if (removed.length > 0) await git(repo, ['worktree', 'prune'], { nothrow: true });
  return removed;
}

interface TempWorktree {
  repo: string;
  dir: string;
  parent: string;
}

// Worktrees in use by this process. One set of signal handlers serves them all, installed while any exists.
const active = new Set<TempWorktree>();
let exiting = false;

/** Synchronous removal for signal handlers: nothing else may run between the signal and the exit. */
function removeWorktreeSync({ repo, dir, parent }: TempWorktree): void {
  try {
    // Twice --force: a worktree still being checked out is locked ("initializing") by the git that adds it.
    gitSync(repo, ['worktree', 'remove', '--force', '--force', '--', dir]);
    // That git, hit by the same Ctrl-C, may still be writing or removing files: retry ENOTEMPTY and EBUSY.
    // The checkout first, the parent (with its owner file) last: if files still appearing defeat the removal,
    // the owner file stays, and the next run's pruneStaleWorktrees knows the folder for a dead run's and removes it.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    rmSync(parent, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    gitSync(repo, ['worktree', 'prune']);
  } catch {
    // Never a stack trace from a signal handler: whatever is left, the next run's pruneStaleWorktrees removes.
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // A second Ctrl-C while cleaning up must not leave half a worktree behind.
  if (exiting) return;
  exiting = true;
  for (const tree of active) removeWorktreeSync(tree);
  active.clear();
  for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
  // Re-raise so the parent sees death by the signal; if another listener keeps the process alive, exit explicitly.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  process.exit(128 + (constants.signals[signal] ?? 0));
}

function track(tree: TempWorktree): void {
  if (active.size === 0) for (const s of CLEANUP_SIGNALS) process.on(s, onSignal);
  active.add(tree);
}

function untrack(tree: TempWorktree): void {
  active.delete(tree);
  if (active.size === 0) for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Runs `fn` in a temporary detached worktree of `commit`. The worktree is removed and pruned on every exit
 * path: when `fn` returns or throws (`finally`), and on SIGINT, SIGTERM and SIGHUP, which skip `finally`:
 * while it exists a handler removes it and then ends the process by the same signal (exit status 130 for
 * Ctrl-C, 143 for SIGTERM). Worktrees left by earlier runs that were killed outright are pruned first.
 */
export async function withWorktree<T>(repo: string, commit: string, fn: (dir: string) => Promise<T>): Promise<T> {
  await pruneStaleWorktrees(repo);
  const parent = await mkdtemp(join(tmpdir(), TEMP_PREFIX));
  const tree: TempWorktree = { repo, dir: join(parent, 'worktree'), parent };
  track(tree);
  try {
    await writeFile(join(parent, OWNER_FILE), `${process.pid}\n`);
    await git(repo, ['worktree', 'add', '--quiet', '--detach', '--', tree.dir, commit]);
    return await fn(tree.dir);
  } finally {
    untrack(tree);
    if (!exiting) {
      const removed = await git(repo, ['worktree', 'remove', '--force', '--', tree.dir], { nothrow: true });
      await rm(parent, { recursive: true, force: true });
      // A successful remove also drops git's record of the worktree; only a failed one leaves it to prune.
      if (removed.exitCode !== 0) await git(repo, ['worktree', 'prune'], { nothrow: true });
    }
  }
}

