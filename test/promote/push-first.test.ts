// promote reads the exercise catalog from origin. An exercise only in the checkout, or local edits to the one
// being promoted, must be named with what to do ("push first"), not met with "Unknown exercise" or silence.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tooling/src/cli/promote.ts';
import { run as status } from '../../tooling/src/cli/status.ts';
import { main as history } from '../../tooling/src/cli/history.ts';
import { captureIo } from '../helpers/io.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';

let repo: TestRepo;

beforeEach(async () => {
  repo = await createTestRepo();
});

afterEach(async () => {
  await repo.cleanup();
});

async function promote(args: string[]) {
  const io = captureIo(repo.work, {});
  return { code: await run(args, io), err: io.stderrText, out: io.stdoutText };
}

describe('promote: push first', () => {
  it('names an exercise that is committed locally but not pushed', async () => {
    await cp(join(repo.work, 'exercises/route-v2'), join(repo.work, 'exercises/route-v3'), { recursive: true });
    const meta = join(repo.work, 'exercises/route-v3/exercise.yaml');
    await writeFile(meta, (await readFile(meta, 'utf8')).replace(/^id: route-v2$/m, 'id: route-v3').replace(/^order: \d+$/m, 'order: 90'));
    await repo.git(['add', '.']);
    await repo.git(['commit', '--quiet', '-m', 'Add route-v3']);
    const r = await promote(['route-v3', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: Exercise "route-v3" is in your checkout but not on origin, which promotions read.');
    expect(r.err).toMatch(/hint: Commit exercises\/route-v3 .*push it to origin first/);
    // An id that exists nowhere is still the plain "Unknown exercise" with a suggestion.
    const typo = await promote(['route-v4', '--dry-run']);
    expect(typo.err).toMatch(/error: Unknown exercise "route-v4"\. Did you mean/);
  });

  it('names a cluster that is in the checkout but not on origin, for promote --cluster and history --cluster', async () => {
    await cp(join(repo.work, 'clusters/workshop-b'), join(repo.work, 'clusters/workshop-c'), { recursive: true });
    const r = await promote(['route-v2', '--cluster', 'workshop-c', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: Cluster "workshop-c" is in your checkout but not on origin, which this command reads.');
    expect(r.err).toMatch(/hint: Commit clusters\/workshop-c and push it to origin first/);
    const io = captureIo(repo.work, {});
    expect(await history(['--cluster', 'workshop-c', '-o', 'json'], io)).toBe(1);
    expect(JSON.parse(io.stdoutText)).toMatchObject({ error: 'Cluster "workshop-c" is in your checkout but not on origin/main, which this command reads.' });
    expect(io.stderrText).toContain('error: Cluster "workshop-c" is in your checkout but not on origin/main, which this command reads.');
    // A name that is nowhere is still "Unknown cluster" with a suggestion.
    const typo = await promote(['route-v2', '--cluster', 'workshop-d', '--dry-run']);
    expect(typo.err).toMatch(/error: Unknown cluster "workshop-d"\. Did you mean/);
  });

  it('warns that local edits to the promoted exercise are not what the promotion uses', async () => {
    const file = join(repo.work, 'exercises/route-v2/virtual-service-reviews.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}# a local edit\n`);
    const r = await promote(['route-v2', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("warning: exercises/route-v2/virtual-service-reviews.yaml differs from origin/main (not committed or not pushed); promotions and the engines use origin/main's version: push first.");
    await repo.git(['checkout', '--', 'exercises/route-v2']);
    const clean = await promote(['route-v2', '--dry-run']);
    expect(clean.code).toBe(0);
    expect(clean.err).not.toContain('push first');
  });

  it('status says which clusters of the checkout origin does not have, or has elsewhere', async () => {
    await cp(join(repo.work, 'clusters/workshop-b'), join(repo.work, 'clusters/workshop-c'), { recursive: true });
    const pointer = join(repo.work, 'clusters/workshop/exercise/kustomization.yaml');
    await writeFile(pointer, (await readFile(pointer, 'utf8')).replace('exercises/route-v1', 'exercises/route-v2'));
    const io = captureIo(repo.work, {});
    expect(await status([], io)).toBe(0);
    expect(io.err).toEqual([
      'warning: cluster workshop points at route-v2 in your checkout but at route-v1 on origin/main; origin/main is what the cluster runs (push first, or pull).',
      'warning: cluster workshop-c is in your checkout but not on origin/main: the engines and promotions cannot see it until it is pushed (push first).',
    ]);
  });
});
