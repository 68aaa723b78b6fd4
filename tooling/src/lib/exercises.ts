// The exercise catalog: every `exercises/<id>/exercise.yaml`, validated and sorted by `order`.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { NotFoundError, ToolkitError } from './errors.ts';
import { checkFile, fileProblemsError } from './file-check.ts';
import { didYouMean } from './suggest.ts';

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

/** Every exercise under `<root>/exercises`, in workshop order. */
export async function loadExercises(root: string): Promise<Exercise[]> {
  const base = join(root, 'exercises');
  const entries = await readdir(base, { withFileTypes: true });
  const exercises: Exercise[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = join(base, entry.name, 'exercise.yaml');
    if (!existsSync(file)) continue;
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
  // `--next` and the README table rely on one exercise per position.
  exercises.forEach((e, i) => {
    const prev = exercises[i - 1];
    if (prev && prev.order === e.order) {
      throw new ToolkitError(`exercises/${prev.id}/exercise.yaml and exercises/${e.id}/exercise.yaml both have \`order: ${e.order}\`.`, {
        hint: 'Give each exercise its own position in the workshop.',
      });
    }
  });
  return exercises;
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
