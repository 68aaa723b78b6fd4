// `npm run status` and `npm run history` against a real repository whose origin is a bare repository,
// with promotions merged as squash commits and as merge commits.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main as history } from '../../tooling/src/cli/history.ts';
import { run as status } from '../../tooling/src/cli/status.ts';
import { captureIo } from '../helpers/io.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';
import { commitOnOrigin, createTestRepo, PROMOTE_FIXTURE, type TestRepo } from '../helpers/git-repo.ts';

const POINTER = 'clusters/workshop/exercise/kustomization.yaml';

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

async function pointerTo(id: string): Promise<string> {
  return (await readFile(join(PROMOTE_FIXTURE, POINTER), 'utf8')).replace('exercises/route-v1 #', `exercises/${id} #`);
}

/** Merges a promotion the way GitHub's "Create a merge commit" does: a branch commit, then a --no-ff merge. */
async function mergePromotion(id: string, pr: number): Promise<string> {
  const other = join(repo.dir, `merge-${pr}`);
  await repo.git(['clone', '--quiet', repo.bare, other], repo.dir);
  const g = (args: string[]) => repo.git(args, other);
  await g(['config', 'user.name', 'Merger']);
  await g(['config', 'user.email', 'merger@example.com']);
  await g(['switch', '--quiet', '-c', `promote/workshop/${id}`]);
  await writeFile(join(other, POINTER), await pointerTo(id));
  await g(['commit', '--quiet', '-am', `promote(workshop): ${id}`]);
  await g(['switch', '--quiet', 'main']);
  await g(['merge', '--quiet', '--no-ff', '-m', `Merge pull request #${pr} from workshop-org/promote/workshop/${id}`, `promote/workshop/${id}`]);
  await g(['push', '--quiet', 'origin', 'main']);
  return g(['rev-parse', 'HEAD']);
}

describe('npm run status', () => {
  it('shows what each cluster points at on origin, not in the checkout', async () => {
    await commitOnOrigin(repo, POINTER, await pointerTo('route-v2'), 'promote(workshop): route-v2 (2.2 Route all reviews to v2) (#1)');
    await writeFile(join(repo.work, POINTER), await pointerTo('shift-50'));
    const io = captureIo(repo.work, {});
    expect(await status(['--output', 'json'], io)).toBe(0);
    const json = JSON.parse(io.stdoutText);
    expect(json.base).toBe('main');
    expect(json.clusters).toEqual([
      { name: 'workshop', file: POINTER, exercise: 'route-v2', section: '2.2', title: 'Route all reviews to v2', error: null, pullRequests: null },
      { name: 'workshop-b', file: 'clusters/workshop-b/exercise/kustomization.yaml', exercise: 'route-v1', section: '2.1', title: 'Route all reviews to v1', error: null, pullRequests: null },
    ]);
  });

  it('lists open promotion pull requests with a token', async () => {
    gh.pulls.push(
      { number: 4, state: 'open', title: 't', body: '', head: 'promote/workshop/shift-50', base: 'main', draft: false, labels: ['promotion'] },
      { number: 5, state: 'open', title: 't', body: '', head: 'promote/all/route-v2', base: 'main', draft: true, labels: ['promotion'] },
      { number: 6, state: 'closed', title: 't', body: '', head: 'promote/workshop/route-v2', base: 'main', draft: false, labels: [] },
      { number: 7, state: 'open', title: 't', body: '', head: 'feature/readme', base: 'main', draft: false, labels: [] },
    );
    const io = captureIo(repo.work, gh.env());
    expect(await status([], io, { github: fastClient() })).toBe(0);
    const lines = io.out;
    expect(lines[0]).toMatch(/^Clusters on main \([0-9a-f]{12}\):$/);
    expect(lines).toContain('  workshop    route-v1  (2.1 Route all reviews to v1)');
    expect(lines).toContain(`              open promotion to shift-50: #4 ${gh.url}/${gh.owner}/${gh.repo}/pull/4`);
    expect(lines.filter((l) => l.includes('#5'))).toHaveLength(2);
    expect(io.stdoutText).not.toContain('#6');
    expect(io.stdoutText).not.toContain('#7');
    expect(io.stdoutText).not.toContain(gh.token);
  });
});

describe('npm run history', () => {
  it('lists each promotion with its date, commit, exercise and pull request', async () => {
    const squash = await commitOnOrigin(repo, POINTER, await pointerTo('route-v2'), 'promote(workshop): route-v2 (2.2 Route all reviews to v2) (#3)');
    await commitOnOrigin(repo, 'apps/demo/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n', 'Unrelated change');
    const merge = await mergePromotion('shift-50', 9);
    const io = captureIo(repo.work, {});
    expect(await history(['--cluster', 'workshop', '--output', 'json'], io)).toBe(0);
    const json = JSON.parse(io.stdoutText);
    const entries = json.clusters.workshop as Array<Record<string, unknown>>;
    expect(entries.map((e) => [e.exercise, e.previous, e.pr, e.commit])).toEqual([
      ['route-v1', undefined, undefined, await repo.git(['rev-list', '--max-parents=0', 'main'], repo.bare)],
      ['route-v2', 'route-v1', 3, squash],
      ['shift-50', 'route-v2', 9, merge],
    ]);
    expect(entries.every((e) => typeof e.date === 'string' && !Number.isNaN(Date.parse(e.date as string)))).toBe(true);
    expect(Object.keys(json.clusters)).toEqual(['workshop']);

    const text = captureIo(repo.work, {});
    expect(await history([], text)).toBe(0);
    expect(text.stdoutText).toMatch(/workshop:\n.*route-v1\n.*route-v1 -> route-v2 {2}\(#3\)\n.*route-v2 -> shift-50 {2}\(#9\)\nworkshop-b:\n.*route-v1$/);
  });

  it('suggests a cluster name for a typo', async () => {
    const io = captureIo(repo.work, {});
    expect(await history(['--cluster', 'workshp'], io)).toBe(1);
    expect(io.stderrText).toContain('Did you mean "workshop"?');
  });
});
