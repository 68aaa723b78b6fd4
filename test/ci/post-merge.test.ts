// ci:post-merge: the message is computed from the pointer change between two commits of a real git
// repository, and the comment goes to the merged pull request through a GitHub API on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../tooling/src/cli/post-merge.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import { POST_MERGE_MARKER, postMergeMessage } from '../../tooling/src/lib/ci/post-merge.ts';
import { captureIo } from '../helpers/io.ts';
import { CATALOG_REPO, tempRepo, type TempRepo } from './support.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';

const TOKEN = 'ghs_testtoken0123456789abcdefABCDEF';

describe('postMergeMessage', () => {
  it('says what to do, what to observe and what comes next', async () => {
    const exercises = await loadExercises(CATALOG_REPO);
    const message = postMergeMessage([{ cluster: 'lab', file: 'clusters/lab/exercise/kustomization.yaml', from: 'one', to: 'two' }], exercises);
    expect(message.problems).toBe(false);
    expect(message.clusters).toEqual([{ cluster: 'lab', from: 'one', to: 'two', next: 'three' }]);
    expect(message.markdown).toBe([
      POST_MERGE_MARKER,
      '## 🚀 `lab` now runs `two`: 1.2 Route jason to v2',
      '',
      'Moved from `one`. The user jason sees reviews v2; everyone else stays on v1.',
      '',
      'Once Argo CD or Flux has synced the merge commit:',
      '',
      '**Do now**',
      '',
      '1. Sign in as jason.',
      '2. Refresh the page.',
      '',
      '**What you should observe**',
      '',
      '- Black stars for jason.',
      '- No stars when signed out.',
      '',
      '**Next exercise:** `three`: 3.2 Abort ratings for jason. Promote it from the Actions tab (workflow "Promote", exercise `three`, cluster `lab`) or run `npm run promote -- three --cluster lab`.',
      '',
    ].join('\n'));
  });

  it('ends the workshop at the last exercise and neutralises HTML from exercise.yaml', async () => {
    const exercises = await loadExercises(CATALOG_REPO);
    const { markdown, clusters } = postMergeMessage([{ cluster: 'lab', file: 'x', from: 'two', to: 'three' }], exercises);
    expect(clusters[0]?.next).toBeUndefined();
    expect(markdown).toMatch(/\*\*This is the last exercise of the workshop\.\*\*\n$/);
    expect(markdown).toContain('- Ratings service is currently unavailable &lt;for jason&gt;.');
    expect(markdown).not.toContain('<for jason>');
  });

  it('flags a pointer to an exercise the catalog does not have', async () => {
    const exercises = await loadExercises(CATALOG_REPO);
    const message = postMergeMessage([{ cluster: 'lab', file: 'x', from: 'one', to: 'fualt-abort' }], exercises);
    expect(message.problems).toBe(true);
    expect(message.markdown).toContain('## ⚠️ `lab`: cannot describe this promotion');
    expect(message.markdown).toContain('The pointer names "fualt-abort", which is not in the exercise catalog.');
  });

  it('is empty when nothing moved', () => {
    expect(postMergeMessage([], [])).toEqual({ markdown: '', clusters: [], problems: false });
  });
});

describe('npm run ci:post-merge', () => {
  let repo: TempRepo;
  let github: GitHubStandIn | undefined;
  afterEach(async () => {
    repo?.remove();
    await github?.close();
    github = undefined;
  });

  function twoCommits(): { before: string; after: string } {
    repo = tempRepo();
    const before = repo.commit('both clusters on one');
    repo.point('lab', 'two');
    const after = repo.commit('promote(lab): two');
    return { before, after };
  }

  it('prints the message for the pointer that moved between BEFORE_SHA and AFTER_SHA', async () => {
    const { before, after } = twoCommits();
    const io = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after });
    expect(await main([], io)).toBe(0);
    // Only `lab` moved between the two commits, from `one` to `two`: the message says so and nothing else.
    expect(io.stdoutText).toContain('## 🚀 `lab` now runs `two`: 1.2 Route jason to v2');
    expect(io.stdoutText).toContain('Moved from `one`. The user jason sees reviews v2; everyone else stays on v1.');
    expect(io.stdoutText.match(/^## /gm)).toHaveLength(1);
    expect(io.stdoutText).not.toContain('`extra`');
  });

  it('prints JSON with each cluster and its next exercise', async () => {
    const { before, after } = twoCommits();
    const io = captureIo(repo.dir);
    expect(await main(['--before', before, '--after', after, '--output', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdoutText).clusters).toEqual([{ cluster: 'lab', from: 'one', to: 'two', next: 'three' }]);
  });

  it('treats every pointer as new when the push created the branch (all-zero before)', async () => {
    const { after } = twoCommits();
    const io = captureIo(repo.dir, { BEFORE_SHA: '0'.repeat(40), AFTER_SHA: after });
    expect(await main(['--output', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdoutText).clusters).toEqual([
      { cluster: 'extra', to: 'one', next: 'two' },
      { cluster: 'lab', to: 'two', next: 'three' },
    ]);
  });

  it('prints nothing and exits 0 when no pointer moved', async () => {
    const { after } = twoCommits();
    repo.write('README.md', 'docs only\n');
    const third = repo.commit('docs');
    const io = captureIo(repo.dir, { BEFORE_SHA: after, AFTER_SHA: third });
    expect(await main([], io)).toBe(0);
    expect(io.stdoutText).toBe('');
    expect(io.stderrText).toBe('No exercise pointer moved; nothing to tell learners.');
  });

  it('exits 1 when the new pointer names an unknown exercise', async () => {
    const { after } = twoCommits();
    repo.point('extra', 'nope');
    const third = repo.commit('bad pointer');
    const io = captureIo(repo.dir, { BEFORE_SHA: after, AFTER_SHA: third });
    expect(await main([], io)).toBe(1);
    expect(io.stdoutText).toContain('The pointer names "nope", which is not in the exercise catalog.');
  });

  it('refuses a ref that could be read as a git option (exit 2)', async () => {
    twoCommits();
    const io = captureIo(repo.dir, { BEFORE_SHA: '--output=/tmp/x', AFTER_SHA: 'HEAD' });
    expect(await main([], io)).toBe(2);
    expect(io.stderrText).toMatch(/error: Invalid git ref for BEFORE_SHA/);
  });

  it('comments on the merged pull request once, and edits nothing on a re-run', async () => {
    const { before, after } = twoCommits();
    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: TOKEN });
    github.pullsByCommit.set(after, [{ number: 7, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: after }]);
    const env = { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url };

    const first = captureIo(repo.dir, env);
    expect(await main(["--comment"], first)).toBe(0);
    expect(first.stderrText).toBe('comment: created (pull request #7)');
    expect(github.comments.get(7)?.map((c) => c.body)).toEqual([first.stdoutText]);
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);

    const again = captureIo(repo.dir, env);
    expect(await main(['--comment'], again)).toBe(0);
    expect(again.stderrText).toBe('comment: unchanged (pull request #7)');
    expect(github.comments.get(7)).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(`${first.stdoutText}${first.stderrText}${again.stdoutText}${again.stderrText}`).not.toContain(TOKEN);
  });

  it('edits its earlier comment when the message changed', async () => {
    const { before, after } = twoCommits();
    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: TOKEN });
    github.pullsByCommit.set(after, [{ number: 9, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: after }]);
    github.comments.set(9, [
      { id: 1, body: 'Looks good!', html_url: 'https://github.test/c/1' },
      { id: 2, body: `${POST_MERGE_MARKER}\nold text`, html_url: 'https://github.test/c/2' },
    ]);
    const io = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url });
    expect(await main(['--comment'], io)).toBe(0);
    expect(io.stderrText).toBe('comment: updated (pull request #9)');
    expect(github.comments.get(9)?.map((c) => c.body)).toEqual(['Looks good!', io.stdoutText]);
  });

  it('says so when the commit has no merged pull request (a direct push)', async () => {
    const { before, after } = twoCommits();
    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: TOKEN });
    const io = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url });
    expect(await main(['--comment'], io)).toBe(0);
    expect(io.stderrText).toBe('comment: no-pull-request (no merged pull request is associated with this commit)');
    expect(io.stdoutText).toContain('`lab` now runs `two`');
  });

  it('sends a padded token trimmed, as promote does', async () => {
    const { before, after } = twoCommits();
    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: TOKEN });
    github.pullsByCommit.set(after, [{ number: 7, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: after }]);
    const io = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: ` ${TOKEN}\n`, GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url });
    expect(await main(['--comment'], io)).toBe(0);
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('explains a 403 with the permission the job needs, without printing the token', async () => {
    const { before, after } = twoCommits();
    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: TOKEN });
    github.fail(403, Infinity);
    const io = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url });
    expect(await main(['--comment'], io)).toBe(1);
    expect(io.stderrText).toMatch(/error: GitHub API: find the pull request of commit [0-9a-f]{12} failed \(HTTP 403\)/);
    expect(io.stderrText).toMatch(/hint: The token lacks permission/);
    expect(io.stderrText).not.toContain(TOKEN);
  });

  it('needs a token and a well-formed GITHUB_REPOSITORY to comment (exit 2)', async () => {
    const { before, after } = twoCommits();
    const noToken = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_REPOSITORY: 'owner/repo' });
    expect(await main(['--comment'], noToken)).toBe(2);
    expect(noToken.stderrText).toMatch(/--comment needs GITHUB_TOKEN/);
    const badRepo = captureIo(repo.dir, { BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'owner/repo/../../x' });
    expect(await main(['--comment'], badRepo)).toBe(2);
    expect(badRepo.stderrText).toMatch(/GITHUB_REPOSITORY must be "owner\/repo"/);
  });

  it('has --help', async () => {
    const io = captureIo(CATALOG_REPO);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdoutText).toMatch(/^Usage: npm run ci:post-merge/);
  });
});
