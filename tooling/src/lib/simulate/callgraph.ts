// The application's call graph as data (apps/bookinfo/callgraph.yaml): what each service version calls,
// with the app's own timeouts and attempts, and what the page shows. The engine has no Bookinfo branches.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Outcome } from '../exercises.ts';
import { ToolkitError } from '../errors.ts';
import { checkFile, fileProblemsError } from '../file-check.ts';

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

/** callgraph.yaml as its schema (file-schemas.ts) admits it. */
type RawCall = Partial<Omit<CallSpec, 'query' | 'onFailure'>> & { service: string; onFailure: Outcome; query?: Record<string, unknown> };
interface RawSpec {
  versionLabel?: string;
  entry: Partial<Omit<EntrySpec, 'query'>> & { service: string; query?: Record<string, unknown> };
  services: Record<string, Record<string, { calls?: RawCall[]; shows?: Outcome | { from: string } } | null>>;
}

const queryText = (query: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(query ?? {}).map(([k, v]) => [k, String(v)]));

/**
 * Validates a parsed call graph document (the whole file, or a bare `{ spec }`) against its schema, every
 * problem with its line when `source` (the file's text) is given, and fills in the defaults.
 */
export function parseCallGraph(raw: unknown, file: string = CALLGRAPH_FILE, source?: string): CallGraph {
  const problems = checkFile('callgraph', raw, source);
  if (problems.length > 0) throw fileProblemsError(file, problems);
  const spec = (raw as { spec: RawSpec }).spec;
  const e = spec.entry;
  const entry: EntrySpec = {
    service: e.service,
    namespace: e.namespace ?? 'default',
    path: e.path ?? '/',
    method: e.method ?? 'GET',
    query: queryText(e.query),
    userHeader: (e.userHeader ?? 'end-user').toLowerCase(),
    onFailure: e.onFailure ?? 'page-error',
  };
  const services: CallGraph['services'] = {};
  for (const [name, versions] of Object.entries(spec.services)) {
    services[name] = {};
    for (const [version, v] of Object.entries(versions)) {
      const calls = (v?.calls ?? []).map(
        (c): CallSpec => ({
          service: c.service,
          path: c.path ?? '/',
          method: c.method ?? 'GET',
          query: queryText(c.query),
          ...(c.port !== undefined ? { port: c.port } : {}),
          ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
          attempts: c.attempts ?? 1,
          forwardHeaders: (c.forwardHeaders ?? []).map((h) => h.toLowerCase()),
          onFailure: c.onFailure,
        }),
      );
      const out: VersionSpec = { calls };
      const shows = v?.shows;
      if (shows !== undefined) {
        if (typeof shows === 'object') {
          if (!calls.some((c) => c.service === shows.from)) bad(file, `spec.services.${name}.${version}.shows.from`, `names "${shows.from}", which this version does not call.`);
          out.shows = { from: shows.from };
        } else {
          out.shows = shows;
        }
      }
      services[name][version] = out;
    }
  }
  return { versionLabel: spec.versionLabel ?? 'version', entry, services };
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
  return parseCallGraph(raw, file, text);
}
