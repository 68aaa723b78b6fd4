// Checks exercise.yaml and callgraph.yaml against their schemas (file-schemas.ts) with ajv in strict mode,
// and says what is wrong the way validate does: the field's JSON pointer, its line in the file, and a fix.
import { newAjv } from './ajv.ts';
import { ToolkitError } from './errors.ts';
import { OUTCOMES } from './exercises.ts';
import { callGraphSchema, exerciseSchema } from './file-schemas.ts';
import { DocumentOrigin } from './origin.ts';
import { closest } from './suggest.ts';
import { schemaProblems, valueAt } from './validate/messages.ts';
import { parseDuration } from './mesh/duration.ts';
import { escapePointer, type ErrorList } from './validate/strict.ts';

export type FileKind = 'exercise' | 'callgraph';

/** The rule id a problem of each file kind is reported under by validate. */
export const FILE_RULES: Record<FileKind, string> = { exercise: 'exercise-schema', callgraph: 'callgraph-schema' };

export interface FileProblem {
  pointer: string;
  line?: number;
  message: string;
  hint?: string;
}

type AjvError = ErrorList[number] & { parentSchema?: { properties?: Record<string, unknown> } };
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const compiled = new Map<FileKind, Validate>();

function validator(kind: FileKind): Validate {
  let v = compiled.get(kind);
  if (!v) {
    const ajv = newAjv<Validate>({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    v = ajv.compile(kind === 'exercise' ? exerciseSchema() : callGraphSchema());
    compiled.set(kind, v);
  }
  return v;
}

/** The schema's own words for what a person can fix: unknown fields with a did-you-mean, durations as ms. */
function explain(error: AjvError, data: unknown): AjvError {
  if (error.keyword === 'additionalProperties') {
    const extra = String(error.params.additionalProperty);
    const known = Object.keys(error.parentSchema?.properties ?? {});
    const guess = closest(extra, known);
    return {
      instancePath: `${error.instancePath}/${escapePointer(extra)}`,
      keyword: 'unknown',
      params: { hint: guess ? `Did you mean "${guess}"? Rename the field.` : `Remove the field; allowed here: ${known.join(', ')}.` },
      message: `unknown field "${extra}"; it would be ignored.`,
    };
  }
  const value = valueAt(data, error.instancePath);
  if (error.keyword === 'anyOf' && error.instancePath.endsWith('/shows')) {
    const guess = typeof value === 'string' ? closest(value, OUTCOMES) : undefined;
    return {
      ...error,
      params: { hint: guess ? `Did you mean "${guess}"?` : `Use one of ${OUTCOMES.join(', ')}, or \`from: <service it calls>\`.` },
      message: `"shows" is ${JSON.stringify(value)}: neither an outcome (${OUTCOMES.join(', ')}) nor \`{from: <service>}\`.`,
    };
  }
  if (error.keyword === 'type' && /\/latencyMs\/(min|max)$/.test(error.instancePath) && typeof value === 'string') {
    const ms = parseDuration(value.trim());
    const field = error.instancePath.slice(error.instancePath.lastIndexOf('/') + 1);
    if (ms !== undefined) {
      return { ...error, params: { hint: `Write milliseconds as a number: \`${field}: ${ms}\`.` }, message: `"${field}" is ${JSON.stringify(value)}; latencyMs takes a number of milliseconds.` };
    }
  }
  return error;
}

/** Every way `data` breaks its schema, with lines when the file's text is given. */
export function checkFile(kind: FileKind, data: unknown, text?: string): FileProblem[] {
  const validate = validator(kind);
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).map((e) => explain(e, data));
  // The field's line, else its deepest parent's written in the file (a missing field: the mapping it goes in).
  const origin = text === undefined ? undefined : new DocumentOrigin('', text, 1);
  return schemaProblems(errors, data).map((p) => {
    const line = origin?.at(p.pointer).line;
    return { pointer: p.pointer, ...(line !== undefined ? { line } : {}), message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
  });
}

/** One error for a file's problems: each on its own line as `file:line pointer: message`. */
export function fileProblemsError(file: string, problems: readonly FileProblem[]): ToolkitError {
  const where = (p: FileProblem) => `${file}${p.line !== undefined ? `:${p.line}` : ''} ${p.pointer || '/'}`;
  const lines = problems.map((p) => `${where(p)}: ${p.message}${p.hint ? ` ${p.hint}` : ''}`);
  return new ToolkitError(problems.length === 1 ? (lines[0] as string) : `${file} has ${problems.length} problems:\n  ${lines.join('\n  ')}`, {
    hint: `Fix ${file}; \`npm run validate\` lists each problem with its line.`,
  });
}
