// Promotions against GitHub as it behaves today: a workflow token without the issues permission, a plan
// without draft pull requests, a base whose workflow files changed (GitHub's `workflows` rule, modelled by a
// pre-receive hook on the bare origin), and status with a bad token. The stand-in knows origin's branches.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../tooling/src/cli/promote.ts';
import { run as status } from '../../tooling/src/cli/status.ts';
import { main as history } from '../../tooling/src/cli/history.ts';
import { captureIo } from '../helpers/io.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn, type StandInOptions } from '../helpers/github-stand-in.ts';
import { createTestRepo, pushOnOrigin, type TestRepo } from '../helpers/git-repo.ts';

let repo: TestRepo;
let gh: GitHubStandIn | undefined;

beforeEach(async () => {
  repo = await createTestRepo();
});
afterEach(async () => {
  await gh?.close();
  gh = undefined;
  await repo.cleanup();
});

async function stand(options: StandInOptions = {}): Promise<GitHubStandIn> {
  gh = await startGitHubStandIn({ git: repo.bare, ...options });
  return gh;
}

async function promote(args: string[]) {
  const g = gh as GitHubStandIn;
  const io = captureIo(repo.work, g.env());
  const code = await run([...args, '--output', 'json'], io, { github: fastClient() });
  return { code, err: io.stderrText, json: JSON.parse(io.stdoutText || '{}') as Record<string, unknown> };
}

const postsTo = (suffix: string) => (gh as GitHubStandIn).requests.filter((q) => q.method === 'POST' && q.path.endsWith(suffix));

/**
 * GitHub's rule for a token without the `workflows` permission, as a pre-receive hook: a push may not move a
 * branch so that files under .github/workflows differ between its old and new tip, nor create a branch with
 * new commits that change them. Only promote/* branches are checked: the maintainer pushing main has the permission.
 */
const WORKFLOWS_HOOK = `#!/bin/sh
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  case "$ref" in refs/heads/promote/*) ;; *) continue ;; esac
  [ "$new" = "$zero" ] && continue
  if [ "$old" = "$zero" ]; then
    file=$(git rev-list "$new" --not --all | while read c; do git diff-tree --no-commit-id --name-only -r --root "$c"; done | grep '^\\.github/workflows/' | head -n 1)
  else
    file=$(git diff --name-only "$old" "$new" -- .github/workflows | head -n 1)
  fi
  if [ -n "$file" ]; then
    echo "refusing to allow a GitHub App to create or update workflow \\\`$file\\\` without \\\`workflows\\\` permission" >&2
    status=1
  fi
done
exit $status
`;

/** A maintainer's push to main that adds or changes a workflow file (as Dependabot's weekly bump does). */
function changeWorkflowOnMain(text: string): Promise<string> {
  return pushOnOrigin(repo, async (dir) => {
    await mkdir(join(dir, '.github/workflows'), { recursive: true });
    await writeFile(join(dir, '.github/workflows/ci.yml'), text);
  }, 'Bump actions/checkout');
}

describe('promote against GitHub as it behaves today', { timeout: 240_000 }, () => {
  it('opens exactly one pull request and exits 0 when the token may not create the label; warns with the missing permission', async () => {
    const g = await stand({ permissions: { issues: 'none' } });
    const first = await promote(['route-v2']);
    expect(first.code, first.err).toBe(0);
    expect(first.json).toMatchObject({ action: 'created', number: 1 });
    expect(postsTo('/pulls')).toHaveLength(1);
    expect(g.pulls).toHaveLength(1);
    expect(g.pulls[0]!.labels).toEqual([]);
    const warnings = first.json.warnings as string[];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not label the pull request "promotion": .*HTTP 403.*; the token needs issues: write\./);
    expect(first.err).toContain('warning: could not label the pull request "promotion"');

    // Granted issues: write, the rerun creates the label first and adds it; still one pull request.
    g.permissions.issues = 'write';
    const second = await promote(['route-v2']);
    expect(second.code, second.err).toBe(0);
    expect(second.json).toMatchObject({ action: 'updated', number: 1, warnings: [] });
    expect(g.pulls[0]!.labels).toEqual(['promotion']);
    expect([...g.labels]).toEqual(['promotion']);
    expect(postsTo('/labels').map((q) => q.path)).toEqual([`/repos/${g.owner}/${g.repo}/labels`, `/repos/${g.owner}/${g.repo}/labels`, `/repos/${g.owner}/${g.repo}/issues/1/labels`]);
    expect(postsTo('/pulls')).toHaveLength(1);
  });

  it('opens a normal pull request, with a warning, where the plan has no drafts', async () => {
    const g = await stand({ drafts: false });
    const r = await promote(['route-v2', '--draft']);
    expect(r.code, r.err).toBe(0);
    expect(g.pulls).toMatchObject([{ number: 1, draft: false, labels: ['promotion'] }]);
    expect(r.json.warnings).toEqual([expect.stringContaining('no draft pull requests')]);
    expect(postsTo('/pulls').map((q) => (q.body as { draft: boolean }).draft)).toEqual([true, false]);
  });

  it('re-promotes after a workflow file changed on the base without needing the workflows permission', async () => {
    await changeWorkflowOnMain('name: CI\non: push\n');
    const hook = join(repo.bare, 'hooks', 'pre-receive');
    await writeFile(hook, WORKFLOWS_HOOK);
    await chmod(hook, 0o755);
    const g = await stand();

    const first = await promote(['route-v2']);
    expect(first.code, first.err).toBe(0);
    expect(first.json).toMatchObject({ action: 'created', number: 1 });

    // The hook is live: moving the pushed branch across the workflow change is refused, as GitHub does.
    const newBase = await changeWorkflowOnMain('name: CI\non: [push, pull_request]\n');
    await repo.git(['fetch', '--quiet', 'origin']);
    const moved = await repo.git(['push', '--force', 'origin', `${newBase}:refs/heads/promote/workshop/route-v2`]).catch((e: Error) => e);
    expect(String(moved)).toContain('without `workflows` permission');

    const again = await promote(['route-v2']);
    expect(again.code, again.err).toBe(0);
    expect(again.json).toMatchObject({ action: 'created', number: 2 });
    const tip = await repo.git(['rev-parse', 'refs/heads/promote/workshop/route-v2'], repo.bare);
    expect(await repo.git(['rev-parse', `${tip}^`], repo.bare)).toBe(newBase);
    expect(await repo.git(['diff', '--name-only', `${tip}^`, tip], repo.bare)).toBe('clusters/workshop/exercise/kustomization.yaml');
    expect(g.pulls.map((p) => [p.number, p.state])).toEqual([[1, 'closed'], [2, 'open']]);
    expect(g.comments.get(1)?.map((c) => c.body)).toEqual([expect.stringContaining('Replaced by #2')]);
    expect(again.json.warnings).toEqual([expect.stringContaining('#1 was closed and replaced by #2')]);
  });

  it('status prints the pointers from git when GitHub refuses the token, and says why it could not list pull requests', async () => {
    const g = await stand();
    const io = captureIo(repo.work, g.env({ GITHUB_TOKEN: 'ghp_wrongtoken000000000000000000000000' }));
    expect(await status([], io, { github: fastClient() })).toBe(1);
    expect(io.out[0]).toMatch(/^Clusters on main \([0-9a-f]{12}\):$/);
    expect(io.out).toContain('  workshop    route-v1  (2.1 Route all reviews to v1)');
    expect(io.stderrText).toMatch(/could not list promotion pull requests: GitHub API: list open pull requests failed \(HTTP 401\): Bad credentials/);
    expect(io.stderrText).not.toContain('ghp_wrongtoken');
  });
});

describe('promote and history, the smaller things', { timeout: 240_000 }, () => {
  const local = async (args: string[]) => {
    const io = captureIo(repo.work, {});
    const code = await run([...args, '--output', 'json'], io);
    return { code, err: io.stderrText, out: io.stdoutText };
  };

  it('--dry-run offline plans from the last fetch, with a warning that keeps git\'s own message', async () => {
    await repo.git(['remote', 'set-url', 'origin', join(repo.dir, 'gone.git')]);
    const r = await local(['route-v2', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ action: 'dry-run', branch: 'promote/workshop/route-v2' });
    expect(r.err).toMatch(/warning: Could not fetch origin\/main \(.*does not appear to be a git repository.*\); using the last fetched state \([0-9a-f]{12}\)\./);
  });

  it('an empty exercise id is a usage error (exit 2)', async () => {
    const r = await local(['']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: The exercise id is empty.');
  });

  it('--local run twice keeps the commit it made the first time', async () => {
    const first = await local(['route-v2', '--local']);
    expect(first.code, first.err).toBe(0);
    const second = await local(['route-v2', '--local']);
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out).commit).toBe(JSON.parse(first.out).commit);
    expect(await repo.git(['rev-parse', 'refs/heads/promote/workshop/route-v2'])).toBe(JSON.parse(first.out).commit);
    expect(await repo.git(['reflog', 'show', '--format=%H', 'refs/heads/promote/workshop/route-v2'])).toBe(JSON.parse(first.out).commit);
  });

  it('a validation failure\'s JSON carries the findings it names', async () => {
    const r = await local(['bad-weight', '--dry-run']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { error: string; findings: Array<{ rule: string; severity: string; file: string; line: number }> };
    expect(json.error).toContain('Validation found 1 error(s)');
    expect(json.findings.filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({ rule: 'schema', file: 'exercises/bad-weight/virtual-service-reviews.yaml', line: 13 }),
    ]);
  });

  it('history --output json prints JSON on failure too', async () => {
    const io = captureIo(repo.work, {});
    expect(await history(['--cluster', 'workshp', '--output', 'json'], io)).toBe(1);
    expect(JSON.parse(io.stdoutText)).toEqual({ error: 'Unknown cluster "workshp". Did you mean "workshop"?', hint: expect.stringContaining('workshop, workshop-b') });
  });
});
