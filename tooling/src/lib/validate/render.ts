// Stage 2 of validate, render: the text of each target. A kustomization is rendered with the real kustomize
// through the process's renderer (render/index.ts: each distinct input once, from the render cache when
// unchanged, each build bounded); a failed build becomes a `render` finding naming the file to fix; a file
// is read; stdin is given.
import { sep } from 'node:path';
import type { Finding } from '../findings.ts';
import type * as Render from '../render/index.ts';
import { readText } from '../read-text.ts';
import { display, readKustomization, type Target } from './discover.ts';
import { explainRenderError } from './render-errors.ts';

export interface Rendered {
  target: Target;
  /** Undefined when the target could not be rendered or read; `findings` says why. */
  text?: string;
  findings: Finding[];
}

// A run over plain files never needs the process and render modules.
let renderModule: Promise<typeof Render> | undefined;
const loadRender = () => (renderModule ??= import('../render/index.ts'));

/** Starts this validate run's renders with `renderer`, or the process's shared one. */
export async function startRenders(renderer?: Render.Renderer): ReturnType<typeof Render.startRenders> {
  return (await loadRender()).startRenders(renderer);
}

function renderFailure(root: string, target: Target, error: string, limitHint: string | undefined): Finding {
  // kustomize names files by absolute path; the repository-relative form is what the user can open.
  const relativize = (text: string) => text.split(`${root}${sep}`).join('').split(root).join('.');
  const problem = limitHint ? undefined : explainRenderError(error, target.abs, readKustomization);
  return problem
    ? {
        rule: 'render',
        severity: 'error',
        file: display(root, problem.file),
        ...(problem.line !== undefined ? { line: problem.line } : {}),
        message: `kustomize build failed: ${relativize(problem.message)}`,
        hint: `${relativize(problem.hint)} Then run \`npm run validate -- ${target.source}\` again to check.`,
      }
    : {
        rule: 'render',
        severity: 'error',
        file: target.source,
        message: `kustomize build failed: ${relativize(error)}`,
        hint: limitHint ?? `Fix ${target.source}/kustomization.yaml or the file it names, then run \`npm run validate -- ${target.source}\` again to check.`,
      };
}

/** validate's `render` finding for a failed build of the kustomization folder `abs` (for `npm run render`, too). */
export async function failedBuildFinding(root: string, abs: string, result: { error: string; limit?: 'time' | 'memory' }): Promise<Finding> {
  const target: Target = { source: display(root, abs), kind: 'kustomization', abs };
  const hint = result.limit ? (await loadRender()).limitHint(result.limit, target.source) : undefined;
  return renderFailure(root, target, result.error, hint);
}

/** The text of one target; never throws for bad input. */
export async function render(root: string, target: Target, stdin: string | undefined, renders?: Render.RenderRun): Promise<Rendered> {
  if (target.kind === 'kustomization') {
    const result = await (renders ?? (await loadRender()).renderer()).render(target.abs);
    if (result.ok) return { target, text: result.yaml, findings: [] };
    return { target, findings: [await failedBuildFinding(root, target.abs, result)] };
  }
  if (target.kind === 'stdin') return { target, text: stdin ?? '', findings: [] };
  try {
    return { target, text: await readText(target.abs), findings: [] };
  } catch (error) {
    return {
      target,
      findings: [{ rule: 'io', severity: 'error', file: target.source, message: `Cannot read "${target.source}": ${(error as Error).message}.`, hint: 'Check the path and its permissions.' }],
    };
  }
}
