// Checks HTTP exchanges against GitHub's REST API description (the npm package @octokit/openapi, the
// dereferenced api.github.com document): the operation must exist, its query parameters and JSON body must
// match what it declares, and a response must be one of its declared statuses with a body matching that
// status's schema. The GitHub stand-in runs every request and response through this, so it cannot drift.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

interface Schema {
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema; examples?: Record<string, { value: unknown }> }> }>;
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
}

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
}

/**
 * Statuses GitHub answers on any operation, whether or not the description lists them for it: a bad token,
 * a missing permission or a rate limit (docs: "Troubleshooting the REST API", "Rate limits for the REST API"),
 * and server errors. Their bodies are GitHub's basic error, with documentation_url as GitHub sends it.
 */
const ANYWHERE = new Set([401, 403, 429, 500, 502, 503]);
const BASIC_ERROR: Schema = {
  type: 'object',
  required: ['message', 'documentation_url'],
  properties: { message: { type: 'string' }, documentation_url: { type: 'string' }, status: { type: 'string' } },
};

/**
 * The description is 73 MB of JSON; parsing it costs each test worker over a second and a heap that makes every
 * later child process slower to start. So the global setup splits it once (splitDescription) into an index of
 * path templates and one file per operation, kept under node_modules/.cache by package version, and workers
 * read only the operations they meet. Without the split (a helper used outside vitest), the whole file is read.
 */
export const OPENAPI_SPLIT_ENV = 'TOOLKIT_TEST_GITHUB_OPENAPI';
type Index = Record<string, Record<string, string>>;

function descriptionFile(): string {
  return createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.deref.json');
}

let whole: Description | undefined;
function readWhole(): Description {
  whole ??= JSON.parse(readFileSync(descriptionFile(), 'utf8')) as Description;
  return whole;
}

let index: Index | undefined;
function templates(): Index {
  if (index) return index;
  const dir = process.env[OPENAPI_SPLIT_ENV];
  if (dir && existsSync(join(dir, 'index.json'))) {
    index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
  } else {
    const paths = readWhole().paths;
    index = Object.fromEntries(Object.entries(paths).map(([t, ops]) => [t, Object.fromEntries(Object.keys(ops).map((m) => [m, '']))]));
  }
  return index;
}

const operations = new Map<string, Operation | undefined>();
function operation(template: string, method: string): Operation | undefined {
  const key = `${method} ${template}`;
  if (!operations.has(key)) {
    const file = templates()[template]?.[method];
    const dir = process.env[OPENAPI_SPLIT_ENV];
    operations.set(key, file === undefined ? undefined
      : file && dir ? JSON.parse(readFileSync(join(dir, file), 'utf8')) as Operation : readWhole().paths[template]?.[method]);
  }
  return operations.get(key);
}

/**
 * Splits the description into `cacheRoot/<version>/` (index.json and one file per operation), unless already
 * there; returns that directory. Written to a temporary sibling first and renamed, so a reader never sees half.
 */
export function splitDescription(cacheRoot: string): string {
  const file = descriptionFile();
  const version = (JSON.parse(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(cacheRoot, `github-openapi-${version}`);
  if (existsSync(join(dir, 'index.json'))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  const temp = mkdtempSync(join(cacheRoot, '.split-'));
  const out: Index = {};
  let n = 0;
  for (const [template, ops] of Object.entries(readWhole().paths)) {
    const methods: Record<string, string> = {};
    for (const [method, op] of Object.entries(ops)) {
      const name = `${n++}.json`;
      writeFileSync(join(temp, name), JSON.stringify(op));
      methods[method] = name;
    }
    out[template] = methods;
  }
  writeFileSync(join(temp, 'index.json'), JSON.stringify(out));
  try {
    renameSync(temp, dir);
  } catch {
    // Another run split it first: use theirs.
    rmSync(temp, { recursive: true, force: true });
  }
  whole = undefined;
  return dir;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();
function validator(key: string, schema: Schema): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

let routes: Array<{ template: string; pattern: RegExp }> | undefined;
/** The description's path template for a concrete path (`/repos/o/r/pulls/1` -> `/repos/{owner}/{repo}/pulls/{pull_number}`). */
export function templateOf(path: string): string | undefined {
  routes ??= Object.keys(templates()).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  // Prefer the most literal template: /repos/{o}/{r}/issues/comments/{id} over /repos/{o}/{r}/issues/{n}/comments.
  const hits = routes.filter((r) => r.pattern.test(path));
  return hits.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0]?.template;
}

export function operationOf(method: string, path: string): { template: string; op: Operation } | undefined {
  const template = templateOf(path);
  const op = template ? operation(template, method.toLowerCase()) : undefined;
  return template && op ? { template, op } : undefined;
}

/** GitHub's own example answer for an operation and status, as a template for the stand-in's objects. */
export function exampleOf(method: string, template: string, status: number): unknown {
  const op = operation(template, method.toLowerCase());
  const examples = op?.responses[String(status)]?.content?.['application/json']?.examples;
  const first = examples ? Object.values(examples)[0] : undefined;
  if (!first) throw new Error(`The API description has no example for ${method} ${template} ${status}.`);
  return structuredClone(first.value);
}

function errorsOf(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

function coerce(value: string, schema: Schema | undefined): unknown {
  if (schema?.type === 'integer' || schema?.type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (schema?.type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** What in the request the description does not allow (empty when it matches). */
export function checkRequest(method: string, path: string, query: Record<string, string>, body: unknown): string[] {
  const found = operationOf(method, path);
  if (!found) return [`${method} ${path} is not an operation of GitHub's REST API`];
  const { template, op } = found;
  const problems: string[] = [];
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  for (const [name, value] of Object.entries(query)) {
    const param = params.find((p) => p.name === name);
    if (!param) {
      problems.push(`${method} ${template}: unknown query parameter "${name}"`);
      continue;
    }
    const v = validator(`${method} ${template} ?${name}`, param.schema ?? {});
    if (!v(coerce(value, param.schema))) problems.push(`${method} ${template}: query ${name}=${value}: ${errorsOf(v)}`);
  }
  const schema = op.requestBody?.content['application/json']?.schema;
  if (body !== undefined && !schema) problems.push(`${method} ${template} takes no body`);
  if (schema && body !== undefined) {
    const v = validator(`${method} ${template} body`, schema);
    if (!v(body)) problems.push(`${method} ${template} request body: ${errorsOf(v)}`);
  }
  return problems;
}

/** What in the response the description does not allow (empty when it matches). */
export function checkResponse(method: string, path: string, status: number, body: unknown): string[] {
  const found = operationOf(method, path);
  if (!found) return [`${method} ${path} is not an operation of GitHub's REST API`];
  const { template, op } = found;
  const declared = op.responses[String(status)];
  if (!declared && !ANYWHERE.has(status)) return [`${method} ${template} does not answer ${status} in the API description`];
  const schema = declared?.content?.['application/json']?.schema ?? (status >= 400 ? BASIC_ERROR : undefined);
  if (!schema) return body === undefined ? [] : [`${method} ${template} ${status} has no body in the API description`];
  const v = validator(`${method} ${template} ${status}${declared ? '' : ' (basic error)'}`, schema);
  const problems = v(body) ? [] : [`${method} ${template} ${status} response: ${errorsOf(v)}`];
  // GitHub's error bodies always carry documentation_url, even where the description's schema leaves it optional.
  if (status >= 400 && (typeof body !== 'object' || body === null || typeof (body as { documentation_url?: unknown }).documentation_url !== 'string')) {
    problems.push(`${method} ${template} ${status} error without documentation_url`);
  }
  return problems;
}
