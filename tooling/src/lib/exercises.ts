// The exercise catalog: every `exercises/<id>/exercise.yaml`, validated and sorted by `order`.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { NotFoundError, ToolkitError } from './errors.ts';
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

function stringList(value: unknown, file: string, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(file, `\`${field}\` must be a list of strings.`);
  return value as string[];
}

/** Validates one parsed exercise.yaml. `dirName` is the folder it lives in, which must equal its id. */
export function parseExercise(raw: unknown, dirName: string, file: string): Exercise {
  if (!raw || typeof raw !== 'object') fail(file, 'expected a mapping.');
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || !EXERCISE_ID.test(r.id)) fail(file, '`id` must be lowercase letters, digits and dashes.');
  if (r.id !== dirName) fail(file, `\`id: ${r.id}\` does not match its directory "${dirName}".`);
  for (const field of ['title', 'summary'] as const) {
    if (typeof r[field] !== 'string' || (r[field] as string).trim() === '') fail(file, `\`${field}\` must be a non-empty string.`);
  }
  const section = typeof r.section === 'number' ? String(r.section) : r.section;
  if (typeof section !== 'string' || section === '') fail(file, '`section` must be the seed section, e.g. "3.1".');
  if (typeof r.order !== 'number' || !Number.isInteger(r.order)) fail(file, '`order` must be an integer.');
  const after = r.afterMerge as Record<string, unknown> | undefined;
  if (!after || typeof after !== 'object') fail(file, '`afterMerge` must have `do` and `observe` lists.');
  const expect = r.expect;
  if (!Array.isArray(expect)) fail(file, '`expect` must be a list of { user, outcomes }.');
  const expectations: UserExpectation[] = expect.map((e: unknown, i: number) => {
    const u = e as Record<string, unknown>;
    if (!u || typeof u.user !== 'string') fail(file, `\`expect[${i}].user\` must be a user name or "anonymous".`);
    if (!Array.isArray(u.outcomes)) fail(file, `\`expect[${i}].outcomes\` must be a list.`);
    const outcomes = (u.outcomes as unknown[]).map((o, j) => {
      const oc = o as Record<string, unknown>;
      if (!oc || !OUTCOMES.includes(oc.outcome as Outcome)) {
        fail(file, `\`expect[${i}].outcomes[${j}].outcome\` must be one of ${OUTCOMES.join(', ')}.`);
      }
      if (typeof oc.probability !== 'number' || oc.probability < 0 || oc.probability > 1) {
        fail(file, `\`expect[${i}].outcomes[${j}].probability\` must be a number from 0 to 1.`);
      }
      const out: ExpectedOutcome = { outcome: oc.outcome as Outcome, probability: oc.probability };
      if (oc.latencyMs !== undefined) out.latencyMs = oc.latencyMs as { min?: number; max?: number };
      return out;
    });
    return { user: u.user, outcomes };
  });
  return {
    id: r.id,
    title: (r.title as string).trim(),
    section,
    order: r.order,
    summary: (r.summary as string).trim(),
    afterMerge: { do: stringList(after.do, file, 'afterMerge.do'), observe: stringList(after.observe, file, 'afterMerge.observe') },
    expect: expectations,
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
    exercises.push(parseExercise(raw, entry.name, `exercises/${entry.name}/exercise.yaml`));
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
