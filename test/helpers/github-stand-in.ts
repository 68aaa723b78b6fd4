// The one stand-in for GitHub's REST API in the tests: an HTTP server on 127.0.0.1 that answers the calls the
// toolkit makes (repository, pull requests, labels, comments, the pull requests of a commit) the way GitHub
// does where the toolkit depends on it: permissions per token (labels need issues: write, with
// X-Accepted-GitHub-Permissions), Link pagination, primary and secondary rate limits, GitHub's 422s and
// documentation_url in every error. Every request and every response is checked against GitHub's API
// description (openapi-check.ts); `close()` rejects with whatever did not match, so drift fails the test.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest, checkResponse, exampleOf } from './openapi-check.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
  /** The status the stand-in answered. */
  status?: number;
  /** Milliseconds since the server started. */
  at: number;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  labels: string[];
}

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
}

export interface Failure {
  status: number;
  times: number;
  match?: (method: string, path: string) => boolean;
  message?: string;
  headers?: Record<string, string>;
  /** A whole JSON answer instead of `{ message, documentation_url }`, e.g. an empty list with status 200. */
  body?: unknown;
  /** Do the work first, then answer `status`: a write whose answer was lost (a 502 from a proxy after the commit). */
  afterEffect?: boolean;
}

/** A fine-grained permission level, as GitHub names them for GITHUB_TOKEN and GitHub Apps. */
export type Access = 'none' | 'read' | 'write';

export interface StandInOptions {
  owner?: string;
  repo?: string;
  token?: string;
  defaultBranch?: string;
  /** The token's repository permissions. Default: contents, pull_requests and issues all `write`. */
  permissions?: Partial<Record<'contents' | 'pull_requests' | 'issues', Access>>;
  /** A bare git repository standing for the repository's git side: heads and commits are checked against it. */
  git?: string;
  /** false: the plan has no draft pull requests (GitHub Free, private repository). */
  drafts?: boolean;
  /** false: Settings > Actions > "Allow GitHub Actions to create and approve pull requests" is off. */
  actionsMayOpenPulls?: boolean;
}

export interface GitHubStandIn {
  url: string;
  owner: string;
  repo: string;
  token: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  /** Label names that exist in the repository. */
  labels: Set<string>;
  comments: Map<number, FakeComment[]>;
  /** Pull requests GitHub associates with each commit SHA. */
  pullsByCommit: Map<string, { number: number; merged_at: string | null; merge_commit_sha: string | null }[]>;
  permissions: Record<'contents' | 'pull_requests' | 'issues', Access>;
  /** Requests and responses that did not match GitHub's API description. */
  violations: string[];
  /** The next `times` requests (matching `match`, if given) answer `status`. */
  fail(status: number, times?: number, options?: Omit<Failure, 'status' | 'times'>): void;
  /** GitHub's secondary rate limit for the next `times` matching requests: 429 (or 403) with retry-after. */
  secondaryRateLimit(times: number, retryAfter: number, options?: { status?: 403 | 429; match?: Failure['match'] }): void;
  clearFailures(): void;
  /** The environment a command finds this stand-in through (token, API root, repository), with `extra` over it. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv;
  /** Stops the server; rejects when a request or response did not match the API description. */
  close(): Promise<void>;
}

/**
 * Client options for tests: 1 ms for each second of retry delay and write spacing, and a limiter of its own
 * (test files share a worker's modules, so a shared limiter id would space one file's writes after another's).
 */
export function fastClient(): { retryAfterBaseValue: number; limiterId: string } {
  return { retryAfterBaseValue: 1, limiterId: randomUUID() };
}

export const DOCS = 'https://docs.github.com/rest';
const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. '
  + 'If you reach out to GitHub Support for help, please include the request ID 0000:1111:2222:3333.';
const SECONDARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const WHEN = '2026-06-01T12:00:00Z';

class Answer {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {}
}
const error = (status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new Answer(status, { message, ...extra, documentation_url: DOCS }, headers);
const invalid = (errors: Array<Record<string, string>>) => error(422, 'Validation Failed', { errors });

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const owner = options.owner ?? 'workshop-org';
  const repo = options.repo ?? 'mesh-workshop';
  const token = options.token ?? 'ghp_faketoken0123456789abcdefSECRET';
  const defaultBranch = options.defaultBranch ?? 'main';
  const started = Date.now();
  const failures: Failure[] = [];
  let nextComment = 1000;
  let url = '';

  const git = (args: string[]): string | undefined => {
    if (!options.git) return undefined;
    try {
      return execFileSync('git', args, { cwd: options.git, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const headSha = (branch: string) => git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);

  const state: GitHubStandIn = {
    url: '', owner, repo, token,
    requests: [],
    pulls: [],
    labels: new Set<string>(),
    comments: new Map(),
    pullsByCommit: new Map(),
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write', ...options.permissions },
    violations: [],
    fail(status, times = 1, opts = {}) {
      failures.push({ status, times, ...opts });
    },
    secondaryRateLimit(times, retryAfter, opts = {}) {
      failures.push({
        status: opts.status ?? 429, times, match: opts.match,
        body: { message: SECONDARY, documentation_url: SECONDARY_DOCS },
        headers: { 'retry-after': String(retryAfter) },
      });
    },
    clearFailures() {
      failures.length = 0;
    },
    env(extra = {}) {
      return { GITHUB_TOKEN: state.token, GITHUB_API_URL: state.url, GITHUB_REPOSITORY: `${state.owner}/${state.repo}`, ...extra };
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close(() => (state.violations.length > 0
        ? reject(new Error(`The GitHub stand-in saw exchanges GitHub's API description does not allow:\n${state.violations.join('\n')}`))
        : resolve()));
    }),
  };

  // Objects are GitHub's own examples from the API description, with the stand-in's values put in.
  const html = () => `${url}/${owner}/${repo}`;
  const api = () => `${url}/repos/${owner}/${repo}`;
  const labelJson = (name: string, i: number) => ({
    ...(exampleOf('GET', '/repos/{owner}/{repo}/labels/{name}', 200) as object),
    id: i + 1, node_id: `LA_${i + 1}`, name, url: `${api()}/labels/${encodeURIComponent(name)}`, color: '0e8a16', description: '', default: false,
  });
  const names = { name: repo, full_name: `${owner}/${repo}`, html_url: html(), url: api(), private: true, default_branch: defaultBranch };
  const repoJson = () => {
    const { source: _s, parent: _p, template_repository: _t, ...full } = exampleOf('GET', '/repos/{owner}/{repo}', 200) as Record<string, unknown>;
    // Keys GitHub's real answer has and the description's example lacks (recorded in @octokit/fixtures' get-repository).
    const real = { allow_update_branch: false, use_squash_pr_title_as_default: false, web_commit_signoff_required: false };
    const permissions = { admin: false, maintain: false, push: state.permissions.contents === 'write', triage: true, pull: true };
    return { ...full, ...real, ...names, permissions, language: null, fork: false };
  };
  const pullJson = (p: FakePull) => {
    const t = exampleOf('POST', '/repos/{owner}/{repo}/pulls', 201) as Record<string, unknown> & { head: Record<string, unknown>; base: Record<string, unknown> };
    const r = { ...(t.base.repo as object), ...names };
    return {
      ...t,
      url: `${api()}/pulls/${p.number}`, html_url: `${html()}/pull/${p.number}`, id: p.number, number: p.number,
      state: p.state, title: p.title, body: p.body, draft: p.draft, labels: p.labels.map(labelJson),
      requested_teams: [], requested_reviewers: [], assignees: [], assignee: null, milestone: null, merged: false, merged_at: null,
      closed_at: p.state === 'closed' ? WHEN : null, merge_commit_sha: null,
      head: { ...t.head, ref: p.head, label: `${owner}:${p.head}`, sha: headSha(p.head) ?? '0'.repeat(40), repo: r },
      base: { ...t.base, ref: p.base, label: `${owner}:${p.base}`, sha: headSha(p.base) ?? '0'.repeat(40), repo: r },
    };
  };
  const commentJson = (number: number, c: FakeComment) => ({
    ...(exampleOf('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 200) as object),
    id: c.id, node_id: `IC_${c.id}`, body: c.body, html_url: c.html_url,
    url: `${api()}/issues/comments/${c.id}`, issue_url: `${api()}/issues/${number}`,
  });

  /** One page of `items` with GitHub's Link header (rel next, last, first, prev). */
  function page<T>(path: string, query: Record<string, string>, items: T[]): Answer {
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const n = Math.max(1, Number(query.page ?? 1) || 1);
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams({ ...query, page: String(p) });
      return `<${url}${path}?${q.toString()}>; rel="${rel}"`;
    };
    const links = [n < last ? link(n + 1, 'next') : '', n < last ? link(last, 'last') : '', n > 1 ? link(1, 'first') : '', n > 1 ? link(n - 1, 'prev') : ''];
    const headers: Record<string, string> = {};
    if (links.some(Boolean)) headers.link = links.filter(Boolean).join(', ');
    return new Answer(200, items.slice((n - 1) * perPage, n * perPage), headers);
  }

  const lacks = (need: Array<[keyof GitHubStandIn['permissions'], Access]>) =>
    !need.some(([k, level]) => state.permissions[k] === 'write' || (level === 'read' && state.permissions[k] === 'read'));
  const forbidden = (need: Array<[keyof GitHubStandIn['permissions'], Access]>, message = 'Resource not accessible by integration') =>
    error(403, message, {}, { 'x-accepted-github-permissions': need.map(([k, v]) => `${k}=${v}`).join('; ') });

  function closeDeletedHeads(): void {
    if (!options.git) return;
    // GitHub closes a pull request when its head branch is deleted.
    for (const p of state.pulls) if (p.state === 'open' && !headSha(p.head)) p.state = 'closed';
  }

  function createPull(b: Record<string, unknown>): Answer {
    if (lacks([['pull_requests', 'write']])) return forbidden([['pull_requests', 'write']]);
    if (options.actionsMayOpenPulls === false) return error(403, 'GitHub Actions is not permitted to create or approve pull requests.');
    const { head, base, title } = b as { head: string; base: string; title?: string };
    if (typeof title !== 'string') return invalid([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
    if (title.length > 256) return invalid([{ resource: 'PullRequest', code: 'custom', field: 'title', message: 'title is too long (maximum is 256 characters)' }]);
    if (options.git && !headSha(base)) return invalid([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    if (options.git && !headSha(head)) return invalid([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (state.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
      return invalid([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }]);
    }
    if (options.git && git(['rev-list', '--count', `${headSha(base)}..${headSha(head)}`]) === '0') {
      return invalid([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }]);
    }
    if (b.draft === true && options.drafts === false) {
      return invalid([{ resource: 'PullRequest', code: 'custom', message: 'Draft pull requests are not supported in this repository.' }]);
    }
    const pull: FakePull = {
      number: state.pulls.length + 1, state: 'open', title, body: typeof b.body === 'string' ? b.body : '', head, base, draft: b.draft === true, labels: [],
    };
    state.pulls.push(pull);
    return new Answer(201, pullJson(pull));
  }

  function route(method: string, path: string, query: Record<string, string>, body: Record<string, unknown> | undefined): Answer {
    const prefix = `/repos/${owner}/${repo}`;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return error(404, 'Not Found');
    const rest = path.slice(prefix.length);
    const b = body ?? {};
    closeDeletedHeads();
    let m: RegExpExecArray | null;
    if (method === 'GET' && rest === '') return new Answer(200, repoJson());
    if (rest === '/pulls' && method === 'GET') {
      const want = query.state ?? 'open';
      const list = state.pulls.filter((p) => (want === 'all' || p.state === want) && (!query.head || `${owner}:${p.head}` === query.head));
      return page(path, query, list.map(pullJson));
    }
    if (rest === '/pulls' && method === 'POST') return createPull(b);
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = state.pulls.find((p) => p.number === Number(m![1]));
      if (!pull) return error(404, 'Not Found');
      if (method === 'GET') return new Answer(200, pullJson(pull));
      if (method === 'PATCH') {
        if (lacks([['pull_requests', 'write']])) return forbidden([['pull_requests', 'write']]);
        if (typeof b.title === 'string' && b.title.length > 256) return invalid([{ resource: 'PullRequest', code: 'custom', field: 'title', message: 'title is too long (maximum is 256 characters)' }]);
        if (typeof b.title === 'string') pull.title = b.title;
        if (typeof b.body === 'string') pull.body = b.body;
        if (typeof b.base === 'string') pull.base = b.base;
        if (b.state === 'open' && pull.state === 'closed' && options.git && !headSha(pull.head)) {
          return invalid([{ resource: 'PullRequest', code: 'custom', field: 'state', message: 'state cannot be changed. The head branch was deleted.' }]);
        }
        if (b.state === 'closed' || b.state === 'open') pull.state = b.state;
        return new Answer(200, pullJson(pull));
      }
    }
    if ((m = /^\/labels\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const name = decodeURIComponent(m[1]!);
      const i = [...state.labels].findIndex((l) => l.toLowerCase() === name.toLowerCase());
      return i < 0 ? error(404, 'Not Found') : new Answer(200, labelJson([...state.labels][i]!, i));
    }
    if (rest === '/labels' && method === 'POST') {
      if (lacks([['issues', 'write']])) return forbidden([['issues', 'write']]);
      const name = String(b.name);
      if ([...state.labels].some((l) => l.toLowerCase() === name.toLowerCase())) return invalid([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      state.labels.add(name);
      return new Answer(201, labelJson(name, state.labels.size - 1));
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && method === 'POST') {
      if (lacks([['issues', 'write'], ['pull_requests', 'write']])) return forbidden([['issues', 'write'], ['pull_requests', 'write']]);
      const pull = state.pulls.find((p) => p.number === Number(m![1]));
      if (!pull) return error(404, 'Not Found');
      const names = (Array.isArray(b.labels) ? b.labels : []).filter((l): l is string => typeof l === 'string');
      // Adding a label that does not exist creates it, which needs the issues permission.
      if (names.some((n) => ![...state.labels].some((l) => l.toLowerCase() === n.toLowerCase())) && lacks([['issues', 'write']])) {
        return forbidden([['issues', 'write']], 'You do not have permission to create labels on this repository.');
      }
      for (const n of names) {
        state.labels.add(n);
        if (!pull.labels.includes(n)) pull.labels.push(n);
      }
      return new Answer(200, pull.labels.map(labelJson));
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const number = Number(m[1]);
      const list = state.comments.get(number) ?? [];
      if (method === 'GET') return page(path, query, list.map((c) => commentJson(number, c)));
      if (method === 'POST') {
        if (lacks([['issues', 'write'], ['pull_requests', 'write']])) return forbidden([['issues', 'write'], ['pull_requests', 'write']]);
        const id = nextComment++;
        const comment = { id, body: String(b.body), html_url: `${html()}/pull/${number}#issuecomment-${id}` };
        state.comments.set(number, [...list, comment]);
        return new Answer(201, commentJson(number, comment));
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      if (lacks([['issues', 'write'], ['pull_requests', 'write']])) return forbidden([['issues', 'write'], ['pull_requests', 'write']]);
      for (const [number, list] of state.comments) {
        const comment = list.find((c) => c.id === Number(m![1]));
        if (comment) {
          comment.body = String(b.body);
          return new Answer(200, commentJson(number, comment));
        }
      }
      return error(404, 'Not Found');
    }
    if ((m = /^\/commits\/([^/]+)\/pulls$/.exec(rest)) && method === 'GET') {
      const sha = m[1]!;
      // GitHub's answer for a commit it does not have (not in the description's list for this operation).
      if (options.git && git(['cat-file', '-e', `${sha}^{commit}`]) === undefined) return error(422, `No commit found for SHA: ${sha}`);
      const list = (state.pullsByCommit.get(sha) ?? []).map((p) => ({
        ...pullJson({ number: p.number, state: 'closed', title: `Pull request ${p.number}`, body: '', head: `promote/lab/${p.number}`, base: defaultBranch, draft: false, labels: [] }),
        merged_at: p.merged_at, merge_commit_sha: p.merge_commit_sha,
      }));
      return page(path, query, list);
    }
    return error(404, 'Not Found');
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, method: string, path: string, answer: Answer): void {
    // The one answer GitHub gives outside this operation's description (see route), allowed by name.
    const unknownSha = answer.status === 422 && /^No commit found for SHA/.test(String((answer.body as { message?: unknown }).message));
    if (!unknownSha) state.violations.push(...checkResponse(method, path, answer.status, answer.body));
    const reset = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `0000:${(state.requests.length).toString(16).toUpperCase()}:1111:2222:3333`,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-used': '1', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core',
      ...answer.headers,
    });
    res.end(JSON.stringify(answer.body));
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const path = parsed.pathname;
      const query = Object.fromEntries(parsed.searchParams.entries());
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return send(res, method, path, error(400, 'Problems parsing JSON'));
      }
      const recorded: RecordedRequest = { method, path, query, authorization: req.headers.authorization, body, at: Date.now() - started };
      state.requests.push(recorded);
      const problems = checkRequest(method, path, query, body);
      state.violations.push(...problems);
      const answer = ((): Answer => {
        const failure = failures.find((f) => f.times > 0 && (!f.match || f.match(method, path)));
        if (failure?.afterEffect) route(method, path, query, body as Record<string, unknown> | undefined);
        if (failure) {
          failure.times--;
          const message = failure.message ?? ({ 401: 'Bad credentials', 403: 'Resource not accessible by integration', 404: 'Not Found', 422: 'Validation Failed' } as Record<number, string>)[failure.status] ?? 'Server Error';
          return new Answer(failure.status, failure.body ?? { message, documentation_url: DOCS }, failure.headers);
        }
        if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) return error(401, 'Bad credentials');
        if (problems.length > 0) return invalid([{ resource: 'Request', code: 'invalid', message: problems.join('; ') }]);
        return route(method, path, query, body as Record<string, unknown> | undefined);
      })();
      recorded.status = answer.status;
      send(res, method, path, answer);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.url = url;
  return state;
}
