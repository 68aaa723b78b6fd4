// A promotion plan, pure: from the exercise, the selected clusters and their pointer files' text, which
// clusters move, the new pointer text and its diff, the branch, title and labels. No file, git or network
// access here: preview.ts adds the renders and the traffic prediction, apply.ts writes, commits and pushes,
// and read-only commands (status, history) import neither.
import { findCluster, type BrokenCluster, type Cluster } from '../clusters.ts';
import { findExercise, EXERCISE_ID, type Exercise } from '../exercises.ts';
import { NotFoundError, ToolkitError, UsageError } from '../errors.ts';
import { rewritePointer } from '../rewriters/pointer.ts';
import { unifiedDiff } from './diff.ts';
import { oneLine } from '../markdown.ts';


export const PROMOTION_LABEL = 'promotion';
/** GitHub label names: up to 50 characters; no control characters or commas (the CLI splits nothing on them). */
export const LABEL_NAME = /^[^\p{Cc},]{1,50}$/u;

export interface ResourceChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface ClusterChange {
  name: string;
  /** Repository-relative pointer file. */
  file: string;
  before: string;
  after: string;
  oldText: string;
  newText: string;
  /** Unified diff of the pointer file. */
  diff: string;
  /** kustomize output before and after; undefined when that build failed (the gate reports why). */
  renderedBefore?: string;
  renderedAfter?: string;
  renderError?: string;
  /** Markdown from the simulator: route graph and per-user outcomes of the rendered state after the move. */
  prediction?: string;
  resources: ResourceChanges;
  /** Unified diff of the rendered output. */
  renderedDiff: string;
}

export interface PlanDraft {
  exercise: Exercise;
  clusters: ClusterChange[];
  allClusters: boolean;
  branch: string;
  title: string;
  labels: string[];
  draft: boolean;
  base: string;
  /** The base commit the plan was built on. */
  baseCommit: string;
  /** True when every selected cluster already points at the exercise. */
  noop: boolean;
}

export interface Plan extends PlanDraft {
  body: string;
}

function brokenError(broken: readonly BrokenCluster[]): ToolkitError {
  const first = broken[0] as BrokenCluster;
  const others = broken.length > 1 ? ` (also unreadable: ${broken.slice(1).map((b) => b.name).join(', ')})` : '';
  const hint = first.error instanceof ToolkitError && first.error.hint ? first.error.hint : `Fix ${first.pointerFile}.`;
  return new ToolkitError(`Cluster ${first.name} cannot be promoted: ${first.error.message}${others}`, { hint, cause: first.error });
}

/**
 * The clusters a run moves: --all-clusters, the --cluster names, the only cluster, or `workshop`.
 * Only the selected clusters' pointers must be readable: a broken pointer elsewhere does not block a
 * promotion (the caller reports it as a warning), but selecting a broken cluster is an error naming it.
 */
export function selectClusters(all: readonly Cluster[], names: readonly string[], allClusters: boolean, broken: readonly BrokenCluster[] = []): Cluster[] {
  const brokenNamed = (name: string) => broken.filter((b) => b.name === name);
  if (all.length === 0 && broken.length === 0) {
    throw new NotFoundError('No clusters found: there is no clusters/<name>/exercise/kustomization.yaml on the base branch.',
      'Check --base, or add a cluster folder with an exercise pointer.');
  }
  if (allClusters) {
    if (names.length > 0) throw new UsageError('Use either --cluster or --all-clusters, not both.');
    if (broken.length > 0) throw brokenError(broken);
    return [...all];
  }
  if (names.length > 0) {
    const picked: Cluster[] = [];
    for (const name of names) {
      if (brokenNamed(name).length > 0) throw brokenError(brokenNamed(name));
      const c = findCluster(all, name);
      if (!picked.includes(c)) picked.push(c);
    }
    return picked;
  }
  const every = [...all.map((c) => c.name), ...broken.map((b) => b.name)].sort();
  const fallback = every.length === 1 ? every[0] as string : every.includes('workshop') ? 'workshop' : undefined;
  if (fallback !== undefined) {
    if (brokenNamed(fallback).length > 0) throw brokenError(brokenNamed(fallback));
    return [findCluster(all, fallback)];
  }
  throw new UsageError(`There are ${every.length} clusters (${every.join(', ')}); say which one.`,
    'Pass --cluster <name> (repeatable) or --all-clusters.');
}

/** The exercise named by id, or with --next the one after the exercise the selected clusters point at. */
export function chooseExercise(exercises: readonly Exercise[], selection: { id?: string; next?: boolean }, clusters: readonly Cluster[]): Exercise {
  if (selection.id !== undefined && selection.next) throw new UsageError('Give an exercise id or --next, not both.');
  if (selection.id !== undefined) return findExercise(exercises, selection.id);
  if (!selection.next) throw new UsageError('Which exercise? Give an exercise id or --next.', 'Run `npm run exercises` to list them.');
  const current = [...new Set(clusters.map((c) => c.exerciseId))];
  if (current.length !== 1) {
    throw new UsageError(`--next is ambiguous: the clusters point at different exercises (${clusters.map((c) => `${c.name}: ${c.exerciseId}`).join(', ')}).`,
      'Promote each cluster with --cluster, or name the exercise.');
  }
  const index = exercises.findIndex((e) => e.id === current[0]);
  if (index < 0) {
    throw new NotFoundError(`--next: the cluster points at "${current[0]}", which is not in the exercise catalog.`, 'Name the exercise to promote instead.');
  }
  const next = exercises[index + 1];
  if (!next) {
    throw new ToolkitError(`--next: "${current[0]}" is the last exercise; there is nothing after it.`,
      { hint: 'Name an exercise to promote, e.g. the first one, to start over.' });
  }
  return next;
}

export function branchFor(clusters: readonly Cluster[], allClusters: boolean, exerciseId: string): string {
  const scope = allClusters ? 'all' : clusters.map((c) => c.name).join('+');
  return `promote/${scope}/${exerciseId}`;
}


/** What a promotion branch's name says, branchFor read back: the clusters it names (or all) and the exercise. */
export function parsePromotionBranch(head: string): { scope: 'all' | string[]; exercise: string } | undefined {
  const m = /^promote\/([^/]+)\/([^/]+)$/.exec(head);
  if (!m) return undefined;
  return { scope: m[1] === 'all' ? 'all' : (m[1] as string).split('+'), exercise: m[2] as string };
}

/** GitHub refuses a longer pull request title with 422 "title is too long (maximum is 256 characters)". */
export const TITLE_LIMIT = 256;

export function titleFor(clusters: readonly Cluster[], allClusters: boolean, exercise: Exercise): string {
  const scope = allClusters ? 'all' : clusters.map((c) => c.name).join(', ');
  const title = `promote(${scope}): ${exercise.id} (${oneLine(exercise.section)} ${oneLine(exercise.title)})`;
  const chars = Array.from(title);
  return chars.length <= TITLE_LIMIT ? title : `${chars.slice(0, TITLE_LIMIT - 2).join('')}…)`;
}

/** Labels for the PR: `promotion` first, then the user's, without duplicates. Names are untrusted input. */
export function labelsFor(extra: readonly string[]): string[] {
  for (const label of extra) {
    if (!LABEL_NAME.test(label) || label.trim() !== label) {
      throw new UsageError(`Invalid label ${JSON.stringify(label)}.`, 'Labels are 1-50 characters, without control characters, commas or surrounding spaces.');
    }
  }
  return [...new Set([PROMOTION_LABEL, ...extra])];
}

export interface PlanInput {
  /** The text of each selected cluster's pointer file on the base commit, by repository-relative path. */
  pointers: ReadonlyMap<string, string>;
  exercise: Exercise;
  clusters: readonly Cluster[];
  allClusters: boolean;
  base: string;
  baseCommit: string;
  labels: readonly string[];
  draft: boolean;
}

/** The clusters whose pointer this plan changes; the others of the selection already point at the exercise. */
export function movedClusters(plan: Pick<PlanDraft, 'clusters'>): ClusterChange[] {
  return plan.clusters.filter((c) => c.before !== c.after);
}

/** The selected clusters that already point at the exercise. */
export function unchangedClusters(plan: Pick<PlanDraft, 'clusters'>): ClusterChange[] {
  return plan.clusters.filter((c) => c.before === c.after);
}

/**
 * The plan for moving the selected clusters to the exercise: each pointer rewritten in memory, with its diff.
 * A pointer that is missing from `pointers` or cannot be rewritten throws (never a silent no-op).
 */
export function planPromotion(input: PlanInput): PlanDraft {
  const { exercise, clusters } = input;
  if (!EXERCISE_ID.test(exercise.id)) throw new ToolkitError(`Invalid exercise id ${JSON.stringify(exercise.id)}.`);
  const changes: ClusterChange[] = clusters.map((cluster) => {
    const file = cluster.pointerFile;
    const oldText = input.pointers.get(file);
    if (oldText === undefined) throw new NotFoundError(`Cluster ${cluster.name} has no pointer file ${file} on the base commit.`, `Add ${file}, or pick another cluster.`);
    const newText = rewritePointer(oldText, file, exercise.id);
    return {
      name: cluster.name, file, before: cluster.exerciseId, after: exercise.id, oldText, newText,
      // Already there (e.g. one of --all-clusters): nothing to render, validate or predict.
      diff: newText === oldText ? '' : unifiedDiff(oldText, newText, `a/${file}`, `b/${file}`),
      resources: { added: [], changed: [], removed: [] },
      renderedDiff: '',
    };
  });
  return {
    exercise,
    clusters: changes,
    allClusters: input.allClusters,
    branch: branchFor(clusters, input.allClusters, exercise.id),
    title: titleFor(clusters, input.allClusters, exercise),
    labels: labelsFor(input.labels),
    draft: input.draft,
    base: input.base,
    baseCommit: input.baseCommit,
    noop: changes.every((c) => c.before === c.after),
  };
}

/** The files a plan writes: the new pointer of each cluster that moves. */
export function fileUpdates(plan: Pick<PlanDraft, 'clusters'>): Array<{ path: string; text: string }> {
  return movedClusters(plan).map((c) => ({ path: c.file, text: c.newText }));
}
