// Small wrappers over the git CLI for promotions: fetch, temporary worktrees, commit, push with a lease,
// ls-remote, file history. Arguments go to git as an argv list (zx quotes each), never as a built shell string.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { $ } from 'zx';
import { ToolkitError, UsageError } from './errors.ts';

export class GitError extends ToolkitError {
  readonly stderr: string;
  constructor(message: string, stderr: string, hint?: string) {
    super(message, { hint: hint ?? 'Run the git command yourself in the repository to see the full output.' });
    this.name = 'GitError';
    this.stderr = stderr;
  }
}

const BRANCH_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._/-]{1,200}(?<![./])$/;

/** A branch name safe to hand to git and to GitHub's API; a UsageError naming `what` otherwise. */
export function checkBranchName(name: string, what: string): string {
  if (!BRANCH_NAME.test(name) || name.endsWith('.lock')) {
    throw new UsageError(`Invalid ${what} ${JSON.stringify(name)}.`, 'Branch names are letters, digits, ".", "_", "-" and "/".');
  }
  return name;
}

/** Removes credentials from text that may contain remote URLs (`https://user:token@host/...`) and known secrets. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const raw of secrets) {
    // Both forms: HTTP clients send the trimmed token, so a padded one must not survive as its core.
    for (const secret of new Set([raw, raw?.trim()])) {
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    }
  }
  return out;
}

// Tokens that might be in the environment; scrubbed from anything git prints before it reaches an error.
function envSecrets(): string[] {
  return [process.env.GITHUB_TOKEN, process.env.GH_TOKEN].filter((s): s is string => Boolean(s));
}

export interface GitRunOptions {
  /** Do not throw on a non-zero exit; the caller inspects the result. */
  nothrow?: boolean;
  env?: Record<string, string | undefined>;
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `git <args>` in `cwd`. Throws a GitError (credentials redacted) unless `nothrow`. */
export async function git(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  const env = { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  const out = await $({ cwd, env, quiet: true, nothrow: true })`git ${args}`;
  const result = { exitCode: out.exitCode ?? 1, stdout: out.stdout, stderr: redact(out.stderr, envSecrets()) };
  if (result.exitCode !== 0 && !options.nothrow) {
    const detail = result.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${result.exitCode}`;
    throw new GitError(`git ${args[0] ?? ''} failed in ${cwd}: ${detail}`, result.stderr);
  }
  return result;
}

async function gitOut(cwd: string, args: readonly string[]): Promise<string> {
  return (await git(cwd, args)).stdout.trim();
}

export async function isGitRepo(cwd: string): Promise<boolean> {
  return (await git(cwd, ['rev-parse', '--git-dir'], { nothrow: true })).exitCode === 0;
}

/** The commit a remote ref points at, or undefined when the remote has no such ref. */
export async function lsRemote(cwd: string, remote: string, ref: string): Promise<string | undefined> {
  const out = await gitOut(cwd, ['ls-remote', '--', remote, ref]);
  for (const line of out.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name === ref) return sha;
  }
  return undefined;
}

/** The branch the remote's HEAD points at (`git ls-remote --symref origin HEAD`), or undefined. */
export async function remoteDefaultBranch(cwd: string, remote = 'origin'): Promise<string | undefined> {
  const out = await gitOut(cwd, ['ls-remote', '--symref', '--', remote, 'HEAD']);
  const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
  return m?.[1];
}

/**
 * Fetches one remote branch's objects without moving any local ref (no remote-tracking update, no FETCH_HEAD),
 * so a dry run leaves the user's repository as it was. Returns the branch's commit, or undefined when absent.
 */
export async function fetchBranch(cwd: string, remote: string, branch: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  const sha = await lsRemote(cwd, remote, ref);
  if (!sha) return undefined;
  await git(cwd, ['fetch', '--quiet', '--no-tags', '--refmap=', '--no-write-fetch-head', '--', remote, ref]);
  await gitOut(cwd, ['cat-file', '-e', `${sha}^{commit}`]);
  return sha;
}

export interface Worktree {
  path: string;
  /** Full ref name (`refs/heads/x`) when a branch is checked out there. */
  branch?: string;
  head?: string;
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
  await git(repo, ['worktree', 'prune'], { nothrow: true });
  const removed: string[] = [];
  const trees = await listWorktrees(repo).catch(() => [] as Worktree[]);
  for (const tree of trees.slice(1)) {
    if (!isOurTempWorktree(tree.path) || ownerAlive(dirname(tree.path))) continue;
    await git(repo, ['worktree', 'remove', '--force', '--force', '--', tree.path], { nothrow: true });
    await rm(dirname(tree.path), { recursive: true, force: true });
    removed.push(tree.path);
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
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  spawnSync('git', ['worktree', 'remove', '--force', '--', dir], { cwd: repo, env, stdio: 'ignore' });
  rmSync(parent, { recursive: true, force: true });
  spawnSync('git', ['worktree', 'prune'], { cwd: repo, env, stdio: 'ignore' });
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
      await git(repo, ['worktree', 'remove', '--force', '--', tree.dir], { nothrow: true });
      await rm(parent, { recursive: true, force: true });
      await git(repo, ['worktree', 'prune'], { nothrow: true });
    }
  }
}

/** True when `ancestor` is reachable from `commit` (`git merge-base --is-ancestor`). */
export async function isAncestor(cwd: string, ancestor: string, commit: string): Promise<boolean> {
  return (await git(cwd, ['merge-base', '--is-ancestor', ancestor, commit], { nothrow: true })).exitCode === 0;
}

export interface CommitInfo {
  parents: string[];
  subject: string;
  /** Paths the commit changes relative to its first parent (all paths for a root commit). */
  files: string[];
}

export async function commitInfo(cwd: string, commit: string): Promise<CommitInfo> {
  const [parentsLine = '', subject = ''] = (await gitOut(cwd, ['log', '-1', '--format=%P%x1f%s', commit])).split('\x1f');
  const parents = parentsLine.split(' ').filter(Boolean);
  const files = (await gitOut(cwd, ['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', commit])).split('\n').filter(Boolean);
  return { parents, subject, files };
}

/** A committer identity: GIT_AUTHOR_* / GIT_COMMITTER_* from the environment, else git config, else a fallback. */
async function identityEnv(cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const configured = async (key: string) => (await git(cwd, ['config', '--get', key], { nothrow: true })).stdout.trim();
  const name = env.GIT_AUTHOR_NAME || (await configured('user.name')) || 'workshop-promote';
  const email = env.GIT_AUTHOR_EMAIL || (await configured('user.email')) || 'workshop-promote@users.noreply.github.com';
  out.GIT_AUTHOR_NAME = name;
  out.GIT_AUTHOR_EMAIL = email;
  out.GIT_COMMITTER_NAME = env.GIT_COMMITTER_NAME || name;
  out.GIT_COMMITTER_EMAIL = env.GIT_COMMITTER_EMAIL || email;
  return out;
}

/** Stages `files` and commits them with `message` (subject, blank line, body). Returns the new commit. */
export async function commitFiles(cwd: string, files: readonly string[], message: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  await git(cwd, ['add', '--', ...files]);
  await git(cwd, ['commit', '--quiet', '--no-verify', '-m', message], { env: await identityEnv(cwd, env) });
  return gitOut(cwd, ['rev-parse', 'HEAD']);
}

/**
 * Pushes `commit` to `refs/heads/<branch>` on `remote`, only if the remote branch is still at `expected`
 * (`undefined`: the branch must not exist). The branch is ours to reset, hence the force with a lease.
 */
export async function pushWithLease(cwd: string, remote: string, commit: string, branch: string, expected: string | undefined): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const result = await git(cwd, ['push', '--quiet', '--porcelain', `--force-with-lease=${ref}:${expected ?? ''}`, '--', remote, `${commit}:${ref}`], {
    nothrow: true,
  });
  if (result.exitCode !== 0) {
    const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^(To |Done$)/.test(l));
    throw new GitError(`git push of ${branch} to ${remote} was rejected: ${lines.slice(-4).join(' | ') || `exit code ${result.exitCode}`}`, result.stderr,
      'Nothing else was changed. Check that you may push to the remote (branch protection, hooks, credentials) and run the command again.');
  }
}

/** Text of `file` at `ref`, or undefined when it does not exist there. */
export async function showFile(cwd: string, ref: string, file: string): Promise<string | undefined> {
  const result = await git(cwd, ['show', `${ref}:${file}`], { nothrow: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

/** Names of the entries directly under `dir` at `ref`. */
export async function listTree(cwd: string, ref: string, dir: string): Promise<string[]> {
  const result = await git(cwd, ['ls-tree', '--name-only', `${ref}:${dir}`], { nothrow: true });
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}

export async function revParse(cwd: string, rev: string): Promise<string | undefined> {
  const result = await git(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { nothrow: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Points local branch `branch` at `commit` without touching any checkout. */
export async function setBranch(cwd: string, branch: string, commit: string): Promise<void> {
  await git(cwd, ['update-ref', '-m', 'promote --local', `refs/heads/${branch}`, commit]);
}

export interface LogEntry {
  commit: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/** Mainline commits (first parent) at `ref` that changed `file`, newest first: merges and squashes, not PR-internal commits. */
export async function logOfFile(cwd: string, ref: string, file: string): Promise<LogEntry[]> {
  const result = await git(cwd, ['log', '--first-parent', '--format=%H%x1f%cI%x1f%s%x1e', ref, '--', file], { nothrow: true });
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [commit = '', date = '', subject = ''] = r.split('\x1f');
      return { commit, date, subject };
    });
}

export async function remoteUrl(cwd: string, remote = 'origin'): Promise<string | undefined> {
  const result = await git(cwd, ['remote', 'get-url', '--', remote], { nothrow: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * `{ owner, repo }` from a GitHub remote URL: `https://host/o/r(.git)`, `git@host:o/r(.git)`,
 * `ssh://git@host(:port)/o/r(.git)`. Undefined for anything else (e.g. a path on disk).
 */
export function parseRemoteUrl(url: string): { owner: string; repo: string } | undefined {
  const trimmed = url.trim().replace(/\/+$/, '');
  let path: string | undefined;
  const scp = /^[\w.-]+@[\w.-]+:(?!\/)(.+)$/.exec(trimmed);
  if (scp) path = scp[1];
  else {
    const m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?[^/]+\/(.+)$/i.exec(trimmed);
    if (m) path = m[1];
  }
  if (!path) return undefined;
  const parts = path.replace(/\.git$/, '').split('/');
  if (parts.length !== 2) return undefined;
  const [owner, repo] = parts as [string, string];
  if (!/^[A-Za-z0-9-]{1,39}$/.test(owner) || !/^[A-Za-z0-9._-]{1,100}$/.test(repo)) return undefined;
  return { owner, repo };
}
