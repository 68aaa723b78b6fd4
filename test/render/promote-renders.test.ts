// promote renders each cluster once: the plan's before and after renders are the ones the validation gate
// and the pull request body use, so a dry run of one cluster runs two kustomize builds (the exercise before
// and the exercise after the move), not three or more.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tooling/src/cli/promote.ts';
import { renderer, resetRenderer, useRenderCache } from '../../tooling/src/lib/render/index.ts';
import { captureIo } from '../helpers/io.ts';
import { fastClient } from '../helpers/github-stand-in.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';

let repo: TestRepo;

beforeEach(async () => {
  repo = await createTestRepo();
  resetRenderer();
});

afterEach(async () => {
  useRenderCache(true);
  resetRenderer();
  await repo.cleanup();
});

describe('promote --dry-run', { timeout: 180_000 }, () => {
  it('builds each state of the cluster once; the gate and the body reuse the plan\'s renders', async () => {
    const io = captureIo(repo.work, {});
    const code = await run(['route-v2', '--dry-run', '--no-cache', '--output', 'json'], io, { github: fastClient() });
    expect(code, io.stderrText).toBe(0);
    const out = JSON.parse(io.stdoutText) as { body: string };
    // The body shows the rendered diff (from the plan's renders) and the gate's validation result.
    expect(out.body).toContain('<summary>Full rendered diff</summary>');
    expect(out.body).toContain('### Validation');
    // Requested: the plan's before and after, and the gate's validate of the moved folder.
    expect(renderer().stats).toMatchObject({ requested: 3, distinct: 2, builds: 2, cached: 0 });
  });

  it('--no-cache lasts one run: the next run without it reads the on-disk cache again', async () => {
    const io = captureIo(repo.work, {});
    expect(await run(['route-v2', '--dry-run', '--no-cache'], io), io.stderrText).toBe(0);
    expect(await run(['route-v2', '--dry-run'], io), io.stderrText).toBe(0);
    // A new process's renderer (nothing remembered in memory) finds on disk what the second run stored.
    resetRenderer();
    expect(await run(['route-v2', '--dry-run'], io), io.stderrText).toBe(0);
    expect(renderer().stats).toMatchObject({ builds: 0, cached: 2 });
  });
});
