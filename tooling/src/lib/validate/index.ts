// `validate`: renders kustomization directories with the real kustomize, reads manifest files or stdin,
// checks every resource against its in-process schema (strictly), optionally runs kubeconform and the
// registered analyzers, and returns every finding together with a summary. Never throws for bad input.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import yaml from 'js-yaml';
import type { Finding } from '../findings.ts';
import type * as Kustomize from '../kustomize.ts';
import { parseManifests, resourceRef, type SourcedResource } from '../manifests.ts';
import { readText } from '../read-text.ts';
import { findKubeconform, runKubeconform } from './kubeconform.ts';
import { lineOfPointer } from './locate.ts';
import { admissionProblems } from './admission.ts';
import { inputFindings } from './inputs.ts';
import { mergeAdmission } from './admission-merge.ts';
import { explainRenderError } from './render-errors.ts';
import { schemaProblems, unknownFieldProblem } from './messages.ts';
import { loadedSchema, loadSchema, suggestSchema } from './schemas.ts';

export interface RenderedUnit {
  /** Repo-relative kustomization dir, file path, or "-" for stdin. */
  source: string;
  kind: 'kustomization' | 'file' | 'stdin';
  resources: SourcedResource[];
}

export interface AnalyzerContext {
  root: string;
}

export type Analyzer = (unit: RenderedUnit, ctx: AnalyzerContext) => Finding[] | Promise<Finding[]>;

export interface ValidateOptions {
  /** Repository root; relative paths are resolved against it. */
  root: string;
  /** Kustomization dirs, manifest files, or '-'; default: every kustomization dir under clusters/, apps/, exercises/. */
  paths?: string[];
  /** Text for '-'. */
  stdin?: string;
  ignoreMissingSchemas?: boolean;
  skipKinds?: string[];
  /** Run after schemas on each unit (mesh policy analyzers and exercise checks plug in here). */
  analyzers?: Analyzer[];
  /** Undefined binary: PATH or $KUBECONFORM lookup (in `env`, default process.env); false: never. */
  kubeconform?: { binary?: string | false; schemaLocations?: string[]; env?: NodeJS.ProcessEnv };
  /** Default os.availableParallelism(). */
  concurrency?: number;
  onProgress?: (message: string) => void;
}

export interface ValidationSummary {
  resources: number;
  valid: number;
  invalid: number;
  skipped: number;
  errors: number;
  warnings: number;
  infos: number;
  silenced: number;
  units: number;
  /** Whether a kubeconform binary ran as well, was looked for and not found, or was turned off. */
  kubeconform: KubeconformUse;
}

export type KubeconformUse = 'ran' | 'not-found' | 'disabled';

export interface ValidationReport {
  findings: Finding[];
  summary: ValidationSummary;
  units: RenderedUnit[];
  /** Resources not checked (--skip, or no schema with --ignore-missing-schemas). */
  skipped?: SourcedResource[];
}

export interface SchemaOptions {
  ignoreMissingSchemas?: boolean;
  skipKinds?: string[];
}

/** The directories searched when no paths are given. */
export const DEFAULT_TREES = ['clusters', 'apps', 'exercises'];

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MANIFEST = /\.(ya?ml|json)$/i;

type Status = 'valid' | 'invalid' | 'skipped';

function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

function readKustomization(dir: string): { file: string; text: string } | undefined {
  const file = kustomizationFile(dir);
  if (!file) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Every kustomization directory below `root/<tree>`, except components (they cannot be built alone). */
export async function findKustomizations(root: string, trees: readonly string[] = DEFAULT_TREES): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const file = kustomizationFile(dir);
    if (file && !/^kind:\s*Component\s*$/m.test(await readFile(file, 'utf8'))) found.push(relative(root, dir).split(sep).join('/'));
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') await walk(join(dir, entry.name));
    }
  };
  for (const tree of trees) {
    const dir = join(root, tree);
    if (existsSync(dir)) await walk(dir);
  }
  return found.sort();
}

interface Target {
  source: string;
  kind: RenderedUnit['kind'];
  abs: string;
}

function display(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
}

/** Directories a walk never enters: dependencies, git's own, and the toolkit's build output. */
function skipped(root: string, dir: string, name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || display(root, join(dir, name)) === 'tooling/dist';
}

/**
 * Expands the given paths into units; directories without a kustomization contribute their manifest files,
 * symbolic links are followed (once each: a loop ends), and the repository root means what no path means.
 */
async function resolveTargets(root: string, paths: readonly string[], findings: Finding[]): Promise<Target[]> {
  const targets: Target[] = [];
  const visited = new Set<string>();
  const addDir = async (abs: string): Promise<void> => {
    const real = await realpath(abs).catch(() => abs);
    if (visited.has(real)) return;
    visited.add(real);
    if (kustomizationFile(abs)) {
      targets.push({ source: display(root, abs), kind: 'kustomization', abs });
      return;
    }
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = join(abs, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(child);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          const loop = (error as { code?: string }).code === 'ELOOP';
          findings.push({
            rule: 'io',
            severity: 'error',
            file: display(root, child),
            message: `"${display(root, child)}" is a symbolic link ${loop ? 'in a loop' : 'to nothing'}, so it cannot be read.`,
            hint: 'Point the link at an existing file or directory, or delete it.',
          });
          continue;
        }
      }
      if (isDir && !skipped(root, abs, entry.name)) await addDir(child);
      else if (isFile && MANIFEST.test(entry.name)) targets.push({ source: display(root, child), kind: 'file', abs: child });
    }
  };
  for (const path of paths) {
    if (path === '-') {
      targets.push({ source: '-', kind: 'stdin', abs: '-' });
      continue;
    }
    const abs = resolve(root, path);
    const before = { targets: targets.length, findings: findings.length };
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (error) {
      const loop = (error as { code?: string }).code === 'ELOOP';
      findings.push({
        rule: 'io',
        severity: 'error',
        file: path,
        message: `Cannot read "${path}": ${loop ? 'a loop of symbolic links' : 'no such file or directory'}.`,
        hint: 'Pass a kustomization directory, a manifest file, or - for standard input.',
      });
      continue;
    }
    if (isDir && abs === root) {
      // `validate .` is `validate`: the kustomizations of the default trees, not every YAML file below.
      for (const dir of await findKustomizations(root)) targets.push({ source: dir, kind: 'kustomization', abs: join(root, dir) });
    } else if (isDir) await addDir(abs);
    else targets.push({ source: display(root, abs), kind: 'file', abs });
    if (targets.length === before.targets && findings.length === before.findings) {
      findings.push({
        rule: 'no-input',
        severity: 'error',
        file: path,
        message: `"${path}" holds no kustomization and no manifest file (.yaml, .yml, .json), so nothing was checked.`,
        hint: 'Pass a kustomization directory or a manifest file; with no path, validate checks every kustomization under clusters/, apps/ and exercises/.',
      });
    }
  }
  return targets;
}

interface Loaded {
  unit: RenderedUnit;
  findings: Finding[];
  /** Text the resources were parsed from, for file and stdin units. */
  text?: string;
  abs?: string;
  /** A rendered unit's source files, read once for all the findings that need them. */
  sources?: Promise<SourceIndex>;
  /** A file or stdin unit's documents, split once for all the findings that need them. */
  docs?: Map<SourcedResource, SourceDoc>;
}

// kustomize.ts pulls in zx, a quarter of a second of start-up; a run over plain files never needs it.
let kustomize: Promise<typeof Kustomize> | undefined;
const loadKustomize = () => (kustomize ??= import('../kustomize.ts'));

/** Runs `fn` over `items`, at most `limit` at once, keeping order (kustomize.ts's mapLimit, loaded on demand). */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  if (items.length <= 1 || limit <= 1) {
    const out: R[] = [];
    for (const item of items) out.push(await fn(item));
    return out;
  }
  return (await loadKustomize()).mapLimit(items, limit, fn);
}

async function loadUnit(root: string, target: Target, stdin: string | undefined): Promise<Loaded> {
  const unit: RenderedUnit = { source: target.source, kind: target.kind, resources: [] };
  let text: string;
  if (target.kind === 'kustomization') {
    const result = await (await loadKustomize()).kustomizeBuild(target.abs);
    if (!result.ok) {
      // kustomize names files by absolute path; the repository-relative form is what the user can open.
      const relativize = (text: string) => text.split(`${root}${sep}`).join('').split(root).join('.');
      const problem = explainRenderError(result.error, target.abs, readKustomization);
      const finding: Finding = problem
        ? {
            rule: 'render',
            severity: 'error',
            file: display(root, problem.file),
            ...(problem.line !== undefined ? { line: problem.line } : {}),
            message: `kustomize build failed: ${relativize(problem.message)}`,
            hint: `${relativize(problem.hint)} Then run \`npm run validate -- ${target.source}\` again to check.`,
          }
        : {
            rule: 'render',
            severity: 'error',
            file: target.source,
            message: `kustomize build failed: ${relativize(result.error)}`,
            hint: `Fix ${target.source}/kustomization.yaml or the file it names, then run \`npm run validate -- ${target.source}\` again to check.`,
          };
      return { unit, findings: [finding] };
    }
    text = result.yaml;
  } else if (target.kind === 'stdin') {
    text = stdin ?? '';
  } else {
    try {
      text = await readText(target.abs);
    } catch (error) {
      return {
        unit,
        findings: [{ rule: 'io', severity: 'error', file: target.source, message: `Cannot read "${target.source}": ${(error as Error).message}.`, hint: 'Check the path and its permissions.' }],
      };
    }
  }
  const parsed = parseManifests(text, target.source);
  unit.resources = parsed.resources;
  if (target.kind === 'kustomization') {
    // Lines of kustomize's output mean nothing in the repository, so rendered findings name only the directory.
    for (const f of parsed.findings) delete f.line;
    if (parsed.findings.some((f) => f.rule === 'empty')) {
      for (const f of parsed.findings) if (f.rule === 'empty') f.message = 'The kustomization renders no resources.';
    }
  }
  return { unit, findings: parsed.findings, text, abs: target.abs };
}

interface SourceDoc {
  file: string;
  lines: string[];
  start: number;
  end: number;
}

function docsOf(text: string, file: string, resources: readonly SourcedResource[]): Map<SourcedResource, SourceDoc> {
  const lines = text.split(/\r?\n/);
  const out = new Map<SourcedResource, SourceDoc>();
  for (const r of resources) {
    let end = r.line;
    while (end < lines.length && !/^---(?:[ \t].*)?$/.test(lines[end] as string)) end++;
    out.set(r, { file, lines, start: r.line - 1, end });
  }
  return out;
}

/** The line of the pointer's deepest part written in the document, and how many segments deep it is (0: none). */
function pointerMatch(doc: SourceDoc, pointer: string | undefined): { line: number | undefined; depth: number } {
  let p = pointer ?? '';
  let depth = p === '' ? 0 : p.split('/').length - 1;
  while (p !== '') {
    const line = lineOfPointer(doc.lines, doc.start, doc.end, p);
    if (line !== undefined) return { line, depth };
    p = p.slice(0, p.lastIndexOf('/'));
    depth--;
  }
  return { line: undefined, depth: 0 };
}

/** The most precise line for a pointer: the field, else its nearest parent that is written in the file. */
function pointerLine(doc: SourceDoc, pointer: string | undefined): number | undefined {
  return pointerMatch(doc, pointer).line;
}

/** What a kustomization builds from, as paths relative to its directory, in the order kustomize applies them. */
interface Listed {
  /** `resources` then the legacy `bases`, then `components`: files and directories. */
  inputs: string[];
  /** `patchesStrategicMerge` then `patches[].path`: applied after the inputs. */
  patches: string[];
}

function listedSources(dir: string): Listed {
  const k = readKustomization(dir);
  if (!k) return { inputs: [], patches: [] };
  let parsed: Record<string, unknown> | null;
  try {
    parsed = yaml.load(k.text) as Record<string, unknown> | null;
  } catch {
    return { inputs: [], patches: [] };
  }
  // Remote bases (URLs, git refs) have no file here to point at.
  const local = (v: unknown): v is string => typeof v === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !v.includes('?');
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return {
    inputs: [...list(parsed?.resources), ...list(parsed?.bases), ...list(parsed?.components)].filter(local),
    patches: [
      ...list(parsed?.patchesStrategicMerge).filter(local),
      ...list(parsed?.patches).map((p) => (p && typeof p === 'object' ? (p as { path?: unknown }).path : undefined)).filter(local),
    ],
  };
}

/** Every document that writes a resource of a kind and name, in the order kustomize applies them. */
type SourceIndex = Map<string, SourceDoc[]>;

const docKey = (kind: unknown, name: unknown) => `${String(kind)}\u0000${typeof name === 'string' ? name : ''}`;

/**
 * For a rendered unit, the manifest files a person edits, by kind and name: what the kustomization lists
 * under `resources` and `components` (following directories into their own kustomizations) and the files
 * it applies as `patches`, in kustomize's order, so findings can point at a file and line instead of at
 * kustomize's output. Generated resources and remote bases have no entry.
 */
async function sourceDocs(root: string, abs: string): Promise<SourceIndex> {
  const index: SourceIndex = new Map();
  const seen = new Set<string>();
  const addFile = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    let text: string;
    try {
      text = await readText(file);
    } catch {
      return;
    }
    const parsed = parseManifests(text, display(root, file));
    for (const [r, doc] of docsOf(text, display(root, file), parsed.resources)) {
      const key = docKey(r.object.kind, r.object.metadata?.name);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(doc);
    }
  };
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8 || seen.has(dir)) return;
    seen.add(dir);
    const listed = listedSources(dir);
    for (const entry of listed.inputs) {
      const child = resolve(dir, entry);
      let isDir: boolean;
      try {
        isDir = statSync(child).isDirectory();
      } catch {
        continue;
      }
      if (isDir) await visit(child, depth + 1);
      else await addFile(child);
    }
    for (const entry of listed.patches) await addFile(resolve(dir, entry));
  };
  await visit(abs, 0);
  return index;
}

/**
 * Of the documents that write a resource, the one in which most of the finding's pointer is written (the
 * key of an unknown field, the field of a wrong value); on a tie the later-applied one, a patch over the
 * resource it patches.
 */
function pickDoc(docs: readonly SourceDoc[], pointer: string | undefined): { doc: SourceDoc; line: number | undefined } | undefined {
  let best: { doc: SourceDoc; line: number | undefined; depth: number } | undefined;
  for (const doc of docs) {
    const m = pointerMatch(doc, pointer);
    if (!best || m.depth >= best.depth) best = { doc, ...m };
  }
  return best;
}

/** Loads the schemas the resources need, each once, concurrently. */
export async function loadSchemasFor(resources: Iterable<SourcedResource>): Promise<void> {
  // By apiVersion, then kind: no key string per resource.
  const wanted = new Map<string, Set<string>>();
  for (const r of resources) {
    const { apiVersion, kind } = r.object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
    let kinds = wanted.get(apiVersion);
    if (!kinds) wanted.set(apiVersion, (kinds = new Set()));
    kinds.add(kind);
  }
  await Promise.all([...wanted].flatMap(([a, kinds]) => [...kinds].map((k) => loadSchema(a, k))));
}

/** push(...items) without spreading: hundreds of thousands of arguments overflow the call stack. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

type Checked = { status: Status; findings: readonly Finding[] };
/** The common outcomes, shared: most resources are valid, and nothing is allocated for them. */
const VALID: Checked = Object.freeze({ status: 'valid', findings: Object.freeze([]) });
const SKIPPED: Checked = Object.freeze({ status: 'skipped', findings: Object.freeze([]) });

function missingSchemaHint(apiVersion: string, kind: string): string {
  const guess = suggestSchema(apiVersion, kind);
  if (guess.apiVersion) return `Did you mean \`apiVersion: ${guess.apiVersion}\`? ${kind} has a schema there.`;
  if (guess.kind) return `Did you mean \`kind: ${guess.kind}\`?`;
  return `Check apiVersion and kind for typos; for a kind the toolkit does not know, pass --ignore-missing-schemas or --skip ${kind}.`;
}

function checkResource(r: SourcedResource, skip: ReadonlySet<string>, ignoreMissing: boolean, withLine: boolean): Checked {
  const { apiVersion, kind } = r.object;
  if (skip.size > 0 && skip.has(kind)) return SKIPPED;
  // Built only for findings: on 10,000 valid resources the names alone were a measurable share.
  const base = () => ({ severity: 'error' as const, file: r.file, resource: resourceRef(r.object), source: 'toolkit' as const, ...(withLine ? { line: r.line } : {}) });
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    return {
      status: 'invalid',
      findings: [{ ...base(), rule: 'schema', pointer: '/apiVersion', message: 'missing required field "apiVersion".', hint: 'Add `apiVersion:` (for example `v1` or `apps/v1`) above `kind`.' }],
    };
  }
  const schema = loadedSchema(apiVersion, kind);
  if (schema === undefined) throw new Error(`Schema for ${apiVersion} ${kind} was not loaded; call loadSchemasFor() first.`);
  if (schema === null) {
    if (ignoreMissing) return SKIPPED;
    return {
      status: 'invalid',
      findings: [
        {
          ...base(),
          rule: 'missing-schema',
          pointer: '/kind',
          message: `No schema for ${kind} (${apiVersion}), so it cannot be checked.`,
          hint: missingSchemaHint(apiVersion, kind),
        },
      ],
    };
  }
  const { errors, unknown } = schema.validator.check(r.object as unknown as Record<string, unknown>);
  const admission = schema.family === 'istio' ? admissionProblems(r.object) : [];
  if (errors.length === 0 && unknown.length === 0 && admission.length === 0) return VALID;
  const problems = mergeAdmission([...unknown.map((u) => unknownFieldProblem(u, kind)), ...schemaProblems(errors, r.object)], admission);
  if (problems.length === 0) return VALID;
  problems.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  const at = base();
  const findings = problems.map((p) => ({ ...at, rule: p.rule, severity: p.severity, pointer: p.pointer, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
  return { status: findings.some((f) => f.severity === 'error') ? 'invalid' : 'valid', findings };
}

function validateLoaded(resources: readonly SourcedResource[], opts: SchemaOptions, withLine: boolean): { statuses: Status[]; findings: Finding[] } {
  const skip = new Set(opts.skipKinds ?? []);
  const ignoreMissing = opts.ignoreMissingSchemas ?? false;
  const statuses: Status[] = [];
  const findings: Finding[] = [];
  for (const r of resources) {
    const result = checkResource(r, skip, ignoreMissing, withLine);
    statuses.push(result.status);
    append(findings, result.findings);
  }
  return { statuses, findings };
}

/**
 * Pure, in-process schema validation. Schemas load lazily, so call `await loadSchemasFor(resources)` first
 * (or use validateResourcesAsync); a kind whose schema was not loaded throws.
 */
export function validateResources(resources: SourcedResource[], opts: SchemaOptions = {}): Finding[] {
  return validateLoaded(resources, opts, true).findings;
}

/** loadSchemasFor + validateResources. */
export async function validateResourcesAsync(resources: SourcedResource[], opts: SchemaOptions = {}): Promise<Finding[]> {
  await loadSchemasFor(resources);
  return validateResources(resources, opts);
}

function summarize(findings: readonly Finding[], units: readonly RenderedUnit[], statuses: Status[], invalidRefs: Set<string>, kubeconform: KubeconformUse): ValidationSummary {
  const summary: ValidationSummary = { resources: 0, valid: 0, invalid: 0, skipped: 0, errors: 0, warnings: 0, infos: 0, silenced: 0, units: units.length, kubeconform };
  let i = 0;
  for (const unit of units) {
    for (const r of unit.resources) {
      const status = statuses[i++];
      summary.resources++;
      if (status === 'skipped') summary.skipped++;
      else if (status === 'invalid' || (invalidRefs.size > 0 && invalidRefs.has(`${unit.source}\u0000${resourceRef(r.object)}`))) summary.invalid++;
      else summary.valid++;
    }
  }
  for (const f of findings) {
    if (f.silenced) summary.silenced++;
    else if (f.severity === 'error') summary.errors++;
    else if (f.severity === 'warning') summary.warnings++;
    else summary.infos++;
  }
  return summary;
}

/**
 * Points findings at the line of their field: in the file for file and stdin units, and for a rendered
 * kustomization in the source file that writes the resource (see sourceDocs and pickDoc). A finding on a
 * rendered resource that cannot be traced keeps the directory and loses any line, which would be a line
 * of kustomize's output.
 */
async function attachLines(root: string, loaded: Loaded, findings: Finding[]): Promise<void> {
  const { unit } = loaded;
  const byRef = new Map<string, SourcedResource>();
  for (const r of unit.resources) byRef.set(resourceRef(r.object), r);
  if (unit.kind !== 'kustomization') {
    if (loaded.text === undefined) return;
    const docs = (loaded.docs ??= docsOf(loaded.text, unit.source, unit.resources));
    for (const f of findings) {
      const r = f.resource ? byRef.get(f.resource) : undefined;
      const doc = r ? docs.get(r) : undefined;
      if (doc) f.line = pointerLine(doc, f.pointer) ?? f.line;
    }
    return;
  }
  if (!loaded.abs) return;
  const index = await (loaded.sources ??= sourceDocs(root, loaded.abs));
  for (const f of findings) {
    if (f.file !== unit.source) continue;
    const r = f.resource ? byRef.get(f.resource) : undefined;
    const docs = r ? index.get(docKey(r.object.kind, r.object.metadata?.name)) : undefined;
    const pick = docs ? pickDoc(docs, f.pointer) : undefined;
    if (!pick) {
      delete f.line;
      continue;
    }
    f.file = pick.doc.file;
    f.line = pick.line ?? pick.doc.start + 1;
  }
}

export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const root = resolve(options.root);
  const progress = options.onProgress ?? (() => undefined);
  const concurrency = options.concurrency ?? availableParallelism();
  const findings: Finding[] = [];

  const paths = options.paths?.length ? options.paths : await findKustomizations(root);
  const targets = await resolveTargets(root, paths, findings);
  const rendering = targets.filter((t) => t.kind === 'kustomization').length;
  if (rendering > 0) progress(`Rendering ${rendering} kustomization${rendering === 1 ? '' : 's'} with kustomize (${concurrency} at a time)...`);
  const loaded = await mapBounded(targets, rendering > 0 ? concurrency : 1, (t) => loadUnit(root, t, options.stdin));
  const units = loaded.map((l) => l.unit);
  for (const l of loaded) append(findings, l.findings);

  const all = units.flatMap((u) => u.resources);
  progress(`Validating ${all.length} resource${all.length === 1 ? '' : 's'} from ${units.length} unit${units.length === 1 ? '' : 's'}...`);
  await loadSchemasFor(all);
  const statuses: Status[] = [];
  // Resources with an error finding, keyed by the unit they were rendered in: recorded before findings are
  // traced to source files, so a resource an analyzer or kubeconform rejects is counted invalid too.
  const invalidRefs = new Set<string>();
  const noteInvalid = (unit: RenderedUnit, list: readonly Finding[]) => {
    for (const f of list) {
      if (f.resource && f.severity === 'error' && !f.silenced) invalidRefs.add(`${unit.source}\u0000${f.resource}`);
    }
  };
  for (const l of loaded) {
    const unit = l.unit;
    const result = validateLoaded(unit.resources, options, unit.kind !== 'kustomization');
    append(result.findings, inputFindings(unit.resources, unit.kind === 'kustomization', l.text?.length));
    append(statuses, result.statuses);
    noteInvalid(unit, result.findings);
    if (result.findings.length > 0) await attachLines(root, l, result.findings);
    append(findings, result.findings);
  }

  const kc = options.kubeconform ?? {};
  const binary = kc.binary === false ? undefined : (kc.binary ?? findKubeconform(kc.env ?? process.env));
  const kubeconform: KubeconformUse = kc.binary === false ? 'disabled' : binary ? 'ran' : 'not-found';
  if (binary) {
    progress(`Running kubeconform (${binary}) on the same resources...`);
    const results = await mapBounded(units, concurrency, (unit) =>
      runKubeconform(unit.resources, unit.source, { binary, schemaLocations: kc.schemaLocations, ignoreMissingSchemas: options.ignoreMissingSchemas, skipKinds: options.skipKinds }),
    );
    for (const [i, r] of results.entries()) {
      // kubeconform saw kustomize's output; its findings go back to the source files like the toolkit's.
      noteInvalid((loaded[i] as Loaded).unit, r);
      if (r.length > 0) await attachLines(root, loaded[i] as Loaded, r);
      append(findings, r);
    }
  }
  // Not found is reported in summary.kubeconform; the CLI says it once, whatever the verbosity.

  const analyzers = options.analyzers ?? [];
  if (analyzers.length > 0) {
    const ctx: AnalyzerContext = { root };
    for (const l of loaded) {
      const unit = l.unit;
      // A unit that did not render has nothing to judge: its expectations would only restate the failure.
      if (l.findings.some((f) => f.rule === 'render')) continue;
      const unitFindings: Finding[] = [];
      for (const analyzer of analyzers) {
        try {
          append(unitFindings, await analyzer(unit, ctx));
        } catch (error) {
          findings.push({
            rule: 'analyzer',
            severity: 'error',
            file: unit.source,
            message: `An analyzer (${analyzer.name || 'anonymous'}) failed: ${(error as Error).message}`,
            hint: 'This is a bug in the analyzer; run with --debug and report it.',
          });
        }
      }
      noteInvalid(unit, unitFindings);
      if (unitFindings.length > 0) await attachLines(root, l, unitFindings);
      append(findings, unitFindings);
    }
  }

  const skipped = units.flatMap((u) => u.resources).filter((_, i) => statuses[i] === 'skipped');
  return { findings, summary: summarize(findings, units, statuses, invalidRefs, kubeconform), units, skipped };
}
