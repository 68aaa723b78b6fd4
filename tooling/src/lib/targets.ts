// A render target is an exercise id, a cluster name, or a path to a kustomization directory; each resolves
// to one directory that kustomize builds.
import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadExercises, type Exercise } from './exercises.ts';
import { loadClusters, type Cluster } from './clusters.ts';
import { NotFoundError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { render } from './render/index.ts';
import { kustomizationFile } from './render/inputs.ts';
import { display } from './validate/discover.ts';
import { ToolkitError } from './errors.ts';

export type Target =
  | { kind: 'exercise'; name: string; dir: string; exercise: Exercise }
  | { kind: 'cluster'; name: string; dir: string; cluster: Cluster; exercise: Exercise | undefined }
  | { kind: 'path'; name: string; dir: string };

/** A path rather than a name: it has a separator or starts with a dot (`exercises/fault-abort`, `.`, `./x`). */
export const looksLikePath = (arg: string) => arg.includes('/') || arg.includes(sep) || arg.startsWith('.');

/** The kustomization directory `name` names relative to `cwd`; a NotFoundError saying what is missing otherwise. */
function pathTarget(root: string, name: string, cwd: string): Target {
  const abs = resolve(cwd, name);
  const dir = relative(root, abs) === '' ? '.' : display(root, abs);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new NotFoundError(`No such directory: ${JSON.stringify(name)}.`, 'Give a kustomization directory (e.g. exercises/fault-abort), an exercise id or a cluster name.');
  }
  if (!isDir || !kustomizationFile(abs)) {
    throw new NotFoundError(`${dir} is not a kustomization directory (no kustomization.yaml in it).`, 'Give a directory with a kustomization.yaml; for plain manifest files use `npm run validate -- <file>`.');
  }
  return { kind: 'path', name: dir, dir };
}

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * `name` as an exercise id or cluster name; or, when it looks like a path or names no exercise or cluster but
 * a directory, the kustomization directory it names relative to `cwd` (where the user ran the command;
 * default the repository root), as validate accepts.
 */
export async function resolveTarget(root: string, name: string, cwd: string = root): Promise<Target> {
  if (looksLikePath(name)) return pathTarget(root, name, cwd);
  const [exercises, clusters] = await Promise.all([loadExercises(root), loadClusters(root)]);
  const exercise = exercises.find((e) => e.id === name);
  if (exercise) return { kind: 'exercise', name, dir: exercise.dir, exercise };
  const cluster = clusters.find((c) => c.name === name);
  if (cluster) {
    return {
      kind: 'cluster',
      name,
      dir: `${cluster.dir}/exercise`,
      cluster,
      exercise: exercises.find((e) => e.id === cluster.exerciseId),
    };
  }
  // `render -- base` from apps/bookinfo: a directory, though written without a slash.
  if (name !== '' && isDirectory(resolve(cwd, name))) return pathTarget(root, name, cwd);
  const all = [...exercises.map((e) => e.id), ...clusters.map((c) => c.name)];
  const shown = /^[a-z0-9-]{1,63}$/.test(name) ? `"${name}"` : JSON.stringify(name);
  throw new NotFoundError(
    `Unknown exercise or cluster ${shown}.${didYouMean(name, all)}`,
    'Run `npm run exercises` to list exercises and the clusters that point at them, or give a kustomization directory.',
  );
}

/**
 * Renders a target with the real kustomize binary. A failed build throws with validate's `render` finding: the
 * file and line kustomize complains about, repository-relative, with its fix (render-errors.ts translates it).
 */
export async function renderTarget(root: string, target: Target): Promise<string> {
  // Through the shared renderer: each distinct input once, from the render cache when unchanged, bounded.
  const abs = isAbsolute(target.dir) ? target.dir : join(root, target.dir);
  const result = await render(abs);
  if (result.ok) return result.yaml;
  // validate's translation of the same failure, from this build's error (no second build).
  const finding = await (await import('./validate/render.ts')).failedBuildFinding(root, abs, result);
  const where = `${finding.file ?? target.dir}${finding.line !== undefined ? `:${finding.line}` : ''}`;
  throw new ToolkitError(`${where}: ${finding.message}`, { hint: finding.hint });
}
