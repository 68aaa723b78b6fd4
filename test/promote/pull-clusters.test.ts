// `npm run status` matches an open promotion pull request to the clusters whose pointer its branch changes on
// origin: a promote/all/<id> branch opened before a cluster existed is not a promotion of that cluster.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run as status } from '../../tooling/src/cli/status.ts';
import { clustersChangedOnBranches } from '../../tooling/src/lib/pull-clusters.ts';
import { captureIo } from '../helpers/io.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';
import { createTestRepo, pushOnOrigin, type TestRepo } from '../helpers/git-repo.ts';

let repo: TestRepo;
let gh: GitHubStandIn;

beforeEach(async () => {
  repo = await createTestRepo();
  gh = await startGitHubStandIn();
});

afterEach(async () => {
  await gh.close();
  await repo.cleanup();
});

const pointer = (name: string) => `clusters/${name}/exercise/kustomization.yaml`;

const pushChange = (branch: string, edit: (dir: string) => Promise<void>, subject: string) => pushOnOrigin(repo, edit, subject, branch);

const movePointer = (dir: string, name: string, id: string) => async () => {
  const file = join(dir, pointer(name));
  await writeFile(file, (await readFile(file, 'utf8')).replace(/exercises\/[a-z0-9-]+/, `exercises/${id}`));
};

describe('npm run status: pull requests by the clusters their branch changes', () => {
  it('does not list a promotion that predates a cluster, nor one whose branch leaves a cluster alone', async () => {
    // promote/all/route-v2 moves both clusters that existed when it was opened.
    await pushChange('promote/all/route-v2', async (d) => {
      await movePointer(d, 'workshop', 'route-v2')();
      await movePointer(d, 'workshop-b', 'route-v2')();
    }, 'promote(all): route-v2');
    // promote/all/shift-50 says "all" but only moves workshop.
    await pushChange('promote/all/shift-50', async (d) => movePointer(d, 'workshop', 'shift-50')(), 'promote(all): shift-50');
    // Then a cluster is added on main.
    await pushChange('main', async (d) => {
      await mkdir(join(d, 'clusters/workshop-c/exercise'), { recursive: true });
      await writeFile(join(d, pointer('workshop-c')), await readFile(join(d, pointer('workshop')), 'utf8'));
    }, 'Add cluster workshop-c');

    gh.pulls.push(
      { number: 5, state: 'open', title: 't', body: '', head: 'promote/all/route-v2', base: 'main', draft: false, labels: ['promotion'] },
      { number: 8, state: 'open', title: 't', body: '', head: 'promote/all/shift-50', base: 'main', draft: false, labels: ['promotion'] },
      // Its branch is gone from origin: matched by its name, as before.
      { number: 9, state: 'open', title: 't', body: '', head: 'promote/workshop-b/shift-v3', base: 'main', draft: false, labels: ['promotion'] },
    );
    const io = captureIo(repo.work, gh.env());
    expect(await status(['--output', 'json'], io, { github: fastClient() })).toBe(0);
    const clusters = JSON.parse(io.stdoutText).clusters as { name: string; pullRequests: { number: number }[] }[];
    expect(clusters.map((c) => [c.name, c.pullRequests.map((p) => p.number)])).toEqual([
      ['workshop', [5, 8]],
      ['workshop-b', [5, 9]],
      ['workshop-c', []],
    ]);
    const main = await repo.git(['rev-parse', 'main'], repo.bare);
    // All branches are read from origin together; a branch origin lacks maps to undefined.
    expect(await clustersChangedOnBranches(repo.work, main, ['promote/all/route-v2', 'promote/gone/x', 'promote/all/shift-50'])).toEqual(new Map([
      ['promote/all/route-v2', ['workshop', 'workshop-b']],
      ['promote/gone/x', undefined],
      ['promote/all/shift-50', ['workshop']],
    ]));
    expect(await clustersChangedOnBranches(repo.work, main, [])).toEqual(new Map());
  });
});
