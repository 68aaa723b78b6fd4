// The GitHub client against the one stand-in: GitHub's answers the toolkit must read right (permission
// headers, rate limits, pagination, lost answers, CRLF), and the stand-in's own check against the API description.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, GitHubApiError, parseAcceptedPermissions, type GitHubOptions } from '../../tooling/src/lib/github.ts';
import { titleFor, TITLE_LIMIT } from '../../tooling/src/lib/promote/plan.ts';
import type { Cluster } from '../../tooling/src/lib/clusters.ts';
import type { Exercise } from '../../tooling/src/lib/exercises.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn, type StandInOptions } from '../helpers/github-stand-in.ts';

let gh: GitHubStandIn;
let lines: string[];

async function stand(options: StandInOptions = {}): Promise<GitHubStandIn> {
  gh = await startGitHubStandIn(options);
  return gh;
}

function client(extra: Partial<GitHubOptions> = {}) {
  return createGitHub({
    token: gh.token, owner: gh.owner, repo: gh.repo, baseUrl: gh.url, ...fastClient(),
    log: (l) => lines.push(l), ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<GitHubApiError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(GitHubApiError);
  return e as GitHubApiError;
}

const posts = (suffix: string) => gh.requests.filter((q) => q.method === 'POST' && q.path.endsWith(suffix));

beforeEach(() => {
  lines = [];
});
afterEach(async () => {
  await gh?.close();
});

describe('403 hints', () => {
  it('name the permission GitHub says is missing (X-Accepted-GitHub-Permissions)', async () => {
    await stand({ permissions: { issues: 'read' } });
    const e = await failure(client().ensureLabel('promotion', '0e8a16', 'x'));
    expect(e.status).toBe(403);
    expect(e.acceptedPermissions).toEqual([['issues=write']]);
    expect(e.hint).toMatch(/^The token lacks the permission this call needs: issues: write\./);
    expect(e.hint).not.toContain('contents:write');
  });

  it('read "either" permission sets and turn pull_requests into the workflow key pull-requests', () => {
    expect(parseAcceptedPermissions('issues=write; pull_requests=write')).toEqual([['issues=write'], ['pull_requests=write']]);
    expect(parseAcceptedPermissions('contents=read,metadata=read')).toEqual([['contents=read', 'metadata=read']]);
    expect(parseAcceptedPermissions(undefined)).toEqual([]);
  });

  it('tell the repository setting that stops Actions from opening pull requests from a permission problem', async () => {
    await stand({ actionsMayOpenPulls: false });
    const e = await failure(client().createPull({ head: 'h', base: 'main', title: 't', body: 'b' }));
    expect(e.hint).toContain('Allow GitHub Actions to create and approve pull requests');
  });

  it('send SAML SSO to the authorization page GitHub names', async () => {
    await stand();
    gh.fail(403, 1, {
      message: 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
      headers: { 'x-github-sso': 'required; url=https://github.com/orgs/workshop-org/sso?authorization_request=abc' },
    });
    const e = await failure(client().getDefaultBranch());
    expect(e.hint).toContain('authorize the token for it at https://github.com/orgs/workshop-org/sso?authorization_request=abc');
  });

  it('a used-up primary rate limit names the reset time and is not waited out for an hour', async () => {
    await stand();
    const reset = Math.floor(Date.now() / 1000) + 3600;
    gh.fail(403, 5, { message: 'API rate limit exceeded for installation ID 1.', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    const e = await failure(client().getDefaultBranch());
    expect(e.hint).toContain(`until ${new Date(reset * 1000).toISOString()}`);
    expect(gh.requests).toHaveLength(1);
  });
});

describe('rate limits: one place decides', () => {
  it('writes are a second apart, as GitHub asks, and the test time base shrinks that spacing', async () => {
    await stand();
    const gap = async (base: number) => {
      const before = gh.requests.length;
      const c = client({ retryAfterBaseValue: base });
      await Promise.all([c.ensureLabel('one', '0e8a16', 'first'), c.ensureLabel('two', '0e8a16', 'second')]);
      const sent = gh.requests.slice(before).filter((q) => q.method === 'POST' && q.path.endsWith('/labels'));
      expect(sent).toHaveLength(2);
      return Math.abs((sent[1]!.at) - (sent[0]!.at));
    };
    expect(await gap(1000)).toBeGreaterThanOrEqual(950);
    gh.labels.clear();
    expect(await gap(1)).toBeLessThan(950);
  });

  it('a persistent 429 with retry-after: 2 is sent at most twice, the second time after 2 s', async () => {
    await stand();
    gh.secondaryRateLimit(50, 2, { match: (m, p) => m === 'POST' && p.endsWith('/pulls') });
    const e = await failure(client({ retryAfterBaseValue: 1000 }).createPull({ head: 'h', base: 'main', title: 't', body: 'b' }));
    expect(e.status).toBe(429);
    const sent = posts('/pulls');
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
    expect(sent.at(-1)!.at - sent[0]!.at).toBeGreaterThanOrEqual(sent.length === 2 ? 2000 : 0);
    expect(e.hint).toContain('asks to wait 2s');
    expect(lines.some((l) => /secondary rate limit hit on POST .*\/pulls; retrying in 2s/.test(l))).toBe(true);
  }, 30_000);

  it('a 5xx is still retried', async () => {
    await stand();
    gh.fail(502, 2);
    expect(await client().getDefaultBranch()).toBe('main');
    expect(gh.requests.map((q) => q.status)).toEqual([502, 502, 200]);
  });
});

describe('answers that are not GitHub\'s', () => {
  it('a DNS failure fails once, with status 0 and the resolver\'s message, and logs no "500"', async () => {
    await stand();
    const dead = createGitHub({ token: 't0k3n', owner: 'o', repo: 'r', baseUrl: 'http://no-such-host.invalid', ...fastClient(), log: (l) => lines.push(l) });
    const e = await failure(dead.getDefaultBranch());
    expect(e.status).toBe(0);
    expect(e.message).toMatch(/ENOTFOUND|getaddrinfo|EAI_AGAIN/);
    expect(e.message).not.toContain('500');
    expect(lines).toEqual([]);
  });
});

describe('comments', () => {
  it('a comment whose answer was lost (502 after posting) is found, not posted twice', async () => {
    await stand();
    gh.fail(502, 1, { match: (m, p) => m === 'POST' && p.endsWith('/comments'), afterEffect: true });
    const result = await client().upsertComment(3, '<!-- m -->\nhello', '<!-- m -->');
    expect(result.action).toBe('created');
    expect(gh.comments.get(3)?.map((c) => c.body)).toEqual(['<!-- m -->\nhello']);
    expect(posts('/comments')).toHaveLength(1);
  });

  it('a body saved from the web editor with CRLF line ends is unchanged, not updated', async () => {
    await stand();
    gh.comments.set(4, [{ id: 1, body: '<!-- m -->\r\nline one\r\nline two\r\n', html_url: 'https://github.test/c/1' }]);
    const result = await client().upsertComment(4, '<!-- m -->\nline one\nline two\n', '<!-- m -->');
    expect(result.action).toBe('unchanged');
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(0);
  });
});

describe('pull requests', () => {
  it('lists every open pull request across pages by following the Link header', async () => {
    await stand();
    for (let i = 1; i <= 130; i++) gh.pulls.push({ number: i, state: 'open', title: `t${i}`, body: '', head: `promote/c${i}/x`, base: 'main', draft: false, labels: [] });
    const all = await client().listOpenPulls();
    expect(all.map((p) => p.number)).toEqual(gh.pulls.map((p) => p.number));
    expect(gh.requests.map((q) => q.query.page ?? '1')).toEqual(['1', '2']);
  });

  it('titles stay within GitHub\'s 256 characters', () => {
    const cluster = { name: 'workshop', exerciseId: 'one' } as Cluster;
    const long = { id: 'two', section: '2.2', title: 'x'.repeat(400) } as Exercise;
    const title = titleFor([cluster], false, long);
    expect(Array.from(title)).toHaveLength(TITLE_LIMIT);
    expect(title).toMatch(/^promote\(workshop\): two \(2\.2 x+…\)$/);
  });

  it('the stand-in refuses a title over 256 characters as GitHub does', async () => {
    await stand();
    const e = await failure(client().createPull({ head: 'h', base: 'main', title: 'x'.repeat(257), body: 'b' }));
    expect(e.status).toBe(422);
    expect(e.message).toContain('title is too long (maximum is 256 characters)');
  });
});

describe('the stand-in follows GitHub\'s API description', () => {
  it('fails the test when a response drifts from the description', async () => {
    await stand();
    gh.fail(200, 1, { match: (m, p) => m === 'GET' && p.endsWith('/pulls'), body: [{ number: 'one', head: { ref: 'x' } }] });
    await client().listOpenPulls().catch(() => undefined);
    await expect(gh.close()).rejects.toThrow(/GET \/repos\/\{owner\}\/\{repo\}\/pulls 200 response: \/0 must have required property '_links'/);
    gh.violations.length = 0; // reported above; afterEach closes again and must not report it twice
  });

  it('fails the test when a request drifts: an unknown query parameter, a body field of the wrong type', async () => {
    await stand();
    const headers = { authorization: `token ${gh.token}`, 'content-type': 'application/json' };
    await fetch(`${gh.url}/repos/${gh.owner}/${gh.repo}/pulls?status=open`, { headers });
    await fetch(`${gh.url}/repos/${gh.owner}/${gh.repo}/pulls`, { method: 'POST', headers, body: JSON.stringify({ head: 'h', base: 'main', title: 't', draft: 'yes' }) });
    expect(gh.violations).toEqual([
      'GET /repos/{owner}/{repo}/pulls: unknown query parameter "status"',
      expect.stringMatching(/^POST \/repos\/\{owner\}\/\{repo\}\/pulls request body: .*draft must be boolean/),
    ]);
    expect(gh.pulls).toEqual([]);
    gh.violations.length = 0;
  });
});
