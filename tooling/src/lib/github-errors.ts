// How a GitHub API call failed, for people: the error type every call throws, GitHub's
// X-Accepted-GitHub-Permissions header, and the fix hint for each status, read from GitHub's own headers.
import { ToolkitError } from './errors.ts';

export class GitHubApiError extends ToolkitError {
  /** HTTP status, or 0 when no response came back (network, DNS, TLS). */
  readonly status: number;
  readonly operation: string;
  /** GitHub's X-Accepted-GitHub-Permissions: the permission sets that would have allowed the call. */
  readonly acceptedPermissions: string[][];

  constructor(operation: string, status: number, message: string, hint: string, cause?: unknown, acceptedPermissions: string[][] = []) {
    super(`GitHub API: ${operation} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, { hint, cause });
    this.name = 'GitHubApiError';
    this.status = status;
    this.operation = operation;
    this.acceptedPermissions = acceptedPermissions;
  }

  /**
   * True for the 422 GitHub answers when what was created already exists: a pull request for the head branch
   * ("already exists"), a label (error code `already_exists`).
   */
  get alreadyExists(): boolean {
    return this.status === 422 && /already[_ ]exists/i.test(this.message);
  }

  /** True for the 422 of a repository whose plan has no draft pull requests. */
  get draftUnsupported(): boolean {
    return this.status === 422 && /draft pull requests are not supported/i.test(this.message);
  }
}

/**
 * GitHub's X-Accepted-GitHub-Permissions header: sets separated by `;`, permissions in a set by `,`
 * (`issues=write; pull_requests=write`: either one). Empty when the header is absent.
 */
export function parseAcceptedPermissions(header: string | undefined): string[][] {
  if (!header) return [];
  return header.split(';').map((set) => set.split(',').map((p) => p.trim()).filter((p) => /^[a-z_]+=[a-z]+$/.test(p))).filter((set) => set.length > 0);
}

/** `pull_requests=write` as a workflow's `permissions:` entry: `pull-requests: write`. */
export function permissionText(set: readonly string[]): string {
  return set.map((p) => p.replace(/_/g, '-').replace('=', ': ')).join(' and ');
}

export interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: {
    headers?: Record<string, string | undefined>;
    data?: { message?: string; errors?: Array<{ message?: string; code?: string }> };
  };
}

export interface HintContext {
  owner: string;
  repo: string;
  baseUrl: string;
  message: string;
  headers: Record<string, string | undefined>;
  accepted: string[][];
}

/** What a 403 or 429 means, read from GitHub's headers and message, most specific first. */
function forbiddenHint(status: number, c: HintContext): string {
  const after = Number(c.headers['retry-after']);
  if (status === 429 || /secondary rate limit/i.test(c.message)) {
    return `GitHub's secondary rate limit stopped the request${after > 0 ? ` and asks to wait ${after}s` : ''}; it was retried at most once. `
      + `Wait ${after > 0 ? `${after}s` : 'a minute'} or more and run the same command again: it finishes what this run started.`;
  }
  if (c.headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(c.headers['x-ratelimit-reset']);
    return `The token's API rate limit is used up${reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''}. Run the command again after that.`;
  }
  if (/not permitted to create or approve pull requests/i.test(c.message)) {
    return 'The repository (or its organization) does not let GitHub Actions open pull requests: enable Settings > Actions > General > '
      + '"Allow GitHub Actions to create and approve pull requests", or use a GitHub App token (docs/workflows.md).';
  }
  const sso = c.headers['x-github-sso'];
  if (sso || /\bSAML\b|single sign-on/i.test(c.message)) {
    const url = /url=(\S+)/.exec(sso ?? '')?.[1];
    return `The organization enforces SAML single sign-on: authorize the token for it${url ? ` at ${url}` : ' (GitHub > Settings > Tokens > Configure SSO)'}, then run again.`;
  }
  if (c.accepted.length > 0) {
    return `The token lacks the permission this call needs: ${c.accepted.map(permissionText).join(', or ')}. `
      + 'In a workflow, grant it under `permissions:`; for a fine-grained token or a GitHub App, add it to its repository permissions (docs/workflows.md).';
  }
  if (/create labels/i.test(c.message)) return 'Creating a label needs the issues permission: grant `issues: write` to the token.';
  return 'The token lacks permission: it needs contents:write and pull-requests:write on the repository (issues:write to create labels); '
    + 'for an organization with SAML SSO, authorize the token for it.';
}

export function hintFor(status: number, c: HintContext): string {
  const { owner, repo, baseUrl } = c;
  switch (status) {
    case 0:
      return `Could not reach ${baseUrl}. Check the network and GITHUB_API_URL.`;
    case 401:
      return 'The token is invalid or expired. Create a new one and set GITHUB_TOKEN (or GH_TOKEN).';
    case 403:
    case 429:
      return forbiddenHint(status, c);
    case 404:
      return `Repository ${owner}/${repo} was not found, or the token cannot see it. Check GITHUB_REPOSITORY / the origin remote and the token's repository access.`;
    case 422:
      return 'GitHub rejected the request as invalid; see the message above.';
    default:
      return status >= 500 ? 'GitHub had a server error that persisted after retries. Run the same command again later.' : 'See the message above.';
  }
}

