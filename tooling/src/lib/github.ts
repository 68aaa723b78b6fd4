// The one GitHub wrapper: a factory around Octokit with the retry and throttling plugins, exposing only the
// calls promotions need, and turning every API failure into a GitHubApiError with the status and a fix hint.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { ToolkitError, UsageError } from './errors.ts';
import { GitHubApiError, hintFor, parseAcceptedPermissions, type RequestErrorLike } from './github-errors.ts';

export { GitHubApiError, parseAcceptedPermissions, permissionText } from './github-errors.ts';
import { parseRemoteUrl, redact, remoteUrl } from './git.ts';

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

/** owner/repo from GITHUB_REPOSITORY, else from the origin remote URL of the repository at `root`. */
export async function repositoryOf(root: string, env: NodeJS.ProcessEnv): Promise<{ owner: string; repo: string }> {
  const fromEnv = env.GITHUB_REPOSITORY?.trim();
  if (fromEnv) return parseRepository(fromEnv);
  const url = await remoteUrl(root, 'origin');
  const parsed = url ? parseRemoteUrl(url) : undefined;
  if (!parsed) {
    throw new ToolkitError('Cannot tell which GitHub repository to use: the origin remote is not a GitHub URL.',
      { hint: 'Set GITHUB_REPOSITORY=owner/repo.' });
  }
  return parsed;
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
  updatePull(number: number, input: { title?: string; body?: string; base?: string; state?: 'open' | 'closed' }): Promise<PullRequest>;
  /**
   * Adds labels to an issue or PR. GitHub creates a label that does not exist yet, which needs the
   * issues permission; call ensureLabel first so the add itself never creates one.
   */
  addLabels(number: number, labels: readonly string[]): Promise<string[]>;
  /** Creates the label unless it exists ('exists' or 'created'); creating needs `issues: write`. */
  ensureLabel(name: string, color: string, description: string): Promise<'exists' | 'created'>;
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
  /**
   * Milliseconds per "second" of retry delay and of the spacing between writes (see spacedGroup); tests make
   * this tiny. Default 1000.
   */
  retryAfterBaseValue?: number;
  /** How many times a 5xx is retried. Default 3. Rate limits are retried once, by the throttling plugin alone. */
  retries?: number;
  /** Throttling limiter id; requests sharing an id are spaced out together. */
  limiterId?: string;
}

/** The longest wait (seconds) a rate-limited request is retried after; longer ones fail with a hint. */
export const MAX_RATE_LIMIT_WAIT = 60;

/**
 * Octokit reports a connection failure (DNS, refused, TLS) as a RequestError with status 500 and no response,
 * which the retry plugin would resend and log as a server error. This plugin sits inside retry and turns it
 * into a plain error with status 0, so it fails once, with its own message.
 */
function noNetworkRetry(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.error('request', (error: Error & { status?: number; response?: unknown }) => {
    if (error.response === undefined && (error.status === undefined || error.status === 500)) {
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `${cause.message}${(cause as { cause?: Error }).cause ? ` (${(cause as { cause?: Error }).cause?.message})` : ''}` : error.message;
      throw Object.assign(new Error(detail, { cause: error }), { status: 0 });
    }
    throw error;
  });
}

const ThrottledOctokit = Octokit.plugin(noNetworkRetry, retry, throttling);

/**
 * The throttling plugin's spacing of mutating requests, in our time base: GitHub's best practices ask for a
 * second between writes (POST, PATCH, PUT, DELETE), and the plugin keeps three seconds between writes that
 * notify people (a new pull request or comment). Same figures as the plugin's own groups at the default base;
 * one group per kind and spacing, shared by every client in the process as the plugin's are.
 */
const spacingGroups = new Map<string, Bottleneck.Group>();
function spacedGroup(kind: 'write' | 'notifications', seconds: number, base: number): Bottleneck.Group {
  const id = `octokit-${kind}-${seconds * base}`;
  let group = spacingGroups.get(id);
  if (!group) {
    group = new Bottleneck.Group({ id, maxConcurrent: 1, minTime: seconds * base });
    spacingGroups.set(id, group);
  }
  return group;
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
  const rateLimited = (what: string, after: number, req: { method: string; url: string }, count: number): boolean => {
    const again = count < 1 && after <= MAX_RATE_LIMIT_WAIT;
    log(`GitHub ${what} hit on ${req.method} ${req.url}; ${again ? `retrying in ${after}s (once)` : `not retrying (asked to wait ${after}s)`}.`);
    return again;
  };

  const octokit: Octokit = options.octokit ?? new ThrottledOctokit({
    auth: token,
    baseUrl,
    userAgent: 'mesh-workshop-promote',
    // Octokit's error lines ("POST /x - 404 with id ...") repeat what call() reports, and a 404 can be expected.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(quiet(String(m))), error: () => {} },
    // 429 is the throttling plugin's alone: it waits for retry-after; retry would resend after 1, 4 and 9 s.
    retry: { retries, retryAfterBaseValue: base, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      id: options.limiterId ?? 'mesh-workshop-promote',
      retryAfterBaseValue: base,
      write: spacedGroup('write', 1, base),
      notifications: spacedGroup('notifications', 3, base),
      // GitHub: wait for retry-after (or the reset), then retry; keep failing requests from piling up.
      onRateLimit: (after: number, req: { method: string; url: string }, _o: unknown, count: number) => rateLimited('rate limit', after, req, count),
      onSecondaryRateLimit: (after: number, req: { method: string; url: string }, _o: unknown, count: number) =>
        rateLimited('secondary rate limit', after, req, count),
    },
  });

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const e = error as RequestErrorLike;
      // A connection failure (status 0 from noNetworkRetry) is not GitHub's answer.
      const status = typeof e.status === 'number' && e.response !== undefined ? e.status : 0;
      const details = (e.response?.data?.errors ?? []).map((d) => d.message ?? d.code).filter(Boolean).join('; ');
      const message = quiet(`${e.response?.data?.message ?? e.message ?? String(error)}${details ? ` (${details})` : ''}`);
      const headers = e.response?.headers ?? {};
      const accepted = parseAcceptedPermissions(headers['x-accepted-github-permissions']);
      throw new GitHubApiError(operation, status, message, hintFor(status, { owner, repo, baseUrl, message, headers, accepted }), error, accepted);
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
    async ensureLabel(name, color, description) {
      try {
        await call(`read label ${name}`, () => octokit.rest.issues.getLabel({ owner, repo, name }));
        return 'exists';
      } catch (error) {
        if (!(error instanceof GitHubApiError && error.status === 404)) throw error;
      }
      try {
        await call(`create label ${name}`, () => octokit.rest.issues.createLabel({ owner, repo, name, color, description }));
      } catch (error) {
        // Created meanwhile by a concurrent run: 422 already_exists.
        if (!(error instanceof GitHubApiError && error.alreadyExists)) throw error;
      }
      return 'created';
    },
    async findMergedPullForCommit(sha) {
      const res = await call(`find the pull request of commit ${sha.slice(0, 12)}`, () =>
        octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 }));
      const pr = res.data.find((p) => p.merge_commit_sha === sha) ?? res.data.find((p) => p.merged_at !== null);
      return pr ? toPull(pr) : undefined;
    },
    async upsertComment(number, body, marker) {
      const marked = async () => findMarked(await call(`list comments of #${number}`, () =>
        octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 })), marker);
      const mine = await marked();
      if (mine) {
        // A body saved from the web editor comes back with CRLF line ends; that is not a change.
        if (sameText(mine.body ?? '', body)) return { action: 'unchanged', url: mine.html_url };
        const res = await call(`update comment on #${number}`, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body }));
        return { action: 'updated', url: res.data.html_url };
      }
      // Not retried blindly: a POST whose answer was lost (5xx, reset) may have posted. Look before posting again.
      const create = () => call(`comment on #${number}`, () =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: number, body, request: { retries: 0 } }));
      try {
        return { action: 'created', url: (await create()).data.html_url };
      } catch (error) {
        if (!(error instanceof GitHubApiError && (error.status === 0 || error.status >= 500))) throw error;
        log(`Commenting on #${number} failed (${error.status || 'no answer'}); checking whether it was posted before trying again.`);
        const posted = await marked();
        if (posted) return { action: 'created', url: posted.html_url };
        return { action: 'created', url: (await create()).data.html_url };
      }
    },
  };
}

function findMarked<T extends { body?: string | null }>(comments: readonly T[], marker: string): T | undefined {
  return comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
}

/** Equal up to line endings and trailing whitespace (GitHub's web editor saves CRLF). */
export function sameText(a: string, b: string): boolean {
  const norm = (t: string) => t.replace(/\r\n?/g, '\n').trimEnd();
  return norm(a) === norm(b);
}

export interface GitHubFromEnv {
  root: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  overrides?: Partial<Pick<GitHubOptions, 'retryAfterBaseValue' | 'retries' | 'limiterId' | 'octokit'>>;
}

/**
 * The one way commands get a client: token from GITHUB_TOKEN / GH_TOKEN, repository from GITHUB_REPOSITORY or
 * the origin remote, API root from GITHUB_API_URL. Undefined when there is no token.
 */
export async function gitHubFromEnv({ root, env, log, overrides }: GitHubFromEnv): Promise<GitHub | undefined> {
  const token = tokenFrom(env);
  if (!token) return undefined;
  const { owner, repo } = await repositoryOf(root, env);
  return createGitHub({ token, owner, repo, baseUrl: env.GITHUB_API_URL?.trim() || DEFAULT_API_URL, log, ...overrides });
}
