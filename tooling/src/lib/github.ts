// The one GitHub wrapper: a factory around Octokit with the retry and throttling plugins, exposing only the
// calls promotions need, and turning every API failure into a GitHubApiError with the status and a fix hint.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ToolkitError, UsageError } from './errors.ts';
import { redact } from './git.ts';

export const DEFAULT_API_URL = 'https://api.github.com';

// GitHub's rules for names, checked because the value is spliced into API paths.
const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/** `owner/repo` (as in GITHUB_REPOSITORY), checked; a UsageError naming the value otherwise. */
export function parseRepository(value: string | undefined): { owner: string; repo: string } {
  const m = value === undefined ? null : REPOSITORY.exec(value.trim());
  if (!m) {
    throw new UsageError(`GITHUB_REPOSITORY must be "owner/repo"; got ${value === undefined ? 'nothing' : JSON.stringify(value.slice(0, 120))}.`,
      'Set it to e.g. my-org/mesh-workshop (GitHub Actions sets it for you), or unset it to use the origin remote.');
  }
  return { owner: m[1] as string, repo: m[2] as string };
}

/** The token from the environment, as GitHub Actions and the gh CLI name it, without stray whitespace. */
export function tokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim() || undefined;
}

export class GitHubApiError extends ToolkitError {
  /** HTTP status, or 0 when no response came back (network, DNS, TLS). */
  readonly status: number;
  readonly operation: string;

  constructor(operation: string, status: number, message: string, hint: string, cause?: unknown) {
    super(`GitHub API: ${operation} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, { hint, cause });
    this.name = 'GitHubApiError';
    this.status = status;
    this.operation = operation;
  }

  /** True for the 422 GitHub answers when a pull request for the head branch already exists. */
  get alreadyExists(): boolean {
    return this.status === 422 && /already exists/i.test(this.message);
  }
}

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  head: string;
  base: string;
  labels: string[];
  draft: boolean;
}

export interface GitHub {
  readonly owner: string;
  readonly repo: string;
  getDefaultBranch(): Promise<string>;
  /** The open pull request whose head is `branch` in this repository, if any. */
  findOpenPullByHead(branch: string): Promise<PullRequest | undefined>;
  listOpenPulls(): Promise<PullRequest[]>;
  createPull(input: { head: string; base: string; title: string; body: string; draft?: boolean }): Promise<PullRequest>;
  updatePull(number: number, input: { title?: string; body?: string; base?: string }): Promise<PullRequest>;
  /** Adds labels to an issue or PR; GitHub creates labels that do not exist yet. */
  addLabels(number: number, labels: readonly string[]): Promise<string[]>;
  /** The merged pull request that produced commit `sha` (GitHub's commits/{sha}/pulls), if any. */
  findMergedPullForCommit(sha: string): Promise<PullRequest | undefined>;
  /**
   * Puts `body` on issue or PR `number`: the earlier comment containing `marker` is edited (or left alone
   * when identical) so a re-run never adds a second one.
   */
  upsertComment(number: number, body: string, marker: string): Promise<{ action: 'created' | 'updated' | 'unchanged'; url: string }>;
}

export interface GitHubOptions {
  token: string;
  owner: string;
  repo: string;
  /** API root; GITHUB_API_URL in Actions, for GitHub Enterprise Server or a test server. */
  baseUrl?: string;
  /** An Octokit-compatible instance, for tests that want to stub the transport entirely. */
  octokit?: Octokit;
  /** Where retry and rate-limit notices go (never includes the token). */
  log?: (line: string) => void;
  /** Milliseconds per "second" of retry delay; tests make this tiny. Default 1000. */
  retryAfterBaseValue?: number;
  /** How many times a 5xx or rate-limited request is retried. Default 3. */
  retries?: number;
  /** Throttling limiter id; requests sharing an id are spaced out together. */
  limiterId?: string;
}

const ThrottledOctokit = Octokit.plugin(retry, throttling);

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: Array<{ message?: string; code?: string }> } };
}

function hintFor(status: number, owner: string, repo: string, baseUrl: string): string {
  switch (status) {
    case 0:
      return `Could not reach ${baseUrl}. Check the network and GITHUB_API_URL.`;
    case 401:
      return 'The token is invalid or expired. Create a new one and set GITHUB_TOKEN (or GH_TOKEN).';
    case 403:
      return 'The token lacks permission: it needs contents:write and pull-requests:write on the repository '
        + '(for an organization with SAML SSO, authorize the token for it). If the message mentions a rate limit, wait and run again.';
    case 404:
      return `Repository ${owner}/${repo} was not found, or the token cannot see it. Check GITHUB_REPOSITORY / the origin remote and the token's repository access.`;
    case 422:
      return 'GitHub rejected the request as invalid; see the message above.';
    default:
      return status >= 500 ? 'GitHub had a server error that persisted after retries. Run the same command again later.' : 'See the message above.';
  }
}

function toPull(data: {
  number: number; html_url: string; title: string; body?: string | null; draft?: boolean;
  head: { ref: string }; base: { ref: string }; labels?: Array<{ name?: string } | string>;
}): PullRequest {
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? '',
    head: data.head.ref,
    base: data.base.ref,
    labels: (data.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    draft: Boolean(data.draft),
  };
}

export function createGitHub(options: GitHubOptions): GitHub {
  const { owner, repo, token } = options;
  const baseUrl = (options.baseUrl || DEFAULT_API_URL).replace(/\/+$/, '');
  const log = options.log ?? (() => {});
  const retries = options.retries ?? 3;
  const base = options.retryAfterBaseValue ?? 1000;
  const quiet = (text: string) => redact(text, [token]);

  const octokit: Octokit = options.octokit ?? new ThrottledOctokit({
    auth: token,
    baseUrl,
    userAgent: 'mesh-workshop-promote',
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(quiet(String(m))), error: (m: string) => log(quiet(String(m))) },
    retry: { retries, retryAfterBaseValue: base },
    throttle: {
      id: options.limiterId ?? 'mesh-workshop-promote',
      retryAfterBaseValue: base,
      onRateLimit: (after: number, req: { method: string; url: string }, _o: unknown, count: number) => {
        log(`GitHub rate limit hit on ${req.method} ${req.url}; ${count < retries ? `retrying in ${after}s` : 'giving up'}.`);
        return count < retries;
      },
      onSecondaryRateLimit: (after: number, req: { method: string; url: string }, _o: unknown, count: number) => {
        log(`GitHub secondary rate limit hit on ${req.method} ${req.url}; ${count < retries ? `retrying in ${after}s` : 'giving up'}.`);
        return count < retries;
      },
    },
  });

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const e = error as RequestErrorLike;
      // Octokit reports a connection failure as status 500 without a response; that is not GitHub's answer.
      const status = typeof e.status === 'number' && e.response !== undefined ? e.status : 0;
      const details = (e.response?.data?.errors ?? []).map((d) => d.message ?? d.code).filter(Boolean).join('; ');
      const message = quiet(`${e.response?.data?.message ?? e.message ?? String(error)}${details ? ` (${details})` : ''}`);
      throw new GitHubApiError(operation, status, message, hintFor(status, owner, repo, baseUrl), error);
    }
  }

  return {
    owner,
    repo,
    async getDefaultBranch() {
      const res = await call(`get repository ${owner}/${repo}`, () => octokit.rest.repos.get({ owner, repo }));
      return res.data.default_branch;
    },
    async findOpenPullByHead(branch) {
      const res = await call(`list pull requests for ${branch}`, () =>
        octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${branch}`, per_page: 100 }));
      // Filter again: some servers ignore `head`, and a fork's branch of the same name is not ours.
      const found = res.data.find((p) => p.head.ref === branch && (p.head.repo?.full_name ?? `${owner}/${repo}`).toLowerCase() === `${owner}/${repo}`.toLowerCase());
      return found ? toPull(found) : undefined;
    },
    async listOpenPulls() {
      const data = await call('list open pull requests', () =>
        octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 }));
      return data.map(toPull);
    },
    async createPull(input) {
      const res = await call(`create pull request for ${input.head}`, () =>
        octokit.rest.pulls.create({ owner, repo, head: input.head, base: input.base, title: input.title, body: input.body, draft: input.draft ?? false }));
      return toPull(res.data);
    },
    async updatePull(number, input) {
      const res = await call(`update pull request #${number}`, () => octokit.rest.pulls.update({ owner, repo, pull_number: number, ...input }));
      return toPull(res.data);
    },
    async addLabels(number, labels) {
      if (labels.length === 0) return [];
      const res = await call(`add labels to #${number}`, () =>
        octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels: [...labels] }));
      return res.data.map((l) => l.name);
    },
    async findMergedPullForCommit(sha) {
      const res = await call(`find the pull request of commit ${sha.slice(0, 12)}`, () =>
        octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 }));
      const pr = res.data.find((p) => p.merge_commit_sha === sha) ?? res.data.find((p) => p.merged_at !== null);
      return pr ? toPull(pr) : undefined;
    },
    async upsertComment(number, body, marker) {
      const comments = await call(`list comments of #${number}`, () =>
        octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 }));
      const mine = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
      if (mine) {
        if (mine.body === body) return { action: 'unchanged', url: mine.html_url };
        const res = await call(`update comment on #${number}`, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body }));
        return { action: 'updated', url: res.data.html_url };
      }
      const res = await call(`comment on #${number}`, () => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }));
      return { action: 'created', url: res.data.html_url };
    },
  };
}
