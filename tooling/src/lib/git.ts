// The one git layer: one runner (zx, argv lists, credentials redacted), one error type, and the reads and
// writes promotions and the CI commands need: fetch, commit, push with a lease, ls-remote, file history, a
// file at a commit, changed paths. Temporary worktrees are in worktree.ts. Arguments go to git as an argv
// list (zx quotes each), never as a built shell string.
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
  /** The fix to suggest when git fails (default: run the command yourself to see its output). */
  hint?: string;
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment git runs with: never a credential prompt, messages in English (errors are read). */
const runEnv = (extra: Record<string, string | undefined> = {}) => ({ ...process.env, ...extra, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });

/** Runs `git <args>` in `cwd`. Throws a GitError (credentials redacted) unless `nothrow`. */
export async function git(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  const env = runEnv(options.env);
  const out = await $({ cwd, env, quiet: true, nothrow: true })`git ${args}`;
  const result = { exitCode: out.exitCode ?? 1, stdout: out.stdout, stderr: redact(out.stderr, envSecrets()) };
  if (result.exitCode !== 0 && !options.nothrow) {
    const detail = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(-5).join(' ') || `exit code ${result.exitCode}`;
    throw new GitError(`git ${args[0] ?? ''} failed in ${cwd}: ${detail}`, result.stderr, options.hint);
  }
  return result;
}

/**
 * Runs `git <args>` in `cwd` synchronously, output ignored, never throwing; the exit code (1 when git could not
 * start). Only for signal handlers, where nothing may run between the signal and the exit.
 */
export function gitSync(cwd: string, args: readonly string[]): number {
  try {
    return $({ cwd, env: runEnv(), quiet: true, nothrow: true, sync: true })`git ${args}`.exitCode ?? 1;
  } catch {
    return 1;
  }
}

async function gitOut(cwd: string, args: readonly string[], hint?: string): Promise<string> {
  return (await git(cwd, args, { hint })).stdout.trim();
}

const HISTORY_HINT = 'Check that the commits exist locally (actions/checkout needs fetch-depth: 0 for history).';

export async function isGitRepo(cwd: string): Promise<boolean> {
  return (await git(cwd, ['rev-parse', '--git-dir'], { nothrow: true })).exitCode === 0;
}

/** The commits remote refs point at, in one `git ls-remote`; refs the remote does not have are left out. */
export async function lsRemoteRefs(cwd: string, remote: string, refs: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (refs.length === 0) return found;
  const wanted = new Set(refs);
  // ls-remote matches patterns by their tail: keep exact names only.
  for (const line of (await gitOut(cwd, ['ls-remote', '--', remote, ...wanted])).split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name && wanted.has(name)) found.set(name, sha);
  }
  return found;
}

/** The commit a remote ref points at, or undefined when the remote has no such ref. */
export async function lsRemote(cwd: string, remote: string, ref: string): Promise<string | undefined> {
  return (await lsRemoteRefs(cwd, remote, [ref])).get(ref);
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
  return (await fetchBranches(cwd, remote, [branch])).get(branch);
}

/** fetchBranch for several branches in one `ls-remote` and one `fetch`: their commits by branch, absent ones left out. */
export async function fetchBranches(cwd: string, remote: string, branches: readonly string[]): Promise<Map<string, string>> {
  const refs = await lsRemoteRefs(cwd, remote, branches.map((b) => `refs/heads/${b}`));
  const found = new Map<string, string>();
  if (refs.size === 0) return found;
  await git(cwd, ['fetch', '--quiet', '--no-tags', '--refmap=', '--no-write-fetch-head', '--', remote, ...refs.keys()]);
  // Every one is here now, and a commit (fails otherwise).
  await gitOut(cwd, ['rev-list', '--no-walk', ...[...refs.values()].map((sha) => `${sha}^{commit}`), '--']);
  for (const [ref, sha] of refs) found.set(ref.slice('refs/heads/'.length), sha);
  return found;
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
  // One git call for both keys: `user.name Some Name` and `user.email a@b` lines.
  const lines = (await git(cwd, ['config', '--get-regexp', '^user\\.(name|email)$'], { nothrow: true })).stdout.split('\n');
  const configured = (key: string) => lines.filter((l) => l.startsWith(`${key} `)).map((l) => l.slice(key.length + 1).trim()).at(-1) ?? '';
  const name = env.GIT_AUTHOR_NAME || configured('user.name') || 'workshop-promote';
  const email = env.GIT_AUTHOR_EMAIL || configured('user.email') || 'workshop-promote@users.noreply.github.com';
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

// GitHub refuses a push that creates or updates files under .github/workflows when the token lacks the
// `workflows` permission (GITHUB_TOKEN never has it); moving a branch across a base's workflow change is such a push.
const WORKFLOWS_REFUSED = /without `?workflows?`? (permission|scope)/i;

function pushFailure(branch: string, remote: string, result: GitResult): GitError {
  // git prefixes the remote's lines with "remote: ", and GitHub's own text may carry one more.
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim().replace(/^(remote:\s*)+/, '').trim())
    .filter((l) => l && !/^(To |Done$|error: failed to push some refs)/.test(l));
  const detail = lines.slice(-4).join(' | ') || `exit code ${result.exitCode}`;
  const hint = WORKFLOWS_REFUSED.test(detail)
    ? 'GitHub refused the push because it would change files under .github/workflows, which needs the `workflows` permission. '
      + 'A promotion changes only pointer files and recreates its branch from the new base instead of moving it across a workflow change, '
      + 'so this push should not have carried one: check that the base branch you promote into is the one the branch was made from (--base).'
    : 'Nothing else was changed. Check that you may push to the remote (branch protection, hooks, credentials) and run the command again.';
  return new GitError(`git push of ${branch} to ${remote} was rejected: ${detail}`, result.stderr, hint);
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
  if (result.exitCode !== 0) throw pushFailure(branch, remote, result);
}

/** Deletes `refs/heads/<branch>` on `remote` if it is still at `expected`. */
export async function deleteRemoteBranch(cwd: string, remote: string, branch: string, expected: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const result = await git(cwd, ['push', '--quiet', '--porcelain', `--force-with-lease=${ref}:${expected}`, '--', remote, `:${ref}`], { nothrow: true });
  if (result.exitCode !== 0) throw pushFailure(branch, remote, result);
}

/** A branch, tag, `origin/<branch>` or commit SHA; never an option (`-x`) or a range (`a..b`). */
const SAFE_REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
/** What GitHub sends as `before` when a push creates the branch. */
export const ZERO_SHA = /^0{40}$/;

/** `ref` if it is safe to hand to git (refs from the environment are checked with this); a UsageError naming `what` otherwise. */
export function checkRef(ref: string, what: string): string {
  if (!SAFE_REF.test(ref)) {
    throw new UsageError(`Invalid git ref for ${what}: ${JSON.stringify(ref.slice(0, 80))}.`, 'Pass a commit SHA or a branch name such as origin/main.');
  }
  return ref;
}

/** Paths that differ between two commits (`git diff --name-only`), optionally only under `dir`. */
export async function changedFiles(cwd: string, from: string, to: string, dir?: string): Promise<string[]> {
  const args = ['diff', '--name-only', '--no-renames', checkRef(from, 'the base commit'), checkRef(to, 'the head commit'), '--'];
  return (await gitOut(cwd, dir === undefined ? args : [...args, dir], HISTORY_HINT)).split('\n').filter(Boolean);
}

/** Every file path under `dir` at `ref` (`git ls-tree -r --name-only`). */
export async function listFiles(cwd: string, ref: string, dir: string): Promise<string[]> {
  return (await gitOut(cwd, ['ls-tree', '-r', '--name-only', checkRef(ref, 'a commit'), '--', dir], HISTORY_HINT)).split('\n').filter(Boolean);
}

/** Whether `ref` names a commit in this repository. */
export async function commitExists(cwd: string, ref: string): Promise<boolean> {
  return (await git(cwd, ['cat-file', '-e', `${checkRef(ref, 'a commit')}^{commit}`], { nothrow: true })).exitCode === 0;
}

/** Text of `file` at `ref`, or undefined when it does not exist there. */
export async function showFile(cwd: string, ref: string, file: string): Promise<string | undefined> {
  const result = await git(cwd, ['show', `${checkRef(ref, 'a commit')}:${file}`], { nothrow: true });
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
