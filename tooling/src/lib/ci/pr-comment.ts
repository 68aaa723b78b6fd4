// Posts the post-merge message on the pull request a push commit came from, through the project's one
// GitHub wrapper (retries, rate limits, typed errors with hints); a re-run edits its earlier comment.
import type { GitHub } from '../github.ts';

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
