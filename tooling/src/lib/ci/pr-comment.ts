// Posts the post-merge message on the pull request a push commit came from (GitHub's "commits/{sha}/pulls"),
// editing the earlier comment on a re-run instead of adding a second one. Octokit is injected so tests
// can point it at a local server.
import { Octokit } from '@octokit/rest';
import { ToolkitError, UsageError } from '../errors.ts';

export interface RepoRef {
  owner: string;
  repo: string;
}

const REPOSITORY = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/** `owner/repo` from GITHUB_REPOSITORY, checked, since it is spliced into API paths. */
export function parseRepository(value: string | undefined): RepoRef {
  const m = value === undefined ? null : REPOSITORY.exec(value);
  if (!m) {
    throw new UsageError(`GITHUB_REPOSITORY must be "owner/repo"; got ${value === undefined ? 'nothing' : JSON.stringify(value.slice(0, 120))}.`,
      'GitHub Actions sets it; locally, export GITHUB_REPOSITORY=owner/repo.');
  }
  return { owner: m[1] as string, repo: m[2] as string };
}

export function createOctokit(token: string, apiUrl = 'https://api.github.com'): Octokit {
  return new Octokit({
    auth: token,
    baseUrl: apiUrl.replace(/\/+$/, ''),
    userAgent: 'mesh-workshop-gitops ci',
    // Failures are reported once, with a hint, by the caller; Octokit's own request log would repeat them.
    log: { debug: () => {}, info: () => {}, warn: console.warn, error: () => {} },
  });
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged' | 'no-pull-request';
  pullRequest?: number;
  url?: string;
}

function apiError(error: unknown, what: string): ToolkitError {
  const status = (error as { status?: number }).status;
  const hints: Record<number, string> = {
    401: 'The token is invalid or expired.',
    403: 'The token lacks `pull-requests: write` (set it in the job\'s permissions), or the organisation requires SSO.',
    404: 'The repository or commit is not visible to this token; check GITHUB_REPOSITORY and GITHUB_API_URL.',
  };
  return new ToolkitError(`GitHub API ${status ?? 'request'} failed while ${what}: ${(error as Error).message}`, {
    hint: (status !== undefined && hints[status]) || 'Re-run the job; if it keeps failing, check https://www.githubstatus.com.',
    cause: error,
  });
}

/**
 * Finds the merged pull request behind `sha` and puts `body` on it. A comment containing `marker`
 * is updated in place (or left alone when identical), so re-running the job never duplicates it.
 */
export async function commentOnMergedPullRequest(
  octokit: Octokit,
  target: RepoRef & { sha: string; body: string; marker: string },
): Promise<CommentResult> {
  const { owner, repo, sha, body, marker } = target;
  let pulls: { number: number; merged_at: string | null; merge_commit_sha: string | null; html_url: string }[];
  try {
    const res = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 });
    pulls = res.data;
  } catch (error) {
    throw apiError(error, `finding the pull request of commit ${sha.slice(0, 12)}`);
  }
  const pr = pulls.find((p) => p.merge_commit_sha === sha) ?? pulls.find((p) => p.merged_at !== null);
  if (!pr) return { action: 'no-pull-request' };

  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 });
    const mine = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (mine) {
      if (mine.body === body) return { action: 'unchanged', pullRequest: pr.number, url: mine.html_url };
      const res = await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      return { action: 'updated', pullRequest: pr.number, url: res.data.html_url };
    }
    const res = await octokit.rest.issues.createComment({ owner, repo, issue_number: pr.number, body });
    return { action: 'created', pullRequest: pr.number, url: res.data.html_url };
  } catch (error) {
    throw apiError(error, `commenting on pull request #${pr.number}`);
  }
}
