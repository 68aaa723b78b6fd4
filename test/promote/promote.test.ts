// End-to-end promotions against a real git repository (origin: a bare repository on disk) and a fake
// GitHub REST API on 127.0.0.1, through the CLI's main.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tooling/src/cli/promote.ts';
import { captureIo } from '../helpers/io.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';
import { commitOnOrigin, createTestRepo, snapshot, PROMOTE_FIXTURE, type TestRepo } from '../helpers/git-repo.ts';

const POINTER = 'clusters/workshop/exercise/kustomization.yaml';
const POINTER_B = 'clusters/workshop-b/exercise/kustomization.yaml';

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

function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return gh.env(extra);
}

const outputs: string[] = [];

async function promote(args: string[], e: NodeJS.ProcessEnv = env()) {
  const io = captureIo(repo.work, e);
  const code = await run(args, io, { github: fastClient() });
  outputs.push(io.stdoutText, io.stderrText);
  return { code, out: io.stdoutText, err: io.stderrText, lines: io.out };
}

async function promoteJson(args: string[], e?: NodeJS.ProcessEnv) {
  const r = await promote([...args, '--output', 'json'], e);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as { url: string | null; number: number | null; branch: string; clusters: string[]; exercise: string; action: string };
}

async function remoteBranch(name: string): Promise<string | undefined> {
  const out = await repo.git(['for-each-ref', '--format=%(objectname)', `refs/heads/${name}`], repo.bare);
  return out || undefined;
}

async function fixtureText(file: string): Promise<string> {
  return readFile(join(PROMOTE_FIXTURE, file), 'utf8');
}

function withPointer(text: string, from: string, to: string): string {
  return text.replace(`- ../../../exercises/${from} # the pointer`, `- ../../../exercises/${to} # the pointer`);
}

// Each case runs git, kustomize and validation several times; on a busy shared machine that takes a while.
describe('npm run promote', { timeout: 180_000 }, () => {
  it('pushes a branch with only the pointer line changed and opens a labelled pull request', async () => {
    const r = await promote(['route-v2']);
    expect(r.code, r.err).toBe(0);
    expect(gh.pulls).toHaveLength(1);
    const pr = gh.pulls[0]!;
    expect(pr).toMatchObject({
      number: 1, state: 'open', head: 'promote/workshop/route-v2', base: 'main', draft: false, labels: ['promotion'],
      title: 'promote(workshop): route-v2 (2.2 Route all reviews to v2)',
    });
    expect(r.lines.at(-1)).toBe(`${gh.url}/${gh.owner}/${gh.repo}/pull/1`);

    const sha = await remoteBranch('promote/workshop/route-v2');
    expect(sha).toBeDefined();
    expect(await repo.git(['rev-parse', `${sha}^`], repo.bare)).toBe(await repo.git(['rev-parse', 'main'], repo.bare));
    expect(await repo.git(['diff', '--name-only', `${sha}^`, sha!], repo.bare)).toBe(POINTER);
    expect(await repo.git(['show', `${sha}:${POINTER}`], repo.bare)).toBe(withPointer(await fixtureText(POINTER), 'route-v1', 'route-v2').trimEnd());
    expect(await repo.git(['log', '-1', '--format=%s', sha!], repo.bare)).toBe(pr.title);

    // The body carries the exercise, the pointer change, the resource table, the diff and the validation result.
    expect(pr.body).toContain('## 2.2 Route all reviews to v2');
    expect(pr.body).toContain('Reload /productpage a few times.');
    expect(pr.body).toContain('| workshop | `route-v1` | `route-v2` |');
    expect(pr.body).toContain('| changed | `VirtualService demo/reviews` |');
    expect(pr.body).toMatch(/<details>[\s\S]*-\s+subset: v1\n\+\s+subset: v2[\s\S]*<\/details>/);
    expect(pr.body).toContain('**Passed**: 0 error(s)');

    // The token went to GitHub on every request and nowhere else.
    expect(gh.requests.every((q) => q.authorization === `token ${gh.token}`)).toBe(true);
    expect(`${r.out}\n${r.err}`).not.toContain(gh.token);
  });

  it('converges on reruns: the same pull request is left alone, then updated when the base moves', async () => {
    const first = await promoteJson(['route-v2']);
    expect(first).toMatchObject({ action: 'created', number: 1, branch: 'promote/workshop/route-v2', clusters: ['workshop'], exercise: 'route-v2' });
    const pushed = await remoteBranch('promote/workshop/route-v2');

    const again = await promoteJson(['route-v2']);
    expect(again).toMatchObject({ action: 'unchanged', number: 1, url: first.url });
    expect(await remoteBranch('promote/workshop/route-v2')).toBe(pushed);

    const newBase = await commitOnOrigin(repo, 'apps/demo/service-reviews.yaml',
      (await fixtureText('apps/demo/service-reviews.yaml')).replace('app: reviews\nspec', 'app: reviews\n    team: mesh\nspec'), 'Label the reviews service');
    const third = await promoteJson(['route-v2']);
    expect(third).toMatchObject({ action: 'updated', number: 1 });
    const moved = await remoteBranch('promote/workshop/route-v2');
    expect(moved).not.toBe(pushed);
    expect(await repo.git(['rev-parse', `${moved}^`], repo.bare)).toBe(newBase);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]!.body).toContain(newBase.slice(0, 12));
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/pulls'))).toHaveLength(1);
  });

  it('goes down the update path when GitHub answers 422 "already exists"', async () => {
    gh.pulls.push({ number: 1, state: 'open', title: 'old title', body: 'old', head: 'promote/workshop/route-v2', base: 'main', draft: false, labels: [] });
    // The first lookup misses it, as when another run opened it a moment ago.
    gh.fail(200, 1, { match: (m, p) => m === 'GET' && p.endsWith('/pulls'), body: [] });
    const result = await promoteJson(['route-v2']);
    expect(result).toMatchObject({ action: 'updated', number: 1 });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ title: 'promote(workshop): route-v2 (2.2 Route all reviews to v2)', labels: ['promotion'] });
  });

  it('is a noop when the cluster already points at the exercise, and pushes nothing', async () => {
    const before = await snapshot(repo);
    const r = await promote(['route-v1', '--output', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'noop', exercise: 'route-v1', url: null, clusters: ['workshop'] });
    expect(r.err).toContain('already points at route-v1');
    expect(await snapshot(repo)).toEqual(before);
    expect(gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('names the closest exercise for an unknown id', async () => {
    const r = await promote(['route-v3']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Unknown exercise "route-v3". Did you mean "route-v1"?');
    expect(r.err).toContain('npm run exercises');
    const weird = await promote(['../../etc;rm -rf']);
    expect(weird.code).toBe(1);
    expect(weird.err).toMatch(/error: Unknown exercise .*etc;rm -rf/);
    expect(await remoteBranch('promote/workshop/../../etc;rm -rf')).toBeUndefined();
  });

  it('refuses an invalid state before anything is pushed and prints the findings', async () => {
    const before = await snapshot(repo);
    const r = await promote(['bad-weight']);
    expect(r.code).toBe(1);
    // Findings point at the source file and line the resource came from, not the rendered directory.
    expect(r.err).toMatch(/error schema: exercises\/bad-weight\/virtual-service-reviews\.yaml:13 VirtualService demo\/reviews: "weight" must be an integer/);
    // The one error in the fixture is the weight: a gate that let a single error through would fail here.
    expect(r.err).toContain('Validation found 1 error(s) after moving workshop to bad-weight; nothing was committed or pushed.');
    expect(r.err).toContain('nothing was committed or pushed');
    expect(await remoteBranch('promote/workshop/bad-weight')).toBeUndefined();
    expect(gh.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(await snapshot(repo)).toEqual(before);
  });

  it('reports a rejected push cleanly and leaves the checkout intact', async () => {
    const hook = join(repo.bare, 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "branch protection: promote/* is locked" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const before = await snapshot(repo);
    const r = await promote(['route-v2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('git push of promote/workshop/route-v2 to origin was rejected');
    expect(r.err).toContain('branch protection: promote/* is locked');
    expect(r.err).toContain('hint: Nothing else was changed.');
    expect(await snapshot(repo)).toEqual(before);
    expect(gh.pulls).toHaveLength(0);
  });

  it('retries API 500s and then succeeds', async () => {
    gh.fail(500, 2, { match: (m, p) => m === 'POST' && p.endsWith('/pulls') });
    const result = await promoteJson(['route-v2']);
    expect(result.action).toBe('created');
    expect(gh.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/pulls'))).toHaveLength(3);
    expect(gh.pulls).toHaveLength(1);
  });

  it('waits out a secondary rate limit and logs it without the token', async () => {
    gh.fail(403, 1, { match: (m, p) => m === 'POST' && p.endsWith('/pulls'), message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '1' } });
    const r = await promote(['route-v2']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/secondary rate limit hit on POST .*\/pulls; retrying in 1s/);
    expect(gh.pulls).toHaveLength(1);
  });

  it('gives the 401 hint for a bad token, before pushing anything', async () => {
    const bad = 'ghp_thisTokenIsWrong0000000000000000';
    const r = await promote(['route-v2'], env({ GITHUB_TOKEN: bad }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('HTTP 401');
    expect(r.err).toContain('The token is invalid or expired');
    expect(`${r.out}${r.err}`).not.toContain(bad);
    expect(await remoteBranch('promote/workshop/route-v2')).toBeUndefined();
  });

  it('gives the 404 hint for a repository the token cannot see', async () => {
    const r = await promote(['route-v2'], env({ GITHUB_REPOSITORY: 'workshop-org/no-such-repo' }));
    expect(r.code).toBe(1);
    expect(r.err).toContain('HTTP 404');
    expect(r.err).toContain('workshop-org/no-such-repo was not found, or the token cannot see it');
    expect(await remoteBranch('promote/workshop/route-v2')).toBeUndefined();
  });

  it('says which of token, --dry-run and --local to use when there is no token', async () => {
    const r = await promote(['route-v2'], env({ GITHUB_TOKEN: undefined }));
    expect(r.code).toBe(2);
    expect(r.err).toContain('GITHUB_TOKEN');
    expect(r.err).toContain('--dry-run');
    expect(r.err).toContain('--local');
  });

  it('--dry-run prints the plan and writes nothing locally or remotely, without a token', async () => {
    const before = await snapshot(repo);
    const r = await promote(['shift-50', '--dry-run', '--label', 'day-1'], { GITHUB_API_URL: gh.url });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Branch: promote/workshop/shift-50');
    expect(r.out).toContain('Title:  promote(workshop): shift-50 (2.3 Shift half the reviews to v2)');
    expect(r.out).toContain('Labels: promotion, day-1');
    expect(r.out).toContain(`--- a/${POINTER}\n+++ b/${POINTER}\n@@ -2,4 +2,4 @@`);
    expect(r.out).toContain('-  - ../../../exercises/route-v1 # the pointer\n+  - ../../../exercises/shift-50 # the pointer');
    expect(r.out).toContain('<summary>Full rendered diff</summary>');
    expect(await snapshot(repo)).toEqual(before);
    expect(gh.requests).toEqual([]);
  });

  it('leaves a dirty checkout exactly as it was: branch, HEAD, staged, unstaged and untracked changes', async () => {
    await repo.git(['switch', '--quiet', '-c', 'my-work']);
    await writeFile(join(repo.work, 'apps/demo/namespace.yaml'), 'staged change\n');
    await repo.git(['add', 'apps/demo/namespace.yaml']);
    await writeFile(join(repo.work, POINTER), '# my local edit of the pointer file\n');
    await writeFile(join(repo.work, 'notes.txt'), 'untracked\n');
    const before = await snapshot(repo);
    const r = await promote(['route-v2']);
    expect(r.code, r.err).toBe(0);
    const after = await snapshot(repo);
    // git push records the pushed branch as refs/remotes/origin/promote/...; every other ref is as it was.
    const ours = (refs: string) => refs.split('\n').filter((l) => !l.startsWith('refs/remotes/origin/promote/')).join('\n');
    expect({ ...after, remoteRefs: '', localRefs: ours(after.localRefs) }).toEqual({ ...before, remoteRefs: '' });
    expect(await readFile(join(repo.work, POINTER), 'utf8')).toBe('# my local edit of the pointer file\n');
    expect(await readFile(join(repo.work, 'notes.txt'), 'utf8')).toBe('untracked\n');
    // The promotion was built from origin/main, not from the dirty files.
    const sha = await remoteBranch('promote/workshop/route-v2');
    expect(await repo.git(['show', `${sha}:${POINTER}`], repo.bare)).toBe(withPointer(await fixtureText(POINTER), 'route-v1', 'route-v2').trimEnd());
  });

  it('--all-clusters moves every cluster in one commit and one pull request', async () => {
    const result = await promoteJson(['route-v2', '--all-clusters', '--label', 'day-1', '--draft']);
    expect(result).toMatchObject({ action: 'created', branch: 'promote/all/route-v2', clusters: ['workshop', 'workshop-b'] });
    const sha = await remoteBranch('promote/all/route-v2');
    expect(await repo.git(['rev-list', '--count', `main..${sha}`], repo.bare)).toBe('1');
    expect((await repo.git(['diff', '--name-only', `${sha}^`, sha!], repo.bare)).split('\n').sort()).toEqual([POINTER, POINTER_B].sort());
    expect(gh.pulls[0]).toMatchObject({ title: 'promote(all): route-v2 (2.2 Route all reviews to v2)', draft: true, labels: ['promotion', 'day-1'] });
  });

  it('--local commits a local branch, pushes nothing and says how to push', async () => {
    const before = await snapshot(repo);
    const r = await promote(['route-v2', '--local'], {});
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('git push -u origin promote/workshop/route-v2');
    const local = await repo.git(['rev-parse', 'refs/heads/promote/workshop/route-v2']);
    expect(await repo.git(['show', `${local}:${POINTER}`])).toBe(withPointer(await fixtureText(POINTER), 'route-v1', 'route-v2').trimEnd());
    expect(await repo.git(['rev-parse', `${local}^`])).toBe(before.head);
    const after = await snapshot(repo);
    expect({ ...after, localRefs: '' }).toEqual({ ...before, localRefs: '' });
    expect(await remoteBranch('promote/workshop/route-v2')).toBeUndefined();
    expect(gh.requests).toEqual([]);
  });

  it('--next picks the exercise after the current one, and refuses past the last', async () => {
    const next = await promoteJson(['--next', '--dry-run']);
    expect(next).toMatchObject({ action: 'dry-run', exercise: 'route-v2', branch: 'promote/workshop/route-v2' });

    await commitOnOrigin(repo, POINTER, withPointer(await fixtureText(POINTER), 'route-v1', 'bad-weight'), 'Jump to the end');
    const last = await promote(['--next', '--dry-run']);
    expect(last.code).toBe(1);
    expect(last.err).toContain('"bad-weight" is the last exercise');
  });

  it('--cluster picks a cluster; an unknown one gets a suggestion', async () => {
    const b = await promoteJson(['route-v2', '--cluster', 'workshop-b']);
    expect(b).toMatchObject({ action: 'created', branch: 'promote/workshop-b/route-v2', clusters: ['workshop-b'] });
    const sha = await remoteBranch('promote/workshop-b/route-v2');
    expect(await repo.git(['diff', '--name-only', `${sha}^`, sha!], repo.bare)).toBe(POINTER_B);
    const bad = await promote(['route-v2', '--cluster', 'workshop-c']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('Did you mean "workshop-b"?');
  });

  it('after a push, an API outage leaves the branch and says how to finish; the rerun opens exactly one PR', async () => {
    gh.fail(502, 20, { match: (m, p) => m === 'POST' && p.endsWith('/pulls') });
    const r = await promote(['route-v2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('HTTP 502');
    expect(r.err).toContain('the branch promote/workshop/route-v2 was pushed');
    expect(r.err).toContain('Run the same command again to finish');
    const pushed = await remoteBranch('promote/workshop/route-v2');
    expect(pushed).toBeDefined();

    gh.clearFailures();
    const again = await promoteJson(['route-v2']);
    expect(again.action).toBe('created');
    expect(await remoteBranch('promote/workshop/route-v2')).toBe(pushed);
    expect(gh.pulls.filter((p) => p.state === 'open')).toHaveLength(1);
  });

  it('never prints the token, in output or error messages, even with --debug', async () => {
    outputs.length = 0;
    await promote(['route-v2', '--debug']);
    await promote(['route-v2', '--debug', '--output', 'json']);
    gh.fail(500, 20);
    await promote(['shift-50', '--debug']);
    await promote(['bad-weight', '--debug'], env({ GITHUB_REPOSITORY: 'workshop-org/nope' }));
    expect(outputs.join('\n')).toContain('error:');
    expect(outputs.join('\n')).not.toContain(gh.token);
    expect(gh.requests.some((q) => q.authorization === `token ${gh.token}`)).toBe(true);
  });

  it('prints usage errors with exit code 2', async () => {
    expect((await promote([])).code).toBe(2);
    expect((await promote(['route-v2', '--dry-run', '--local'])).code).toBe(2);
    expect((await promote(['route-v2', '--output', 'yaml'])).code).toBe(2);
    const label = await promote(['route-v2', '--dry-run', '--label', 'a,b']);
    expect(label.code).toBe(2);
    expect(label.err).toContain('Invalid label');
    const help = await promote(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--all-clusters');
  });
});

describe('npm run promote: guards and reporting', { timeout: 180_000 }, () => {
  const BRANCH = 'promote/workshop/route-v2';

  it('--local refuses to move an existing branch that holds other work, unless --force', async () => {
    await repo.git(['switch', '--quiet', '-c', BRANCH]);
    await writeFile(join(repo.work, 'notes.txt'), 'my own work\n');
    await repo.git(['add', 'notes.txt']);
    await repo.git(['commit', '--quiet', '-m', 'my own work on the promotion branch']);
    const mine = await repo.git(['rev-parse', 'HEAD']);
    await repo.git(['switch', '--quiet', 'main']);

    const refused = await promote(['route-v2', '--local'], {});
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`Local branch ${BRANCH} already exists and its tip ${mine.slice(0, 12)}`);
    expect(refused.err).toContain('is not a promotion commit');
    expect(refused.err).toContain(`git branch -D ${BRANCH}`);
    expect(refused.err).toContain('--force');
    expect(await repo.git(['rev-parse', `refs/heads/${BRANCH}`])).toBe(mine);

    const forced = await promote(['route-v2', '--local', '--force'], {});
    expect(forced.code, forced.err).toBe(0);
    const moved = await repo.git(['rev-parse', `refs/heads/${BRANCH}`]);
    expect(moved).not.toBe(mine);
    expect(await repo.git(['log', '-1', '--format=%s', moved])).toBe('promote(workshop): route-v2 (2.2 Route all reviews to v2)');
    expect(await repo.git(['reflog', '--format=%H', `refs/heads/${BRANCH}`])).toContain(mine);

    // Its own promotion commit is ours to redo: a plain rerun moves it without --force.
    await commitOnOrigin(repo, 'apps/demo/service-reviews.yaml',
      (await fixtureText('apps/demo/service-reviews.yaml')).replace('app: reviews\nspec', 'app: reviews\n    team: mesh\nspec'), 'Label the reviews service');
    const rerun = await promote(['route-v2', '--local'], {});
    expect(rerun.code, rerun.err).toBe(0);
    expect(await repo.git(['rev-parse', `refs/heads/${BRANCH}`])).not.toBe(moved);

    const misuse = await promote(['route-v2', '--force', '--dry-run'], {});
    expect(misuse.code).toBe(2);
    expect(misuse.err).toContain('--force only applies to --local');
  });

  it('--local refuses to move a branch checked out in a linked worktree, even with --force', async () => {
    expect((await promote(['route-v2', '--local'], {})).code).toBe(0);
    const tip = await repo.git(['rev-parse', `refs/heads/${BRANCH}`]);
    const linked = join(repo.dir, 'linked');
    await repo.git(['worktree', 'add', '--quiet', linked, BRANCH]);
    await commitOnOrigin(repo, 'apps/demo/service-reviews.yaml',
      (await fixtureText('apps/demo/service-reviews.yaml')).replace('app: reviews\nspec', 'app: reviews\n    team: mesh\nspec'), 'Label the reviews service');

    for (const args of [['route-v2', '--local'], ['route-v2', '--local', '--force']]) {
      const r = await promote(args, {});
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Branch ${BRANCH} is checked out in ${linked}`);
      expect(r.err).toContain('hint: Switch that worktree to another branch');
    }
    expect(await repo.git(['rev-parse', `refs/heads/${BRANCH}`])).toBe(tip);
    expect(await repo.git(['rev-parse', 'HEAD'], linked)).toBe(tip);
    expect(await repo.git(['status', '--porcelain'], linked)).toBe('');
  });

  it('--all-clusters leaves clusters that are already there out of the move list and the commit', async () => {
    await commitOnOrigin(repo, POINTER, withPointer(await fixtureText(POINTER), 'route-v1', 'route-v2'), 'promote(workshop): route-v2 (#1)');
    const result = await promoteJson(['route-v2', '--all-clusters']);
    expect(result).toMatchObject({ action: 'created', branch: 'promote/all/route-v2', clusters: ['workshop', 'workshop-b'], moved: ['workshop-b'] });
    const sha = await remoteBranch('promote/all/route-v2');
    expect(await repo.git(['diff', '--name-only', `${sha}^`, sha!], repo.bare)).toBe(POINTER_B);
    expect(await repo.git(['log', '-1', '--format=%B', sha!], repo.bare)).toBe(
      `promote(all): route-v2 (2.2 Route all reviews to v2)\n\n- workshop-b: route-v1 -> route-v2 (${POINTER_B})`);
    const body = gh.pulls[0]!.body;
    expect(body).toContain('Moves `workshop-b` to exercise `route-v2`.');
    expect(body).toContain('| workshop-b | `route-v1` | `route-v2` |');
    expect(body).not.toMatch(/\| workshop \|/);
    expect(body).not.toContain('#### workshop\n');
    expect(body).toContain('Already at `route-v2`, so not moved: `workshop`.');
    expect(body).toContain('in `clusters/workshop-b/exercise`.');
  });

  it('--output json reports a failure after the push as JSON on stdout', async () => {
    gh.fail(502, 20, { match: (m, p) => m === 'POST' && p.endsWith('/pulls') });
    const r = await promote(['route-v2', '--output', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 502, branch: BRANCH, pushed: true, onOrigin: true });
    expect(json.error).toMatch(/HTTP 502.*the branch promote\/workshop\/route-v2 was pushed/);
    expect(json.hint).toContain('Run the same command again to finish');
    expect(r.err).toContain('error: ');
    expect(r.out).not.toContain(gh.token);

    // A failure before anything is pushed says so, without a branch or status.
    const unknown = await promote(['route-v3', '--output', 'json']);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out)).toEqual({
      error: 'Unknown exercise "route-v3". Did you mean "route-v1"?', hint: expect.stringContaining('npm run exercises'), pushed: false, onOrigin: false,
    });
  });

  it('a broken pointer in another cluster is a warning, not a blocker; selecting it is an error', async () => {
    await commitOnOrigin(repo, POINTER_B, '# someone deleted the pointer\nresources: []\n', 'Break workshop-b');
    const ok = await promoteJson(['route-v2', '--cluster', 'workshop']);
    expect(ok).toMatchObject({ action: 'created', clusters: ['workshop'] });
    const dflt = await promote(['shift-50', '--dry-run'], {});
    expect(dflt.code, dflt.err).toBe(0);
    expect(dflt.err).toContain(`warning: skipping cluster workshop-b: ${POINTER_B}: no exercise pointer found.`);

    for (const args of [['route-v2', '--cluster', 'workshop-b', '--dry-run'], ['route-v2', '--all-clusters', '--dry-run']]) {
      const r = await promote(args, {});
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error: Cluster workshop-b cannot be promoted: ${POINTER_B}: no exercise pointer found.`);
      expect(r.err).toContain('hint: The file must list exactly one resource');
    }
  });
});
