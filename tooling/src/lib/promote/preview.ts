// What a plan does to the rendered clusters: the kustomize output of each moving cluster before and after its
// pointer changes, the resources that change, and what the simulator predicts users will see. Reads a
// checkout of the base (the promotion's temporary worktree) through the shared renderer, so the validation
// gate and the PR body reuse these renders; writes nothing.
import { dirname, join } from 'node:path';
import { parseManifests, resourceRef } from '../manifests.ts';
import type { RenderResult } from '../kustomize.ts';
import { render } from '../render/index.ts';
import { loadCallGraph, simulate, simulateMarkdown } from '../simulate/index.ts';
import { unifiedDiff } from './diff.ts';
import { movedClusters, type ClusterChange, type PlanDraft, type ResourceChanges } from './plan.ts';

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v);
}

/** Resources added, changed and removed between two renders, compared by `Kind namespace/name`. */
export function resourceChanges(before: string, after: string): ResourceChanges {
  const index = (text: string) => {
    const map = new Map<string, string>();
    for (const r of parseManifests(text, 'render').resources) map.set(resourceRef(r.object), canonical(r.object));
    return map;
  };
  const a = index(before);
  const b = index(after);
  const sort = (xs: string[]) => xs.sort((x, y) => x.localeCompare(y));
  return {
    added: sort([...b.keys()].filter((k) => !a.has(k))),
    changed: sort([...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k))),
    removed: sort([...a.keys()].filter((k) => !b.has(k))),
  };
}

const exerciseDir = (root: string, change: ClusterChange) => join(root, dirname(change.file));

/** Renders each moving cluster's exercise folder as `root` holds it now, by cluster name. */
export async function renderMoving(root: string, plan: Pick<PlanDraft, 'clusters'>): Promise<Map<string, RenderResult>> {
  const out = new Map<string, RenderResult>();
  for (const change of movedClusters(plan)) out.set(change.name, await render(exerciseDir(root, change)));
  return out;
}

/**
 * The plan with renders, resource changes, rendered diff and prediction filled in for each moving cluster.
 * `before` are the renders from before the plan's files were written into `root`; `root` now holds them.
 * A failed render is recorded for the validation gate, never thrown.
 */
export async function previewPlan(root: string, draft: PlanDraft, before: ReadonlyMap<string, RenderResult>): Promise<PlanDraft> {
  const after = await renderMoving(root, draft);
  const clusters: ClusterChange[] = [];
  for (const change of draft.clusters) {
    const was = before.get(change.name);
    const now = after.get(change.name);
    if (!was || !now) {
      clusters.push(change);
      continue;
    }
    const renderedBefore = was.ok ? was.yaml : undefined;
    const renderedAfter = now.ok ? now.yaml : undefined;
    const both = renderedBefore !== undefined && renderedAfter !== undefined;
    const next: ClusterChange = {
      ...change,
      resources: both ? resourceChanges(renderedBefore, renderedAfter) : { added: [], changed: [], removed: [] },
      renderedDiff: both ? unifiedDiff(renderedBefore, renderedAfter, `a/${change.name} (${change.before})`, `b/${change.name} (${change.after})`) : '',
    };
    if (renderedBefore !== undefined) next.renderedBefore = renderedBefore;
    if (renderedAfter !== undefined) next.renderedAfter = renderedAfter;
    if (!now.ok) next.renderError = now.error;
    if (renderedAfter !== undefined) next.prediction = await predict(root, change.name, renderedAfter);
    clusters.push(next);
  }
  return { ...draft, clusters };
}

/**
 * What the simulator predicts users will see once the move is synced, as Markdown for the PR body.
 * A repository without a call graph, or routing the model does not cover, gets a one-line note instead.
 */
async function predict(root: string, clusterName: string, rendered: string): Promise<string> {
  try {
    const graph = await loadCallGraph(root);
    const { resources } = parseManifests(rendered, `clusters/${clusterName}/exercise`);
    return simulateMarkdown(simulate(resources, graph, { target: clusterName }));
  } catch (error) {
    return `No traffic prediction: ${(error as Error).message}`;
  }
}
