// `npm run exercise -- new <id>`: the plan for a new exercise folder, started from an existing exercise (its
// manifests, and its `expect:`, which the simulator will hold the copy to), at the next free position or right
// after another exercise (renumbering the ones behind it). A plan is a list of file writes.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ToolkitError, UsageError } from '../errors.ts';
import { EXERCISE_ID, findExercise, nextFreeOrder, scanExercises, type Exercise } from '../exercises.ts';
import { rewriteOrder } from '../rewriters/order.ts';

export interface FileWrite {
  path: string;
  text: string;
  /** True for a file that exists and is rewritten (renumbered), false for a new one. */
  existing: boolean;
}

export interface ScaffoldOptions {
  id: string;
  from?: string;
  after?: string;
  title?: string;
  section?: string;
}

export interface ScaffoldPlan {
  id: string;
  from: string;
  order: number;
  writes: FileWrite[];
}

const humanize = (id: string) => id.split('-').join(' ').replace(/^./, (c) => c.toUpperCase());

function exerciseYaml(e: Omit<Exercise, 'dir'>, from: Exercise): string {
  const body = yaml.dump({
    id: e.id,
    title: e.title,
    section: e.section,
    order: e.order,
    summary: e.summary,
    afterMerge: e.afterMerge,
    expect: e.expect,
  }, { lineWidth: -1, quotingType: '"' });
  return `# Metadata for exercise ${e.id}, started from ${from.id}: read by \`npm run exercises\`, the README table and the
# traffic simulator. Change the title, summary, afterMerge and expect to what this step is about, then run
# \`npm run validate -- exercises/${e.id}\` and \`npm run catalog -- write\`.
${body}`;
}

/** The source kustomization with its leading comment replaced by one that names the new exercise. */
function kustomizationText(text: string, id: string, from: string): string {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i] as string).startsWith('#')) i++;
  return [`# Exercise ${id}, started from exercises/${from}: change the resources below to what this step runs.`, ...lines.slice(i)].join('\n');
}

export async function planScaffold(root: string, o: ScaffoldOptions): Promise<ScaffoldPlan> {
  if (!EXERCISE_ID.test(o.id)) throw new UsageError(`Invalid exercise id ${JSON.stringify(o.id)}.`, 'Use lowercase letters, digits and dashes (at most 63); the id is also the folder and branch name.');
  if (existsSync(join(root, 'exercises', o.id))) throw new ToolkitError(`exercises/${o.id} already exists.`, { hint: 'Pick another id.' });
  for (const [option, value] of [['--title', o.title], ['--section', o.section]] as const) {
    if (value !== undefined && (value.trim() === '' || /[\r\n]/.test(value) || value.length > 200)) throw new UsageError(`${option} must be one line of text (at most 200 characters).`);
  }
  const { exercises } = await scanExercises(root);
  const first = exercises[0];
  if (!first) throw new ToolkitError('There is no exercise to start from.', { hint: 'Write exercises/<id>/ by hand first (kustomization.yaml and exercise.yaml).' });
  const from = o.from === undefined ? first : findExercise(exercises, o.from);
  const after = o.after === undefined ? undefined : findExercise(exercises, o.after);

  const writes: FileWrite[] = [];
  let order = nextFreeOrder(exercises);
  if (after) {
    order = after.order + 1;
    if (exercises.some((e) => e.order === order)) {
      // Make room: every exercise from that position on moves one place back, keeping their relative order.
      for (const e of exercises.filter((x) => x.order >= order)) {
        const path = `${e.dir}/exercise.yaml`;
        writes.push({ path, text: rewriteOrder(await readFile(join(root, path), 'utf8'), path, e.order + 1), existing: true });
      }
    }
  }

  const dir = `exercises/${o.id}`;
  const entries = (await readdir(join(root, from.dir), { withFileTypes: true })).filter((e) => e.isFile()).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name === 'exercise.yaml') continue;
    const text = await readFile(join(root, from.dir, entry.name), 'utf8');
    writes.push({ path: `${dir}/${entry.name}`, text: entry.name === 'kustomization.yaml' ? kustomizationText(text, o.id, from.id) : text, existing: false });
  }
  const meta = {
    id: o.id,
    title: o.title?.trim() ?? humanize(o.id),
    section: o.section?.trim() ?? after?.section ?? from.section,
    order,
    summary: `Started as a copy of ${from.id}. TODO: one sentence on what ${o.id} changes.`,
    afterMerge: from.afterMerge,
    expect: from.expect,
  };
  writes.push({ path: `${dir}/exercise.yaml`, text: exerciseYaml(meta, from), existing: false });
  return { id: o.id, from: from.id, order, writes };
}
