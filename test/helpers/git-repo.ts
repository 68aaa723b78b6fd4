// Real temporary git repositories for promotion tests: a working clone of a fixture tree whose `origin`
// is a bare repository on disk, plus a snapshot of everything a run must not change.
import { rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';

export const PROMOTE_FIXTURE = resolve(fileURLToPath(import.meta.url), '../../fixtures/promote/repo');

export interface TestRepo {
  /** Temporary parent of everything below. */
  dir: string;
  /** The user's clone (the toolkit's root). */
  work: string;
  /** The bare repository that is `origin`. */
  bare: string;
  git(args: string[], cwd?: string): Promise<string>;
  cleanup(): Promise<void>;
}

// Tests must not depend on the machine's git configuration (signing, hooks paths, default branch).
// test/global-setup.ts puts the same in every worker's environment, so all files see the same git.
/** A folder for the whole test run, made and removed by test/global-setup.ts. */
export const SCRATCH_ENV = 'TOOLKIT_TEST_SCRATCH';

export const gitEnv = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };

const run = (cwd: string) => async (args: string[], dir = cwd) => (await $({ cwd: dir, quiet: true, env: { ...process.env, ...gitEnv } })`git ${args}`).stdout.trim();

/** The fixture as a committed clone with its bare origin, made once per fixture and worker (git is slow to start). */
const templates = new Map<string, Promise<string>>();
function template(fixture: string): Promise<string> {
  let made = templates.get(fixture);
  if (!made) {
    made = (async () => {
      // In the run's scratch folder, which the global setup removes at the end: workers are stopped, not
      // exited, so an exit handler of theirs would not run.
      const scratch = process.env[SCRATCH_ENV];
      const dir = await mkdtemp(join(scratch ?? tmpdir(), 'promote-template-'));
      if (!scratch) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const git = run(join(dir, 'work'));
      await cp(fixture, join(dir, 'work'), { recursive: true });
      await git(['init', '--quiet', '--bare', '--initial-branch=main', join(dir, 'origin.git')], dir);
      await git(['init', '--quiet', '--initial-branch=main']);
      await git(['config', 'user.name', 'Workshop Facilitator']);
      await git(['config', 'user.email', 'facilitator@example.com']);
      await git(['add', '.']);
      await git(['commit', '--quiet', '-m', 'Workshop repository']);
      await git(['remote', 'add', 'origin', join(dir, 'origin.git')]);
      await git(['push', '--quiet', '-u', 'origin', 'main']);
      return dir;
    })();
    templates.set(fixture, made);
  }
  return made;
}

/**
 * A fresh copy of the fixture's committed clone and bare origin (same commit every time, so hashes in
 * assertions are stable within a worker). The copy's `origin` names the copy's bare repository.
 */
export async function createTestRepo(fixture = PROMOTE_FIXTURE): Promise<TestRepo> {
  const from = await template(fixture);
  const dir = await mkdtemp(join(tmpdir(), 'promote-test-'));
  const work = join(dir, 'work');
  const bare = join(dir, 'origin.git');
  await cp(from, dir, { recursive: true });
  const config = join(work, '.git', 'config');
  await writeFile(config, (await readFile(config, 'utf8')).replaceAll(join(from, 'origin.git'), bare));
  return { dir, work, bare, git: run(work), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * In a second clone of origin/main, as someone else or a merged pull request would: `edit` its files, commit
 * everything and push the commit to `branch` on origin. Returns the new commit.
 */
export async function pushOnOrigin(repo: TestRepo, edit: (dir: string) => Promise<void>, subject: string, branch = 'main'): Promise<string> {
  const other = await mkdtemp(join(repo.dir, 'other-'));
  await repo.git(['clone', '--quiet', repo.bare, other], repo.dir);
  await edit(other);
  await repo.git(['add', '-A'], other);
  await repo.git(['-c', 'user.name=Merger', '-c', 'user.email=merger@example.com', 'commit', '--quiet', '-m', subject], other);
  await repo.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], other);
  const sha = await repo.git(['rev-parse', 'HEAD'], other);
  await rm(other, { recursive: true, force: true });
  return sha;
}

/** Commits a change to one file on origin/main through a second clone, as a merged pull request would. */
export function commitOnOrigin(repo: TestRepo, file: string, text: string, subject: string): Promise<string> {
  return pushOnOrigin(repo, (dir) => writeFile(join(dir, file), text), subject);
}

export interface Snapshot {
  head: string;
  branch: string;
  status: string;
  stagedDiff: string;
  unstagedDiff: string;
  localRefs: string;
  remoteRefs: string;
  worktrees: string;
  stashes: string;
}

/** Everything about the user's clone and the remote that a run without writes must leave as it was. */
export async function snapshot(repo: TestRepo): Promise<Snapshot> {
  const g = repo.git;
  return {
    head: await g(['rev-parse', 'HEAD']),
    branch: await g(['symbolic-ref', '--quiet', 'HEAD']),
    status: await g(['status', '--porcelain=v1', '--untracked-files=all']),
    stagedDiff: await g(['diff', '--cached']),
    unstagedDiff: await g(['diff']),
    localRefs: await g(['for-each-ref', '--format=%(refname) %(objectname)']),
    remoteRefs: await g(['for-each-ref', '--format=%(refname) %(objectname)'], repo.bare),
    worktrees: await g(['worktree', 'list', '--porcelain']),
    stashes: await g(['stash', 'list']),
  };
}
