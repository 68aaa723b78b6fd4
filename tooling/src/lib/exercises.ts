// The exercise catalog: every `exercises/<id>/exercise.yaml`, validated and sorted by `order`.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { NotFoundError, ToolkitError } from './errors.ts';
import { checkFile, fileProblemsError } from './file-check.ts';
import { didYouMean } from './suggest.ts';
import { perRun, type AnalyzerContext } from './validate/types.ts';

export type Outcome =
  | 'no-stars'
  | 'black-stars'
  | 'red-stars'
  | 'ratings-unavailable'
  | 'reviews-error'
  | 'details-error'
  | 'page-error';

export const OUTCOMES: readonly Outcome[] = [
  'no-stars',
  'black-stars',
  'red-stars',
  'ratings-unavailable',
  'reviews-error',
  'details-error',
  'page-error',
];

export interface ExpectedOutcome {
  outcome: Outcome;
  probability: number;
  /** Page latency bound in milliseconds, where the step is about time. */
  latencyMs?: { min?: number; max?: number };
}

export interface UserExpectation {
  /** A user name sent as the `end-user` header, or `anonymous` for a request without one. */
  user: string;
  outcomes: ExpectedOutcome[];
}

export interface Exercise {
  id: string;
  title: string;
  /** The seed workshop's section, e.g. "3.1" or "4". */
  section: string;
  order: number;
  summary: string;
  afterMerge: { do: string[]; observe: string[] };
  expect: UserExpectation[];
  /** Repository-relative directory, `exercises/<id>`. */
  dir: string;
}

/** Exercise ids double as directory and branch names, so they are restricted to a safe alphabet. */
export const EXERCISE_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function fail(file: string, message: string): never {
  throw new ToolkitError(`${file}: ${message}`, { hint: 'Fix exercise.yaml; see an existing exercise for the shape.' });
}

/** exercise.yaml as its schema (file-schemas.ts) admits it. */
interface RawExercise {
  id: string;
  title: string;
  section: string | number;
  order: number;
  summary: string;
  afterMerge: { do: string[]; observe: string[] };
  expect: { user: string; outcomes: ExpectedOutcome[] }[];
}

/**
 * Validates one parsed exercise.yaml against its schema (every problem, with lines when `text` is given) and
 * builds the Exercise. `dirName` is the folder it lives in, which must equal its id.
 */
export function parseExercise(raw: unknown, dirName: string, file: string, text?: string): Exercise {
  const problems = checkFile('exercise', raw, text);
  if (problems.length > 0) throw fileProblemsError(file, problems);
  const r = raw as RawExercise;
  if (r.id !== dirName) fail(file, `\`id: ${r.id}\` does not match its directory "${dirName}".`);
  return {
    id: r.id,
    title: r.title.trim(),
    section: String(r.section),
    order: r.order,
    summary: r.summary.trim(),
    afterMerge: { do: r.afterMerge.do, observe: r.afterMerge.observe },
    expect: r.expect.map((e) => ({
      user: e.user,
      outcomes: e.outcomes.map((o) => ({ outcome: o.outcome, probability: o.probability, ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}) })),
    })),
    dir: `exercises/${dirName}`,
  };
}

/** What discovering the catalog found besides the exercises: the problems validate reports with their fix. */
export interface CatalogScan {
  /** Every readable exercise, in workshop order (by `order`, then id). */
  exercises: Exercise[];
  /** Folders under exercises/ without an exercise.yaml: invisible to every command until they have one. */
  withoutMetadata: string[];
  /** Positions taken by more than one exercise, with their ids (sorted). */
  duplicateOrders: { order: number; ids: string[] }[];
}

/** Reads the catalog and reports folders without metadata and shared positions instead of failing on them. */
export async function scanExercises(root: string): Promise<CatalogScan> {
  const base = join(root, 'exercises');
  const entries = (await readdir(base, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const exercises: Exercise[] = [];
  const withoutMetadata: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const file = join(base, entry.name, 'exercise.yaml');
    if (!existsSync(file)) {
      withoutMetadata.push(entry.name);
      continue;
    }
    const text = await readFile(file, 'utf8');
    let raw: unknown;
    try {
      raw = yaml.load(text);
    } catch (error) {
      throw new ToolkitError(`exercises/${entry.name}/exercise.yaml: ${(error as Error).message}`, { hint: 'Fix the YAML syntax.' });
    }
    exercises.push(parseExercise(raw, entry.name, `exercises/${entry.name}/exercise.yaml`, text));
  }
  exercises.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  // `--next` and the README table rely on one exercise per position; validate reports a shared one.
  const byOrder = new Map<number, string[]>();
  for (const e of exercises) byOrder.set(e.order, [...(byOrder.get(e.order) ?? []), e.id]);
  const duplicateOrders = [...byOrder].filter(([, ids]) => ids.length > 1).map(([order, ids]) => ({ order, ids }));
  return { exercises, withoutMetadata, duplicateOrders };
}

/** The next position after every exercise's `order`. */
export function nextFreeOrder(exercises: readonly Exercise[]): number {
  return Math.max(0, ...exercises.map((e) => e.order)) + 1;
}

/**
 * Every exercise under `<root>/exercises`, in workshop order. Folders without exercise.yaml and shared
 * `order` values do not stop it (scanExercises reports them, and validate turns them into findings).
 */
export async function loadExercises(root: string): Promise<Exercise[]> {
  return (await scanExercises(root)).exercises;
}

/** scanExercises once per validate run, for every analyzer and unit that asks (see perRun). */
export function scanExercisesPerRun(ctx: AnalyzerContext): Promise<CatalogScan> {
  return perRun(ctx, 'exercise-scan', () => scanExercises(ctx.root));
}

/** The exercise with that id, or a NotFoundError that suggests the closest id. */
export function findExercise(exercises: readonly Exercise[], id: string): Exercise {
  const found = exercises.find((e) => e.id === id);
  if (found) return found;
  const shown = EXERCISE_ID.test(id) ? `"${id}"` : JSON.stringify(id);
  throw new NotFoundError(
    `Unknown exercise ${shown}.${didYouMean(id, exercises.map((e) => e.id))}`,
    'Run `npm run exercises` to list them.',
  );
}
