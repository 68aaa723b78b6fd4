// The temporary worktree of a promotion is removed when the run is interrupted (Ctrl-C, SIGTERM), which skips
// `finally`, and worktrees left by runs that were killed outright are pruned by the next run. Real child
// processes, real git, real kustomize behind a wrapper that holds the run inside the worktree.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tooling/src/cli/promote.ts';
import { npmKustomizeBinary } from '../../tooling/src/lib/kustomize.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../tooling/src/cli/promote.ts');
const TSX = import.meta.resolve('tsx');

let repo: TestRepo;

beforeEach(async () => {
  repo = await createTestRepo();
});

afterEach(async () => {
  await repo.cleanup();
});

async function worktreePaths(): Promise<string[]> {
  const out = await repo.git(['worktree', 'list', '--porcelain']);
  return out.split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice('worktree '.length));
}

async function waitFor(file: string, child: { exitCode: number | null }): Promise<string> {
  // Polls for the wrapper's marker; the test's own timeout bounds it.
  for (;;) {
    if (existsSync(file)) {
      const text = (await readFile(file, 'utf8')).trim();
      if (text) return text;
    }
    if (child.exitCode !== null) throw new Error('the promote process exited before rendering');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('temporary worktree cleanup', { timeout: 120_000 }, () => {
  it.each([
    ['SIGINT', 130, true],
    ['SIGTERM', 143, false],
  ] as const)('an interrupted run (%s) removes its worktree and temporary directory', async (signal, code, group) => {
    const marker = join(repo.dir, 'rendering');
    const wrapper = join(repo.dir, 'slow-kustomize');
    // Records the directory being rendered (inside the temporary worktree), then holds the run there.
    await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = version ]; then exec '${npmKustomizeBinary()}' version; fi\nprintf '%s\\n' "$2" > '${marker}'\nsleep 60\nexec '${npmKustomizeBinary()}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const before = await worktreePaths();

    // --no-cache: a render from the cache would never reach the wrapper.
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'route-v2', '--dry-run', '--no-cache'], {
      cwd: repo.work,
      env: { ...process.env, KUSTOMIZE: wrapper, GITHUB_TOKEN: '', GH_TOKEN: '' },
      // Its own process group, so a Ctrl-C can reach the whole group as a terminal would send it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (c, s) => done({ code: c, signal: s })));
    try {
      const rendering = await waitFor(marker, child);
      // The pointer folder, or the exercise it only lists (rendered in its place: render/index.ts wrappedDir).
      const worktree = rendering.replace(/\/(?:clusters\/workshop\/exercise|exercises\/[a-z0-9-]+)\/?$/, '');
      expect(worktree).toMatch(/\/promote-[A-Za-z0-9]{6}\/worktree$/);
      expect(existsSync(worktree)).toBe(true);
      expect(await worktreePaths()).toHaveLength(before.length + 1);

      process.kill(group ? -(child.pid as number) : (child.pid as number), signal);
      const end = await exited;
      // Re-raised: death by the signal; or, when something else listened too, the conventional 128 + n.
      expect(end.signal === signal || end.code === code, `${JSON.stringify(end)} ${stderr}`).toBe(true);
      expect(await worktreePaths()).toEqual(before);
      expect(existsSync(dirname(worktree))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // The wrapper's sleep is orphaned when only the node process was signalled.
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
  });

  it('a Ctrl-C while git is still writing the worktree exits by the signal, without a stack trace; the next run removes what is left', async () => {
    const marker = join(repo.dir, 'checking-out');
    // post-checkout runs inside `git worktree add`; this one ignores the Ctrl-C and keeps writing for a while,
    // as a checkout in progress does, so removing the folder meets files that are still appearing.
    const hook = join(repo.work, '.git', 'hooks', 'post-checkout');
    await writeFile(hook, `#!/bin/sh\ntrap '' INT TERM HUP\npwd > '${marker}'\ni=0\nwhile [ $i -lt 150 ]; do mkdir -p "d$i" 2>/dev/null && echo x > "d$i/f" 2>/dev/null; i=$((i+1)); sleep 0.02; done\ntouch '${marker}.done'\n`);
    await chmod(hook, 0o755);
    const before = await worktreePaths();
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'route-v2', '--dry-run'], {
      cwd: repo.work, env: { ...process.env, GITHUB_TOKEN: '', GH_TOKEN: '' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (c, s) => done({ code: c, signal: s })));
    try {
      const worktree = await waitFor(marker, child);
      expect(worktree).toMatch(/\/promote-[A-Za-z0-9]{6}\/worktree$/);
      process.kill(-(child.pid as number), 'SIGINT');
      const end = await exited;
      expect(end.signal === 'SIGINT' || end.code === 130, `${JSON.stringify(end)} ${stderr}`).toBe(true);
      expect(stderr).not.toMatch(/ENOTEMPTY|\n\s+at /);
      // Let the hook finish its writes (about 3 s, longer on a loaded machine), then a later run clears the leftovers.
      for (let waited = 0; !existsSync(`${marker}.done`) && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(`${marker}.done`)).toBe(true);
      await rm(hook);
      const io = captureIo(repo.work, {});
      expect(await run(['route-v2', '--dry-run'], io), io.stderrText).toBe(0);
      expect(await worktreePaths()).toEqual(before);
      expect(existsSync(dirname(worktree))).toBe(false);
    } finally {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
  });

  it('prunes worktrees of earlier killed runs, and only those', async () => {
    // A killed run: our temp layout, an owner process that no longer exists.
    const deadParent = await mkdtemp(join(tmpdir(), 'promote-'));
    await repo.git(['worktree', 'add', '--quiet', '--detach', join(deadParent, 'worktree'), 'HEAD']);
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    await writeFile(join(deadParent, 'owner.pid'), `${dead.pid}\n`);
    // A killed run whose directory was cleaned by the OS already: only the registration is left.
    const goneParent = await mkdtemp(join(tmpdir(), 'promote-'));
    await repo.git(['worktree', 'add', '--quiet', '--detach', join(goneParent, 'worktree'), 'HEAD']);
    await rm(goneParent, { recursive: true, force: true });
    // A run interrupted while git was still checking out: a half-written folder that git never registered.
    const halfParent = await mkdtemp(join(tmpdir(), 'promote-'));
    await mkdir(join(halfParent, 'worktree', 'apps'), { recursive: true });
    await writeFile(join(halfParent, 'worktree', 'apps', 'partial.yaml'), 'kind: Partial\n');
    await writeFile(join(halfParent, 'owner.pid'), `${dead.pid}\n`);
    // A run still in progress (this process owns it), and the user's own worktree: both stay.
    const liveParent = await mkdtemp(join(tmpdir(), 'promote-'));
    await repo.git(['worktree', 'add', '--quiet', '--detach', join(liveParent, 'worktree'), 'HEAD']);
    await writeFile(join(liveParent, 'owner.pid'), `${process.pid}\n`);
    const mine = join(repo.dir, 'elsewhere', 'my-worktree');
    await mkdir(dirname(mine), { recursive: true });
    await repo.git(['worktree', 'add', '--quiet', '-b', 'my-feature', mine, 'HEAD']);

    try {
      const io = captureIo(repo.work, {});
      expect(await run(['route-v2', '--dry-run'], io), io.stderrText).toBe(0);
      const left = await worktreePaths();
      expect(left).toHaveLength(3);
      expect(left).toContain(join(liveParent, 'worktree'));
      expect(left).toContain(mine);
      expect(existsSync(deadParent)).toBe(false);
      expect(existsSync(halfParent)).toBe(false);
      expect(existsSync(join(liveParent, 'worktree'))).toBe(true);
    } finally {
      await repo.git(['worktree', 'remove', '--force', join(liveParent, 'worktree')]);
      await rm(liveParent, { recursive: true, force: true });
      await rm(deadParent, { recursive: true, force: true });
      await rm(halfParent, { recursive: true, force: true });
    }
  });
});
