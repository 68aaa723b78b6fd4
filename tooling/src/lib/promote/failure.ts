// How a promotion fails, for the CLI and scripts: validation errors (nothing was written), a pushed branch
// whose pull request could not be opened (a rerun finishes it), and the JSON report of either.
import { errorReport } from '../cli.ts';
import { ToolkitError } from '../errors.ts';
import { GitHubApiError } from '../github.ts';
import type { GateResult } from './gate.ts';

/** Raised when validation finds errors: nothing was committed or pushed; the findings travel with it. */
export class ValidationFailedError extends ToolkitError {
  readonly findings: GateResult['findings'];
  constructor(message: string, hint: string, findings: GateResult['findings']) {
    super(message, { hint });
    this.name = 'ValidationFailedError';
    this.findings = findings;
  }
}

/** Raised when the branch was pushed but the pull request could not be opened or updated. */
export class PromotionIncompleteError extends ToolkitError {
  readonly status: number | undefined;
  readonly branch: string;
  /** Whether this run pushed the branch (false when origin already had the same change). */
  readonly pushed: boolean;
  constructor(branch: string, cause: unknown, pushed = true) {
    const inner = cause instanceof Error ? cause : new Error(String(cause));
    const innerHint = cause instanceof ToolkitError && cause.hint ? `${cause.hint} ` : '';
    super(`${inner.message} (the branch ${branch} ${pushed ? 'was pushed' : 'is on origin'}, but its pull request was not opened or updated)`, {
      hint: `${innerHint}Run the same command again to finish: it reuses the pushed branch and opens or updates exactly one pull request.`,
      cause,
    });
    this.name = 'PromotionIncompleteError';
    this.status = cause instanceof GitHubApiError ? cause.status : undefined;
    this.branch = branch;
    this.pushed = pushed;
  }
}

/**
 * What a script reading `--output json` gets when a promotion fails: the message and hint, the HTTP status
 * of a GitHub API error, and whether the promotion branch is on origin (so the caller knows a rerun finishes it).
 */
export function failureReport(error: unknown): {
  error: string; hint: string | null; status?: number; branch?: string; pushed: boolean; onOrigin: boolean; findings?: GateResult['findings'];
} {
  const report: ReturnType<typeof failureReport> = { ...errorReport(error), pushed: false, onOrigin: false };
  if (error instanceof PromotionIncompleteError) {
    if (error.status !== undefined) report.status = error.status;
    report.branch = error.branch;
    report.pushed = error.pushed;
    report.onOrigin = true;
  } else if (error instanceof GitHubApiError) {
    report.status = error.status;
  } else if (error instanceof ValidationFailedError) {
    report.findings = error.findings.filter((f) => !f.silenced);
  }
  return report;
}
