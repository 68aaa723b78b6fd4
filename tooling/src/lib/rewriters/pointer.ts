// Reads and rewrites a cluster's exercise pointer: the single kustomize `resources` entry
// `- ../../../exercises/<id>` in `clusters/<name>/exercise/kustomization.yaml`.
// String in, string out: only the exercise id on that one line changes; every other byte
// (comments, indentation, trailing marker comment, line endings) is kept as it was.
import { EXERCISE_ID } from '../exercises.ts';
import { ToolkitError } from '../errors.ts';

const POINTER_LINE = /^(\s*-\s*["']?\.\.\/\.\.\/\.\.\/exercises\/)([^"'\s/#]+)(\/?["']?)(\s*(?:#.*)?)$/;

export interface PointerMatch {
  exerciseId: string;
  /** 1-based line number of the pointer line. */
  line: number;
}

function matches(text: string): PointerMatch[] {
  const found: PointerMatch[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = POINTER_LINE.exec(line);
    if (m) found.push({ exerciseId: m[2] as string, line: i + 1 });
  });
  return found;
}

/** Finds the pointer in the file's text; throws when there is none or more than one. */
export function readPointer(text: string, file: string): PointerMatch {
  const found = matches(text);
  if (found.length === 0) {
    throw new ToolkitError(`${file}: no exercise pointer found.`, {
      hint: 'The file must list exactly one resource of the form `- ../../../exercises/<id>`.',
    });
  }
  if (found.length > 1) {
    throw new ToolkitError(`${file}: ${found.length} exercise pointers found (lines ${found.map((f) => f.line).join(', ')}).`, {
      hint: 'A cluster runs one exercise at a time: keep exactly one `- ../../../exercises/<id>` line.',
    });
  }
  return found[0] as PointerMatch;
}

/** Returns `text` with the pointer moved to `exerciseId`. Throws when the pointer is missing or ambiguous. */
export function rewritePointer(text: string, file: string, exerciseId: string): string {
  if (!EXERCISE_ID.test(exerciseId)) {
    throw new ToolkitError(`Refusing to write exercise id ${JSON.stringify(exerciseId)} into ${file}.`, {
      hint: 'Exercise ids are lowercase letters, digits and dashes.',
    });
  }
  const { line } = readPointer(text, file);
  const lines = text.split('\n');
  const original = lines[line - 1] as string;
  const cr = original.endsWith('\r') ? '\r' : '';
  const body = cr ? original.slice(0, -1) : original;
  lines[line - 1] = body.replace(POINTER_LINE, (_all, pre: string, _id: string, post: string, tail: string) => `${pre}${exerciseId}${post}${tail}`) + cr;
  return lines.join('\n');
}
