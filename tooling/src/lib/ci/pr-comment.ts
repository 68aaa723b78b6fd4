// Posts the post-merge message on the pull request a push commit came from, through the project's one
// GitHub wrapper (retries, rate limits, typed errors with hints); a re-run edits its earlier comment.
import { UsageError } from '../errors.ts';
import type { GitHub } from '../github.ts';

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

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged' | 'no-pull-request';
  pullRequest?: number;
  url?: string;
}

/** Finds the merged pull request behind `sha` and puts `body` on it, once. */
export async function commentOnMergedPullRequest(github: GitHub, target: { sha: string; body: string; marker: string }): Promise<CommentResult> {
  const pr = await github.findMergedPullForCommit(target.sha);
  if (!pr) return { action: 'no-pull-request' };
  const result = await github.upsertComment(pr.number, target.body, target.marker);
  return { action: result.action, pullRequest: pr.number, url: result.url };
}
