// The application's call graph as data (apps/bookinfo/callgraph.yaml): what each service version calls,
// with the app's own timeouts and attempts, and what the page shows. The engine has no Bookinfo branches.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { OUTCOMES, type Outcome } from '../exercises.ts';
import { ToolkitError } from '../errors.ts';

export const CALLGRAPH_FILE = 'apps/bookinfo/callgraph.yaml';

export interface CallSpec {
  service: string;
  /** Request path the app sends, matched by VirtualService `uri` rules. */
  path: string;
  method: string;
  /** Query parameters the app sends, matched by `queryParams`. */
  query: Record<string, string>;
  /** Service port; defaults to the Service's first port. */
  port?: number;
  /** The app's own deadline per attempt; undefined means it waits forever. */
  timeoutMs?: number;
  /** Attempts the app makes itself (1 = no retry). */
  attempts: number;
  forwardHeaders: string[];
  /** What the page shows when this call fails after all attempts. */
  onFailure: Outcome;
}

export interface VersionSpec {
  calls: CallSpec[];
  /** A fixed outcome on success, or the outcome of one of its calls. */
  shows?: Outcome | { from: string };
}

export interface EntrySpec {
  service: string;
  namespace: string;
  path: string;
  method: string;
  query: Record<string, string>;
  /** Header the entry service sends the logged-in user's name in; absent for anonymous users. */
  userHeader: string;
  onFailure: Outcome;
}

export interface CallGraph {
  versionLabel: string;
  entry: EntrySpec;
  services: Record<string, Record<string, VersionSpec>>;
}

function bad(file: string, where: string, message: string): never {
  throw new ToolkitError(`${file}: \`${where}\` ${message}`, {
    hint: `Fix the call graph; ${CALLGRAPH_FILE} in the repository shows the expected shape.`,
  });
}

function outcome(value: unknown, file: string, where: string): Outcome {
  if (!OUTCOMES.includes(value as Outcome)) bad(file, where, `must be one of ${OUTCOMES.join(', ')}.`);
  return value as Outcome;
}

function str(value: unknown, file: string, where: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value === '') bad(file, where, 'must be a non-empty string.');
  return value;
}

function query(value: unknown, file: string, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) bad(file, where, 'must be a mapping of strings.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

function positiveInt(value: unknown, file: string, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10) bad(file, where, 'must be an integer from 1 to 10.');
  return value;
}

function parseCall(raw: unknown, file: string, where: string): CallSpec {
  if (!raw || typeof raw !== 'object') bad(file, where, 'must be a mapping.');
  const c = raw as Record<string, unknown>;
  const call: CallSpec = {
    service: str(c.service, file, `${where}.service`),
    path: str(c.path, file, `${where}.path`, '/'),
    method: str(c.method, file, `${where}.method`, 'GET'),
    query: query(c.query, file, `${where}.query`),
    attempts: positiveInt(c.attempts, file, `${where}.attempts`, 1),
    forwardHeaders: [],
    onFailure: outcome(c.onFailure, file, `${where}.onFailure`),
  };
  if (c.port !== undefined) {
    if (typeof c.port !== 'number' || !Number.isInteger(c.port)) bad(file, `${where}.port`, 'must be a port number.');
    call.port = c.port;
  }
  if (c.timeoutMs !== undefined) {
    if (typeof c.timeoutMs !== 'number' || !(c.timeoutMs > 0)) bad(file, `${where}.timeoutMs`, 'must be a positive number.');
    call.timeoutMs = c.timeoutMs;
  }
  if (c.forwardHeaders !== undefined) {
    if (!Array.isArray(c.forwardHeaders) || c.forwardHeaders.some((h) => typeof h !== 'string')) {
      bad(file, `${where}.forwardHeaders`, 'must be a list of header names.');
    }
    call.forwardHeaders = (c.forwardHeaders as string[]).map((h) => h.toLowerCase());
  }
  return call;
}

/** Validates a parsed call graph document (the whole file, `spec` included). */
export function parseCallGraph(raw: unknown, file: string = CALLGRAPH_FILE): CallGraph {
  const doc = raw as { spec?: unknown } | null;
  const spec = (doc && typeof doc === 'object' && 'spec' in doc ? doc.spec : doc) as Record<string, unknown> | null;
  if (!spec || typeof spec !== 'object') bad(file, 'spec', 'must be a mapping with entry and services.');
  const e = spec.entry as Record<string, unknown> | undefined;
  if (!e || typeof e !== 'object') bad(file, 'spec.entry', 'must name the service the user calls.');
  const entry: EntrySpec = {
    service: str(e.service, file, 'spec.entry.service'),
    namespace: str(e.namespace, file, 'spec.entry.namespace', 'default'),
    path: str(e.path, file, 'spec.entry.path', '/'),
    method: str(e.method, file, 'spec.entry.method', 'GET'),
    query: query(e.query, file, 'spec.entry.query'),
    userHeader: str(e.userHeader, file, 'spec.entry.userHeader', 'end-user').toLowerCase(),
    onFailure: outcome(e.onFailure ?? 'page-error', file, 'spec.entry.onFailure'),
  };
  const servicesRaw = spec.services;
  if (!servicesRaw || typeof servicesRaw !== 'object') bad(file, 'spec.services', 'must map service names to versions.');
  const services: CallGraph['services'] = {};
  for (const [name, versions] of Object.entries(servicesRaw as Record<string, unknown>)) {
    if (!versions || typeof versions !== 'object') bad(file, `spec.services.${name}`, 'must map versions to their calls.');
    services[name] = {};
    for (const [version, vraw] of Object.entries(versions as Record<string, unknown>)) {
      const where = `spec.services.${name}.${version}`;
      const v = (vraw ?? {}) as Record<string, unknown>;
      const calls = v.calls === undefined ? [] : v.calls;
      if (!Array.isArray(calls)) bad(file, `${where}.calls`, 'must be a list.');
      const spec: VersionSpec = { calls: calls.map((c, i) => parseCall(c, file, `${where}.calls[${i}]`)) };
      if (v.shows !== undefined) {
        if (v.shows && typeof v.shows === 'object') {
          const from = str((v.shows as { from?: unknown }).from, file, `${where}.shows.from`);
          if (!spec.calls.some((c) => c.service === from)) bad(file, `${where}.shows.from`, `names "${from}", which this version does not call.`);
          spec.shows = { from };
        } else {
          spec.shows = outcome(v.shows, file, `${where}.shows`);
        }
      }
      services[name][version] = spec;
    }
  }
  return { versionLabel: str(spec.versionLabel, file, 'spec.versionLabel', 'version'), entry, services };
}

/** Reads the repository's call graph. */
export async function loadCallGraph(root: string, file: string = CALLGRAPH_FILE): Promise<CallGraph> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch {
    throw new ToolkitError(`${file} is missing, so there is no call graph to simulate.`, {
      hint: 'Restore it from git; it describes which Bookinfo services call which.',
    });
  }
  let raw: unknown;
  try {
    raw = yaml.load(text);
  } catch (error) {
    throw new ToolkitError(`${file}: ${(error as Error).message}`, { hint: 'Fix the YAML syntax.' });
  }
  return parseCallGraph(raw, file);
}
