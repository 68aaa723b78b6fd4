// Turns ajv errors and unknown fields into one-line messages that name the field, plus a hint for the fix.
// ajv reports alternatives (oneOf/anyOf) as one error per failed branch; only the useful one is kept.
import { closest } from '../suggest.ts';
import type { ErrorList, UnknownField } from './strict.ts';

export interface Problem {
  pointer: string;
  message: string;
  hint?: string;
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value at an RFC 6901 pointer in `root` (undefined when the path does not exist). */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const segment of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[unescape(segment)];
  }
  return node;
}

function lastField(pointer: string): string {
  const segments = pointer.split('/');
  for (let i = segments.length - 1; i > 0; i--) {
    const s = segments[i] as string;
    if (!/^\d+$/.test(s)) return unescape(s);
  }
  return '(the resource)';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeHint(expected: string, value: unknown, field: string): string {
  if ((expected === 'integer' || expected === 'number') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) {
    return `Remove the quotes: \`${field}: ${value.trim()}\` (a quoted number is a string).`;
  }
  if (expected === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)) {
    return `Remove the quotes: \`${field}: ${value.toLowerCase()}\`.`;
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `Quote the value: \`${field}: "${String(value)}"\`.`;
  }
  if (expected === 'array') return `Write \`${field}\` as a list (items start with \`- \`).`;
  if (expected === 'object') return `Write \`${field}\` as a mapping of fields.`;
  return `Change \`${field}\` to a ${expected}.`;
}

function one(error: ErrorList[number], resource: unknown): Problem {
  const pointer = error.instancePath;
  const value = valueAt(resource, pointer);
  const field = lastField(pointer);
  const p = error.params;
  // Errors a schema module has already put into words (flagger-errors.ts), with their fix.
  if (typeof p.hint === 'string' && error.message) return { pointer, message: error.message, hint: p.hint };
  switch (error.keyword) {
    case 'type': {
      const expected = String(p.type);
      return { pointer, message: `"${field}" must be ${expected === 'integer' ? 'an integer' : `a ${expected}`}, not ${describe(value)}.`, hint: typeHint(expected, value, field) };
    }
    case 'required': {
      const missing = String(p.missingProperty);
      return {
        pointer: `${pointer}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: `missing required field "${missing}".`,
        hint: `Add \`${missing}:\` under ${pointer || 'the top level'}.`,
      };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => String(v));
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        pointer,
        message: `"${field}" is ${describe(value)}, which is not one of: ${allowed.join(', ')}.`,
        hint: guess ? `Did you mean "${guess}"?` : `Use one of: ${allowed.join(', ')}.`,
      };
    }
    case 'oneOf': {
      const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
      if (Array.isArray(p.passingSchemas)) {
        return {
          pointer,
          message: `"${field}" sets more than one of its mutually exclusive forms (fields: ${keys.join(', ')}).`,
          hint: 'Keep only one of those fields.',
        };
      }
      return { pointer, message: `"${field}" matches none of its allowed forms.`, hint: 'Check the field against the kind\'s reference documentation.' };
    }
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      return { pointer: `${pointer}/${extra}`, message: `unknown field "${extra}".`, hint: 'Remove the field or fix its name.' };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer,
        message: `"${field}" is ${describe(value)}; it ${error.message ?? 'is out of range'}.`,
        hint: `Use a value that ${String(error.message ?? '').replace(/^must be/, 'is')}, e.g. \`${field}: ${String(p.limit)}\`.`,
      };
    case 'pattern':
      return { pointer, message: `"${field}" is ${describe(value)}, which does not match ${String(p.pattern)}.`, hint: `Write \`${field}\` so that it matches ${String(p.pattern)}.` };
    case 'minLength':
    case 'maxLength':
      return { pointer, message: `"${field}" is ${describe(value)}; it ${error.message ?? 'has the wrong length'}.`, hint: `Write \`${field}\` with a length the schema takes.` };
    default:
      return { pointer, message: `"${field}" ${error.message ?? `fails the schema's ${error.keyword} rule`}.`, hint: undefined };
  }
}

/** Keeps the errors a person can act on: drops alternatives' inner noise when a precise error exists. */
function prune(errors: ErrorList): ErrorList {
  const alternatives = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (e.keyword === 'not' || e.keyword === 'if' || e.keyword === 'anyOf') return false;
    // Branch errors at the alternative's own path ("must have required property exact") just restate it.
    if (alternatives.has(e.instancePath) && e.keyword !== 'oneOf') return false;
    return true;
  });
  const anyOfOnly = errors.filter((e) => e.keyword === 'anyOf' && !kept.some((k) => k.instancePath.startsWith(e.instancePath)));
  const seen = new Set<string>();
  return [...kept, ...anyOfOnly].filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function schemaProblems(errors: ErrorList, resource: unknown): Problem[] {
  // A type error on a field that also fails an alternative is the same mistake said twice.
  const problems = prune(errors).map((e) => one(e, resource));
  return problems;
}

export function unknownFieldProblem(unknown: UnknownField, kind: string): Problem {
  const guess = closest(unknown.field, unknown.known);
  const parent = unknown.pointer.slice(0, unknown.pointer.lastIndexOf('/')) || '/';
  const listed = unknown.known.length > 12 ? `${unknown.known.slice(0, 12).join(', ')}, ...` : unknown.known.join(', ');
  return {
    pointer: unknown.pointer,
    message: `unknown field "${unknown.field}" (${kind} has no such field at ${parent}).`,
    hint: guess ? `Did you mean "${guess}"? Rename the field.` : `Remove the field; allowed here: ${listed || '(none)'}.`,
  };
}
