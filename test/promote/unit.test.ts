// The pure parts of promotions: unified diff, remote URL parsing, redaction, resource changes, cluster and
// exercise selection, the PR body cap, and the GitHub wrapper's error mapping (over real HTTP).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $ } from 'zx';
import type { Cluster } from '../../tooling/src/lib/clusters.ts';
import type { Exercise } from '../../tooling/src/lib/exercises.ts';
import { parseRemoteUrl, redact } from '../../tooling/src/lib/git.ts';
import { createGitHub, GitHubApiError } from '../../tooling/src/lib/github.ts';
import { composeBody, BODY_LIMIT } from '../../tooling/src/lib/promote/body.ts';
import { md } from '../../tooling/src/lib/markdown.ts';
import { unifiedDiff } from '../../tooling/src/lib/promote/diff.ts';
import { summarize } from '../../tooling/src/lib/promote/gate.ts';
import { branchFor, chooseExercise, labelsFor, selectClusters, titleFor, type PlanDraft } from '../../tooling/src/lib/promote/plan.ts';
import { resourceChanges } from '../../tooling/src/lib/promote/preview.ts';
import { prNumberOf } from '../../tooling/src/lib/promote/state.ts';
import { promotionPullsByCluster } from '../../tooling/src/lib/pull-clusters.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';

const cluster = (name: string, exerciseId: string): Cluster => ({
  name, exerciseId, dir: `clusters/${name}`, pointerFile: `clusters/${name}/exercise/kustomization.yaml`, pointerLine: 5,
});
const exercise = (id: string, order: number): Exercise => ({
  id, order, title: `Title of ${id}`, section: `2.${order}`, summary: `Summary of ${id}.`,
  afterMerge: { do: ['Do it.'], observe: ['See it.'] }, expect: [], dir: `exercises/${id}`,
});
const EXERCISES = [exercise('one', 1), exercise('two', 2), exercise('three', 3)];

describe('unifiedDiff', () => {
  it('is empty for equal texts and matches `diff -u` hunks otherwise', async () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
    const dir = await mkdtemp(join(tmpdir(), 'diff-'));
    try {
      const cases: Array<[string, string]> = [
        ['a\nb\nc\n', 'a\nB\nc\n'],
        [Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n', Array.from({ length: 30 }, (_, i) => (i === 3 || i === 20 ? `changed ${i}` : `line ${i}`)).join('\n') + '\n'],
        ['kind: A\nname: x\n---\nkind: B\nname: y\n', 'kind: B\nname: y\n---\nkind: C\nname: z\n'],
        ['', 'new\nfile\n'],
        ['only\n', ''],
        // Only the final newline changes: a hunk with the `\ No newline at end of file` marker.
        ['x\ny\n', 'x\ny'],
        ['x\ny', 'x\ny\n'],
      ];
      for (const [a, b] of cases) {
        await writeFile(join(dir, 'a'), a);
        await writeFile(join(dir, 'b'), b);
        const expected = (await $({ nothrow: true, quiet: true })`diff -u ${join(dir, 'a')} ${join(dir, 'b')}`).stdout;
        const body = (text: string) => text.split('\n').slice(2).join('\n');
        expect(body(unifiedDiff(a, b, 'a', 'b'))).toBe(body(expected));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('unifiedDiff on a large render', () => {
  it('gives the changed hunks only for 20,000 lines with scattered changes, as diff -u does', async () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `  line-${i}: value ${i}`);
    const changedAt = Array.from({ length: 200 }, (_, k) => 37 + k * 97);
    const after = before.map((l, i) => (changedAt.includes(i) ? `  line-${i}: changed` : l));
    const a = `${before.join('\n')}\n`;
    const b = `${after.join('\n')}\n`;
    const diff = unifiedDiff(a, b, 'a/render', 'b/render');
    const lines = diff.split('\n').slice(0, -1);
    expect(lines.slice(0, 2)).toEqual(['--- a/render', '+++ b/render']);
    // 97 lines apart with 3 lines of context: one hunk per change, seven lines each.
    expect(lines.filter((l) => l.startsWith('@@'))).toHaveLength(200);
    expect(lines.filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual(changedAt.map((i) => `-  line-${i}: value ${i}`));
    expect(lines.filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toEqual(changedAt.map((i) => `+  line-${i}: changed`));
    expect(lines).toHaveLength(2 + 200 * 9);
    expect(lines[2]).toBe('@@ -35,7 +35,7 @@');
    const dir = await mkdtemp(join(tmpdir(), 'diff-'));
    try {
      await writeFile(join(dir, 'a'), a);
      await writeFile(join(dir, 'b'), b);
      const expected = (await $({ nothrow: true, quiet: true })`diff -u ${join(dir, 'a')} ${join(dir, 'b')}`).stdout;
      expect(lines.slice(2).join('\n')).toBe(expected.split('\n').slice(2).join('\n').trimEnd());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives a hunk for a change of the final newline alone', () => {
    expect(unifiedDiff('kind: A\nname: x\n', 'kind: A\nname: x', 'a', 'b')).toBe(
      '--- a\n+++ b\n@@ -1,2 +1,2 @@\n kind: A\n-name: x\n+name: x\n\\ No newline at end of file\n',
    );
  });
});

describe('parseRemoteUrl', () => {
  it.each([
    ['https://github.com/workshop-org/mesh-workshop.git', 'workshop-org', 'mesh-workshop'],
    ['https://github.com/workshop-org/mesh-workshop', 'workshop-org', 'mesh-workshop'],
    ['https://x-access-token:abc@github.example.com/o/r.git', 'o', 'r'],
    ['git@github.com:workshop-org/mesh.workshop.git', 'workshop-org', 'mesh.workshop'],
    ['ssh://git@github.com/o/r', 'o', 'r'],
    ['ssh://git@ghe.example.com:2222/o/r.git/', 'o', 'r'],
  ])('%s', (url, owner, repo) => {
    expect(parseRemoteUrl(url)).toEqual({ owner, repo });
  });

  it.each(['/tmp/origin.git', 'file:///tmp/origin.git', 'https://github.com/only-owner', 'https://gitlab.com/group/sub/repo.git', 'git@github.com:o/r;rm.git'])(
    'rejects %s', (url) => {
      expect(parseRemoteUrl(url)).toBeUndefined();
    });
});

describe('redact', () => {
  it('removes URL credentials and known secrets', () => {
    expect(redact('fatal: unable to access https://x-access-token:ghs_abc123@github.com/o/r.git/', [])).toBe('fatal: unable to access https://***@github.com/o/r.git/');
    expect(redact('token ghp_secret1 leaked twice: ghp_secret1', ['ghp_secret1'])).toBe('token *** leaked twice: ***');
  });
});

describe('plan helpers', () => {
  it('selects the only cluster, else workshop, else asks', () => {
    expect(selectClusters([cluster('lab', 'one')], [], false).map((c) => c.name)).toEqual(['lab']);
    expect(selectClusters([cluster('a', 'one'), cluster('workshop', 'one')], [], false).map((c) => c.name)).toEqual(['workshop']);
    expect(() => selectClusters([cluster('a', 'one'), cluster('b', 'one')], [], false)).toThrow(/say which one/);
    expect(selectClusters([cluster('a', 'one'), cluster('b', 'one')], ['b', 'b'], false).map((c) => c.name)).toEqual(['b']);
    expect(() => selectClusters([cluster('a', 'one')], ['a'], true)).toThrow(/not both/);
    expect(() => selectClusters([], [], false)).toThrow(/No clusters found/);
  });

  it('chooses --next, and refuses when clusters disagree or are at the end', () => {
    expect(chooseExercise(EXERCISES, { next: true }, [cluster('w', 'one')]).id).toBe('two');
    expect(() => chooseExercise(EXERCISES, { next: true }, [cluster('w', 'three')])).toThrow(/"three" is the last exercise/);
    expect(() => chooseExercise(EXERCISES, { next: true }, [cluster('a', 'one'), cluster('b', 'two')])).toThrow(/ambiguous/);
    expect(() => chooseExercise(EXERCISES, { id: 'twoo' }, [])).toThrow(/Did you mean "two"\?/);
  });

  it('names branches and titles', () => {
    const two = EXERCISES[1]!;
    expect(branchFor([cluster('workshop', 'one')], false, 'two')).toBe('promote/workshop/two');
    expect(branchFor([cluster('a', 'one'), cluster('b', 'one')], true, 'two')).toBe('promote/all/two');
    expect(titleFor([cluster('workshop', 'one')], false, two)).toBe('promote(workshop): two (2.2 Title of two)');
    expect(titleFor([cluster('a', 'one')], true, { ...two, title: 'multi\nline\ttitle' })).toBe('promote(all): two (2.2 multi line title)');
  });

  it('always labels promotion and rejects unsafe labels', () => {
    expect(labelsFor(['day-1', 'promotion'])).toEqual(['promotion', 'day-1']);
    expect(() => labelsFor(['a\nb'])).toThrow(/Invalid label/);
    expect(() => labelsFor(['x'.repeat(51)])).toThrow(/Invalid label/);
  });

  it('lists rendered resources added, changed and removed by Kind namespace/name', () => {
    const before = 'kind: VirtualService\nmetadata:\n  name: reviews\n  namespace: demo\nspec:\n  a: 1\n---\nkind: DestinationRule\nmetadata:\n  name: old\n  namespace: demo\n';
    const after = 'kind: VirtualService\nmetadata:\n  namespace: demo\n  name: reviews\nspec:\n  a: 2\n---\nkind: Namespace\nmetadata:\n  name: demo\n';
    expect(resourceChanges(before, after)).toEqual({ added: ['Namespace demo'], changed: ['VirtualService demo/reviews'], removed: ['DestinationRule demo/old'] });
    expect(resourceChanges(before, before.replace('name: reviews\n  namespace: demo', 'namespace: demo\n  name: reviews'))).toEqual({ added: [], changed: [], removed: [] });
  });

  it('names the PR number of merge and squash commits', () => {
    expect(prNumberOf('Merge pull request #12 from org/promote/workshop/two')).toBe(12);
    expect(prNumberOf('promote(workshop): two (2.2 Title) (#7)')).toBe(7);
    expect(prNumberOf('promote(workshop): two (2.2 Title)')).toBeUndefined();
  });

  it('matches promotion PRs to clusters by head branch when origin cannot show the branches', async () => {
    const pr = (number: number, head: string) => ({ number, head, url: `u${number}`, title: '', body: '', base: 'main', labels: [], draft: false });
    const pulls = [pr(5, 'promote/a+workshop/one'), pr(1, 'promote/workshop/two'), pr(2, 'promote/all/three'), pr(3, 'promote/workshop-b/two'), pr(4, 'feature/x')];
    // Not a repository: no branch can be read, so each pull request is matched by the scope its branch names.
    const dir = await mkdtemp(join(tmpdir(), 'no-origin-'));
    try {
      const byCluster = await promotionPullsByCluster(dir, 'main', pulls, ['workshop', 'workshop-b']);
      expect([...byCluster].map(([c, list]) => [c, list.map((p) => p.number)])).toEqual([['workshop', [1, 2, 5]], ['workshop-b', [2, 3]]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('md', () => {
  it('lets inline code spans through, as written, and neutralises HTML and Markdown elsewhere', () => {
    expect(md('Run `kubectl get vs -n demo` and look')).toBe('Run `kubectl get vs -n demo` and look');
    expect(md('<img src=x onerror=alert(1)> and `<b>` stay inert')).toBe('&lt;img src=x onerror=alert(1)&gt; and `<b>` stay inert');
    expect(md('a | b and `x | y`')).toBe('a \\| b and `x | y`');
    expect(md('Run `kubectl get vs -n bookinfo | grep reviews` and look')).toBe('Run `kubectl get vs -n bookinfo | grep reviews` and look');
    expect(md('``code with ` inside`` then `')).toBe('``code with ` inside`` then \\`');
    expect(md('unclosed `tick and *stars*')).toBe('unclosed \\`tick and \\*stars\\*');
    expect(md('two\nlines `a`')).toBe('two lines `a`');
  });
});

describe('composeBody', () => {
  const draft = (diffLines: number): PlanDraft => ({
    exercise: { ...EXERCISES[1]!, title: 'Pipes | and `ticks`' },
    clusters: [{
      name: 'workshop', file: 'clusters/workshop/exercise/kustomization.yaml', before: 'one', after: 'two', oldText: 'a', newText: 'b',
      diff: '--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n', resources: { added: [], changed: ['VirtualService demo/reviews'], removed: [] },
      renderedDiff: Array.from({ length: diffLines }, (_, i) => `+line ${i} ${'x'.repeat(60)}`).join('\n'),
    }],
    allClusters: false, branch: 'promote/workshop/two', title: 't', labels: ['promotion'], draft: false, base: 'main', baseCommit: 'f'.repeat(40), noop: false,
  });
  const gate = summarize(['clusters/workshop/exercise'], [{ rule: 'image-not-pinned', severity: 'warning', message: 'tag latest', resource: 'Deployment demo/x' }]);

  it('carries the sections and escapes untrusted text', () => {
    const body = composeBody(draft(10), gate);
    // Inline code spans from exercise.yaml render as code; the pipe outside them is escaped.
    expect(body).toContain('## 2.2 Pipes \\| and `ticks`');
    expect(body).toContain('| changed | `VirtualService demo/reviews` |');
    expect(body).toContain('**Passed**: 0 error(s), 1 warning(s), 0 info(s)');
    expect(body).toContain('warning image-not-pinned');
    expect(body).not.toContain('shortened');
  });

  it('stays below GitHub\'s limit by shortening the diff, with a note', () => {
    const body = composeBody(draft(5000), gate);
    expect(body.length).toBeLessThan(BODY_LIMIT);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/The diff was shortened to its first \d+ of 5000 lines/);
    expect(body).toContain('</details>');
    expect(body).toContain('### Validation');
  });
});

describe('createGitHub errors', () => {
  let gh: GitHubStandIn;
  beforeAll(async () => {
    gh = await startGitHubStandIn();
  });
  afterAll(async () => {
    await gh.close();
  });
  const client = (token = gh.token) => createGitHub({ token, owner: gh.owner, repo: gh.repo, baseUrl: gh.url, ...fastClient() });

  it('maps 403 to the permissions hint and keeps status and cause', async () => {
    gh.fail(403, 1);
    const error = await client().getDefaultBranch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect((error as GitHubApiError).hint).toContain('contents:write and pull-requests:write');
    expect((error as GitHubApiError).hint).toContain('SSO');
    expect((error as GitHubApiError).cause).toBeDefined();
  });

  it('recognises 422 "already exists"', async () => {
    const gh2 = client();
    await gh2.createPull({ head: 'h', base: 'main', title: 't', body: 'b' });
    const error = await gh2.createPull({ head: 'h', base: 'main', title: 't', body: 'b' }).catch((e: unknown) => e);
    expect((error as GitHubApiError).status).toBe(422);
    expect((error as GitHubApiError).alreadyExists).toBe(true);
  });

  it('reports an unreachable API with status 0 and names the URL', async () => {
    const dead = createGitHub({ token: 'x', owner: 'o', repo: 'r', baseUrl: 'http://127.0.0.1:1', retries: 0, retryAfterBaseValue: 1, limiterId: 'dead' });
    const error = await dead.getDefaultBranch().catch((e: unknown) => e);
    expect((error as GitHubApiError).status).toBe(0);
    expect((error as GitHubApiError).hint).toContain('http://127.0.0.1:1');
  });
});
