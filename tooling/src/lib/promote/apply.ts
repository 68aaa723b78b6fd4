// Runs a promotion: plan in a temporary worktree of origin/<base>, validate, then (by mode) stop and report
// (--dry-run), commit to a local branch (--local), or commit, push and open or update the pull request.
// The user's checkout, branch, index and uncommitted changes are never touched.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanClusters } from '../clusters.ts';
import { loadExercises } from '../exercises.ts';
import { ToolkitError, NotFoundError, UsageError } from '../errors.ts';
import {
  changedFiles, checkBranchName, commitFiles, commitInfo, deleteRemoteBranch, fetchBranch, git, isAncestor, isGitRepo, pushWithLease,
  remoteDefaultBranch, remoteUrl, revParse, setBranch,
} from '../git.ts';
import { listWorktrees, withWorktree } from '../worktree.ts';
import { gitHubFromEnv, permissionText, sameText, tokenFrom, GitHubApiError, type GitHub, type GitHubOptions, type PullRequest } from '../github.ts';
import { finishPlan } from './body.ts';
import { formatFinding, runGate, type GateResult } from './gate.ts';
import { resolveBase } from './state.ts';
import {
  chooseExercise, fileUpdates, labelsFor, movedClusters, planPromotion, selectClusters, unchangedClusters, type Plan, type PlanDraft, type PlanInput,
} from './plan.ts';
import { PromotionIncompleteError, ValidationFailedError } from './failure.ts';
import { previewPlan, renderMoving } from './preview.ts';
import { clusterOfPointerFile } from '../ci/changes.ts';

export type Mode = 'run' | 'dry-run' | 'local';
export type Action = 'created' | 'updated' | 'unchanged' | 'noop' | 'dry-run' | 'local';

export interface PromoteRequest {
  /** The user's repository (any directory inside it). */
  root: string;
  exerciseId?: string;
  next?: boolean;
  clusters: string[];
  allClusters: boolean;
  base?: string;
  draft: boolean;
  labels: string[];
  mode: Mode;
  /** With --local: move an existing local branch even when its tip is not a promotion commit. */
  force?: boolean;
  env: NodeJS.ProcessEnv;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
  /** Overrides for the GitHub client, e.g. tiny retry delays in tests. */
  github?: Partial<Pick<GitHubOptions, 'retryAfterBaseValue' | 'retries' | 'limiterId' | 'octokit'>>;
}

export interface PromoteResult {
  action: Action;
  exercise: string;
  /** The selected clusters. */
  clusters: string[];
  /** The selected clusters whose pointer the promotion changes (the others are already there). */
  moved: string[];
  branch: string;
  url?: string;
  number?: number;
  /** The commit on the branch (created by this run, or already on the remote). */
  commit?: string;
  pushed: boolean;
  plan?: Plan;
  gate?: GateResult;
  /** What did not go as asked but does not fail the promotion (a label, a draft). */
  warnings: string[];
}

/**
 * Plans the promotion from the pointers in `wt` (a checkout of the base that this may write to), writes the
 * plan's files there, and previews it: the renders before and after, resource changes and prediction.
 */
export async function planInWorktree(wt: string, input: Omit<PlanInput, 'pointers'>): Promise<PlanDraft> {
  const pointers = new Map<string, string>();
  for (const c of input.clusters) {
    // A missing pointer is left out, so planPromotion names the cluster and the file.
    const text = await readFile(join(wt, c.pointerFile), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text !== undefined) pointers.set(c.pointerFile, text);
  }
  const planned = planPromotion({ ...input, pointers });
  const before = await renderMoving(wt, planned);
  for (const update of fileUpdates(planned)) await writeFile(join(wt, update.path), update.text);
  return previewPlan(wt, planned, before);
}

function commitMessage(plan: Plan): string {
  const moves = movedClusters(plan).map((c) => `- ${c.name}: ${c.before} -> ${c.after} (${c.file})`);
  return `${plan.title}\n\n${moves.join('\n')}\n`;
}

/**
 * --local may move `refs/heads/<branch>` only when nothing of the user's would be lost from view: the branch
 * is checked out in no worktree (moving it would desync that checkout's index), and its tip is a promotion
 * commit this command could make again (one `promote(` commit on top of the base history, changing only
 * pointer files), unless `force`. Otherwise commits of the user's would survive only in the reflog.
 */
async function checkLocalBranch(root: string, branch: string, baseCommit: string, force: boolean): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const tip = await revParse(root, ref);
  if (!tip) return;
  const holder = (await listWorktrees(root)).find((w) => w.branch === ref);
  if (holder) {
    throw new ToolkitError(`Branch ${branch} is checked out in ${holder.path}; refusing to move it under that working tree.`, {
      hint: `Switch that worktree to another branch (git -C ${JSON.stringify(holder.path)} switch <branch>), or delete the branch there, and run again.`,
    });
  }
  if (force) return;
  const info = await commitInfo(root, tip);
  const parent = info.parents.length === 1 ? info.parents[0] as string : undefined;
  const ours = parent !== undefined
    && info.subject.startsWith('promote(')
    && info.files.length > 0
    && info.files.every((f) => clusterOfPointerFile(f) !== undefined)
    && (await isAncestor(root, parent, baseCommit));
  if (!ours) {
    throw new ToolkitError(`Local branch ${branch} already exists and its tip ${tip.slice(0, 12)} ("${info.subject.slice(0, 80)}") `
      + 'is not a promotion commit this command would make again; refusing to move it.', {
      hint: `Delete it (git branch -D ${branch}) if you do not need it, or pass --force to move it anyway (its old tip stays in the reflog).`,
    });
  }
}

/** True when the remote branch already holds this exact change on this exact base: no push needed. */
async function sameChange(root: string, remote: string, commit: string, baseCommit: string): Promise<boolean> {
  const tree = async (rev: string) => (await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{tree}`], { nothrow: true })).stdout.trim();
  const remoteParent = await revParse(root, `${remote}^`);
  return remoteParent === baseCommit && (await tree(remote)) === (await tree(commit));
}

const LABEL_COLOR = '0e8a16';
const LABEL_DESCRIPTION = 'Moves a cluster to a workshop exercise (npm run promote)';

/** Why a label could not be put on the pull request, naming the missing permission when GitHub said which. */
function labelWarning(labels: readonly string[], error: unknown): string {
  const e = error instanceof GitHubApiError ? error : undefined;
  const need = e?.acceptedPermissions.length ? `the token needs ${e.acceptedPermissions.map(permissionText).join(', or ')}` : (e?.hint ?? String(error));
  return `could not label the pull request ${labels.map((l) => `"${l}"`).join(', ')}: ${e ? e.message : String(error)}; ${need}. `
    + 'The pull request is open; add the label by hand, or grant the permission and run again (docs/workflows.md).';
}

/**
 * Puts the labels the pull request lacks on it. Each label is created first where the token may (creating
 * needs `issues: write`), so the add call never creates one; a label problem is a warning, never a failure.
 */
async function labelPull(gh: GitHub, number: number, labels: readonly string[], have: readonly string[]): Promise<{ added: string[]; warnings: string[] }> {
  const missing = labels.filter((l) => !have.some((h) => h.toLowerCase() === l.toLowerCase()));
  const warnings: string[] = [];
  const usable: string[] = [];
  for (const label of missing) {
    try {
      await gh.ensureLabel(label, LABEL_COLOR, LABEL_DESCRIPTION);
      usable.push(label);
    } catch (error) {
      warnings.push(labelWarning([label], error));
    }
  }
  if (usable.length === 0) return { added: [], warnings };
  try {
    await gh.addLabels(number, usable);
    return { added: usable, warnings };
  } catch (error) {
    return { added: [], warnings: [...warnings, labelWarning(usable, error)] };
  }
}

async function openPull(gh: GitHub, plan: Plan, warn: (w: string) => void): Promise<PullRequest> {
  const input = { head: plan.branch, base: plan.base, title: plan.title, body: plan.body, draft: plan.draft };
  try {
    return await gh.createPull(input);
  } catch (error) {
    if (!(plan.draft && error instanceof GitHubApiError && error.draftUnsupported)) throw error;
    warn('this repository\'s plan has no draft pull requests; opened it as a normal pull request instead.');
    return gh.createPull({ ...input, draft: false });
  }
}

async function syncPull(gh: GitHub, plan: Plan, progress: (l: string) => void): Promise<{ pr: PullRequest; action: Action; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    progress(`warning: ${w}`);
  };
  let existing = await gh.findOpenPullByHead(plan.branch);
  let created: PullRequest | undefined;
  if (!existing) {
    try {
      progress(`Opening a pull request for ${plan.branch} into ${plan.base}`);
      created = await openPull(gh, plan, warn);
    } catch (error) {
      if (!(error instanceof GitHubApiError && error.alreadyExists)) throw error;
      progress('GitHub says a pull request for this branch already exists; updating it instead.');
      existing = await gh.findOpenPullByHead(plan.branch);
      if (!existing) throw error;
    }
  }
  if (created) {
    const labelled = await labelPull(gh, created.number, plan.labels, created.labels);
    labelled.warnings.forEach(warn);
    return { pr: { ...created, labels: [...created.labels, ...labelled.added] }, action: 'created', warnings };
  }
  const pr = existing as PullRequest;
  const patch: { title?: string; body?: string; base?: string } = {};
  if (pr.title !== plan.title) patch.title = plan.title;
  if (!sameText(pr.body, plan.body)) patch.body = plan.body;
  if (pr.base !== plan.base) patch.base = plan.base;
  let updated = pr;
  if (Object.keys(patch).length > 0) {
    progress(`Updating pull request #${pr.number} (${Object.keys(patch).join(', ')})`);
    updated = await gh.updatePull(pr.number, patch);
  }
  if (plan.draft && !pr.draft) {
    warn(`pull request #${pr.number} is already open and not a draft; GitHub's REST API cannot make it one: use "Convert to draft" on its page.`);
  }
  const labelled = await labelPull(gh, pr.number, plan.labels, pr.labels);
  labelled.warnings.forEach(warn);
  const changed = Object.keys(patch).length > 0 || labelled.added.length > 0;
  return { pr: { ...updated, labels: [...updated.labels, ...labelled.added] }, action: changed ? 'updated' : 'unchanged', warnings };
}

const WORKFLOWS = '.github/workflows';

/**
 * Moves the promotion branch onto a base whose workflow files changed, without the `workflows` permission:
 * GitHub refuses to move a branch when the files under .github/workflows differ between its old and new tip
 * (for a token without that permission, which GITHUB_TOKEN never has), but creating a branch whose new commit
 * changes only pointer files is allowed. So the old pull request is closed, the branch deleted and created
 * again from the new base; the caller opens a new pull request. If the new branch cannot be pushed, the old
 * tip and pull request are put back.
 */
async function recreateBranch(root: string, gh: GitHub, branch: string, commit: string, oldTip: string, progress: (l: string) => void): Promise<PullRequest | undefined> {
  progress(`The base's files under ${WORKFLOWS} changed since ${branch} was pushed; recreating the branch instead of moving it (no \`workflows\` permission needed).`);
  const old = await gh.findOpenPullByHead(branch);
  if (old) await gh.updatePull(old.number, { state: 'closed' });
  try {
    await deleteRemoteBranch(root, 'origin', branch, oldTip);
    await pushWithLease(root, 'origin', commit, branch, undefined);
  } catch (error) {
    await pushWithLease(root, 'origin', oldTip, branch, undefined).catch(() => undefined);
    if (old) await gh.updatePull(old.number, { state: 'open' }).catch(() => undefined);
    throw error;
  }
  return old;
}

/** Tells the closed pull request which one replaces it; a failure to comment is a warning. */
async function noteReplaced(gh: GitHub, old: PullRequest, pr: PullRequest, progress: (l: string) => void): Promise<string[]> {
  const warning = `pull request #${old.number} was closed and replaced by #${pr.number}: the branch was recreated from the new base, whose workflow files changed.`;
  progress(`warning: ${warning}`);
  try {
    await gh.upsertComment(old.number, `<!-- mesh-workshop:replaced -->\nReplaced by #${pr.number}: the base branch's workflow files changed, so \`${pr.head}\` was recreated from the new base rather than moved (moving it would need the \`workflows\` permission).`, '<!-- mesh-workshop:replaced -->');
  } catch (error) {
    return [warning, `could not comment on #${old.number}: ${(error as Error).message}`];
  }
  return [warning];
}

/** The whole promotion. Throws ToolkitErrors with hints; the worktree is gone whenever this returns or throws. */
export async function promote(req: PromoteRequest): Promise<PromoteResult> {
  const { progress, env, mode } = req;
  const labels = labelsFor(req.labels);
  if (req.base !== undefined) checkBranchName(req.base, '--base branch');
  if (req.exerciseId === undefined && !req.next) throw new UsageError('Which exercise? Give an exercise id or --next.', 'Run `npm run exercises` to list them.');
  if (req.exerciseId !== undefined && req.exerciseId.trim() === '') throw new UsageError('The exercise id is empty.', 'Run `npm run exercises` to list them.');
  const token = tokenFrom(env);
  if (mode === 'run' && !token) {
    throw new ToolkitError('No GitHub token: a promotion opens a pull request, which needs one.', {
      hint: 'Set GITHUB_TOKEN (or GH_TOKEN) to a token with contents:write and pull-requests:write; '
        + 'or use --dry-run to only print the plan; or use --local to commit on a local branch and push it yourself.',
      exitCode: 2,
    });
  }
  if (!(await isGitRepo(req.root))) {
    throw new ToolkitError(`${req.root} is not a git repository.`, { hint: 'Run the command inside a clone of the workshop repository.' });
  }
  if (!(await remoteUrl(req.root, 'origin'))) {
    throw new ToolkitError('The repository has no `origin` remote to promote from.', { hint: 'Add it with `git remote add origin <url>`.' });
  }

  const gh = mode === 'run' ? await gitHubFromEnv({ root: req.root, env, log: progress, overrides: req.github }) : undefined;
  // Asking the API first also checks the token and repository before anything is pushed (401/404 fail here).
  let base: string | undefined;
  let baseCommit: string | undefined;
  if (mode === 'dry-run') {
    // A dry run writes nothing, so offline it may plan from the last fetch, with git's reason as a warning.
    const ref = await resolveBase(req.root, req.base, (line) => progress(`warning: ${line}`));
    base = ref.base;
    baseCommit = ref.commit;
  } else {
    base = req.base ?? (gh ? await gh.getDefaultBranch() : await remoteDefaultBranch(req.root, 'origin'));
    if (!base) throw new ToolkitError('Cannot tell the default branch of origin.', { hint: 'Pass --base <branch>.' });
    checkBranchName(base, 'base branch');
    progress(`Fetching origin/${base}`);
    baseCommit = await fetchBranch(req.root, 'origin', base);
    if (!baseCommit) throw new NotFoundError(`origin has no branch "${base}".`, 'Pass --base with an existing branch.');
  }
  const baseName = base;

  return withWorktree(req.root, baseCommit, async (wt) => {
    const [exercises, { clusters: readable, broken }] = await Promise.all([loadExercises(wt), scanClusters(wt)]);
    const selected = selectClusters(readable, req.clusters, req.allClusters, broken);
    // Unselected clusters with a broken pointer do not block this promotion, but someone should know.
    for (const b of broken) progress(`warning: skipping cluster ${b.name}: ${b.error.message}`);
    const exercise = chooseExercise(exercises, { id: req.exerciseId, next: req.next }, selected);
    const clusterNames = selected.map((c) => c.name);
    const draft = await planInWorktree(wt, { exercise, clusters: selected, allClusters: req.allClusters, base: baseName, baseCommit, labels, draft: req.draft });
    const moved = movedClusters(draft).map((c) => c.name);
    const summary = { exercise: exercise.id, clusters: clusterNames, moved, branch: draft.branch };
    if (draft.noop) {
      progress(`${clusterNames.join(', ')} already point${clusterNames.length === 1 ? 's' : ''} at ${exercise.id} on ${baseName}; nothing to do.`);
      return { ...summary, action: 'noop', pushed: false, warnings: [] };
    }
    const already = unchangedClusters(draft).map((c) => c.name);
    if (already.length > 0) progress(`${already.join(', ')} already point${already.length === 1 ? 's' : ''} at ${exercise.id}; not moving ${already.length === 1 ? 'it' : 'them'}.`);
    // Fail before validating when --local could not write its branch anyway.
    if (mode === 'local') await checkLocalBranch(req.root, draft.branch, baseCommit, req.force ?? false);

    progress(`Validating ${moved.map((c) => `clusters/${c}/exercise`).join(', ')}`);
    const gate = await runGate(wt, moved);
    for (const f of gate.findings.filter((x) => !x.silenced)) progress(formatFinding(f));
    const plan = finishPlan(draft, gate);
    if (gate.errors > 0) {
      throw new ValidationFailedError(`Validation found ${gate.errors} error(s) after moving ${moved.join(', ')} to ${exercise.id}; nothing was committed or pushed.`,
        `Fix the findings (listed above, and in \`findings\` of the JSON output) in exercises/${exercise.id}, then run the promotion again.`, gate.findings);
    }
    if (mode === 'dry-run') return { ...summary, action: 'dry-run', pushed: false, plan, gate, warnings: [] };

    const commit = await commitFiles(wt, movedClusters(plan).map((c) => c.file), commitMessage(plan), env);
    if (mode === 'local') {
      // Checked again just before writing: the user may have switched branches while validation ran.
      await checkLocalBranch(req.root, plan.branch, baseCommit, req.force ?? false);
      // Run twice, --local keeps the commit it made the first time when it holds the same change on the same base.
      const tip = await revParse(req.root, `refs/heads/${plan.branch}`);
      if (tip && (await sameChange(req.root, tip, commit, baseCommit))) {
        progress(`Local branch ${plan.branch} already has this change; not moving it.`);
        return { ...summary, action: 'local', pushed: false, commit: tip, plan, gate, warnings: [] };
      }
      await setBranch(req.root, plan.branch, commit);
      return { ...summary, action: 'local', pushed: false, commit, plan, gate, warnings: [] };
    }

    const github = gh as GitHub;
    const remoteSha = await fetchBranch(req.root, 'origin', plan.branch);
    let pushed = false;
    let head = commit;
    let replaced: PullRequest | undefined;
    if (remoteSha && (await sameChange(req.root, remoteSha, commit, baseCommit))) {
      progress(`origin/${plan.branch} already has this change; not pushing.`);
      head = remoteSha;
    } else if (remoteSha && (await changedFiles(req.root, remoteSha, commit, WORKFLOWS)).length > 0) {
      replaced = await recreateBranch(req.root, github, plan.branch, commit, remoteSha, progress);
      pushed = true;
    } else {
      progress(`Pushing ${plan.branch}`);
      await pushWithLease(req.root, 'origin', commit, plan.branch, remoteSha);
      pushed = true;
    }
    try {
      const { pr, action, warnings } = await syncPull(github, plan, progress);
      if (replaced) warnings.push(...(await noteReplaced(github, replaced, pr, progress)));
      return { ...summary, action, url: pr.url, number: pr.number, commit: head, pushed, plan, gate, warnings };
    } catch (error) {
      throw new PromotionIncompleteError(plan.branch, error, pushed);
    }
  });
}
