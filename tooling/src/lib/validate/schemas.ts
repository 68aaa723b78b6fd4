// Finds and loads the in-process schema for an apiVersion/kind, once: core kinds from kubernetes-models,
// Istio, Flux and Argo CD from @kubernetes-models/*, Flagger's kinds from flagger.ts. Modules are imported
// lazily per kind because importing whole packages costs seconds of start-up. When the launcher names a
// bundle of the packages (tooling/bin/schema-bundle.mjs), a kind's module comes from there: the same code in
// a few files instead of a few dozen, which loads about three times faster.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SchemaCompiler } from '../ajv.ts';
import { closest } from '../suggest.ts';
import { FLAGGER_KINDS } from './flagger.ts';
import { StrictValidator, type ErrorList, type RawValidator } from './strict.ts';

export type SchemaFamily = 'kubernetes' | 'istio' | 'flux' | 'argo-cd' | 'flagger';

export interface KindSchema {
  family: SchemaFamily;
  validator: StrictValidator;
}

interface Location {
  family: SchemaFamily;
  pkg: string;
  /** Module path inside the package, or '' for the project's own schema. */
  file: string;
}

// Untrusted input becomes part of a module path, so both parts must look like Kubernetes names.
const API_VERSION = /^(?:([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)\/)?(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;

function locate(apiVersion: string, kind: string): Location | undefined {
  const m = API_VERSION.exec(apiVersion);
  if (!m || !KIND.test(kind)) return undefined;
  const group = m[1] ?? '';
  const version = m[2] as string;
  if (group.includes('..')) return undefined;
  if (group === 'flagger.app') {
    return (FLAGGER_KINDS as readonly string[]).includes(kind) && version === 'v1beta1' ? { family: 'flagger', pkg: '', file: '' } : undefined;
  }
  if (group === 'istio.io' || group.endsWith('.istio.io')) return { family: 'istio', pkg: '@kubernetes-models/istio', file: `${group}/${version}/${kind}.js` };
  if (group.endsWith('.toolkit.fluxcd.io')) return { family: 'flux', pkg: '@kubernetes-models/flux-cd', file: `${group}/${version}/${kind}.js` };
  if (group === 'argoproj.io') return { family: 'argo-cd', pkg: '@kubernetes-models/argo-cd', file: `${group}/${version}/${kind}.js` };
  if (group === '') return version === 'v1' ? { family: 'kubernetes', pkg: 'kubernetes-models', file: `v1/${kind}.js` } : undefined;
  return { family: 'kubernetes', pkg: 'kubernetes-models', file: `${group}/${version}/${kind}.js` };
}

const packageDirs = new Map<string, string | undefined>();

/** The installed package directory; the packages export only `import` paths, so require.resolve cannot. */
function packageDir(pkg: string): string | undefined {
  if (packageDirs.has(pkg)) return packageDirs.get(pkg);
  let dir = dirname(fileURLToPath(import.meta.url));
  let found: string | undefined;
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) {
      found = candidate;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  packageDirs.set(pkg, found);
  return found;
}

/** Set by tooling/bin/toolkit.mjs to the schema bundle's directory (SCHEMA_BUNDLE_ENV in schema-bundle.mjs). */
export const SCHEMA_BUNDLE_ENV = 'MESH_TOOLKIT_SCHEMAS';

let bundled: Map<string, string> | undefined;

/**
 * The file to import for `<package>/<module path>`: from the schema bundle when there is one and it has the
 * module, else from the installed package (undefined when that is missing too).
 */
export function schemaModuleFile(pkg: string, file: string): string | undefined {
  if (!bundled) {
    bundled = new Map();
    const dir = process.env[SCHEMA_BUNDLE_ENV];
    if (dir) {
      try {
        const { modules } = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as { modules?: Record<string, unknown> };
        for (const [name, out] of Object.entries(modules ?? {})) if (typeof out === 'string') bundled.set(name, join(dir, out));
      } catch {
        // No usable bundle: the packages themselves, a little slower.
      }
    }
  }
  const inBundle = bundled.get(`${pkg}/${file}`);
  if (inBundle) return inBundle;
  const dir = packageDir(pkg);
  if (!dir) return undefined;
  const path = join(dir, file);
  return existsSync(path) ? path : undefined;
}

/** Forgets the schema bundle read from the environment (tests change it). */
export function resetSchemaBundle(): void {
  bundled = undefined;
}

interface ModelClass {
  apiVersion?: string;
  kind?: string;
  prototype: { validate(this: unknown): void };
}

/** The model's validate() throws ajv's ValidationError; this turns it back into an error list. */
function fromModel(model: ModelClass): RawValidator {
  const run = model.prototype.validate;
  return (data) => {
    try {
      run.call(data);
      return null;
    } catch (error) {
      const errors = (error as { errors?: ErrorList }).errors;
      if (Array.isArray(errors)) return errors;
      throw error;
    }
  };
}

type AjvFunction = ((data: unknown, context?: { instancePath: string }) => boolean) & { errors?: ErrorList | null };

let objectMeta: Promise<AjvFunction> | undefined;

/** ObjectMeta as every kubernetes-models kind checks it, for the kinds whose schema this project writes. */
function loadObjectMeta(): Promise<AjvFunction> {
  objectMeta ??= (async () => {
    const file = schemaModuleFile('@kubernetes-models/apimachinery', '_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta.js');
    if (!file) throw new Error('@kubernetes-models/apimachinery is not installed; run npm ci.');
    const mod = (await import(pathToFileURL(file).href)) as { validate: AjvFunction };
    return mod.validate;
  })();
  return objectMeta;
}

let ajv: Promise<SchemaCompiler<AjvFunction>> | undefined;

/** One ajv instance for the schemas this project writes (Flagger's kinds); imported when first needed. */
function loadAjv(): Promise<SchemaCompiler<AjvFunction>> {
  ajv ??= import('../ajv.ts').then(({ newAjv }) => newAjv<AjvFunction>({ allErrors: true, strict: false }));
  return ajv;
}

async function loadFlagger(kind: string): Promise<RawValidator> {
  const [compiler, { FLAGGER_SCHEMAS }, { explainFlaggerErrors }, meta] = await Promise.all([
    loadAjv(),
    import('./flagger.ts'),
    import('./flagger-errors.ts'),
    loadObjectMeta(),
  ]);
  const validate = compiler.compile(FLAGGER_SCHEMAS[kind as keyof typeof FLAGGER_SCHEMAS]);
  return (data) => {
    const errors: ErrorList[number][] = [];
    if (!validate(data)) errors.push(...explainFlaggerErrors(validate.errors ?? [], data, kind));
    const metadata = (data as { metadata?: unknown }).metadata;
    if (metadata && typeof metadata === 'object' && !meta(metadata, { instancePath: '/metadata' })) errors.push(...(meta.errors ?? []));
    return errors.length ? errors : null;
  };
}

/**
 * Fields the API accepts that the packaged schema does not declare, by kind and index-free path. Each entry
 * is a known gap in the generated models, listed in docs/validate.md; keep it short and cite the API.
 */
export const KNOWN_GAPS: Record<string, Record<string, string[]>> = {
  // Argo CD's AppProjectSpec has `description` (pkg/apis/application/v1alpha1 types.go); the 4.0 models omit it.
  'argoproj.io/v1alpha1 AppProject': { '/spec': ['description'] },
};

function gapsOf(apiVersion: string, kind: string): Map<string, Set<string>> {
  return new Map(Object.entries(KNOWN_GAPS[`${apiVersion} ${kind}`] ?? {}).map(([path, keys]) => [path, new Set(keys)]));
}

const cache = new Map<string, Promise<KindSchema | null>>();
/** Loaded schemas by apiVersion, then kind: looked up once per resource, so no key string is built. */
const ready = new Map<string, Map<string, KindSchema | null>>();

export function schemaKey(apiVersion: string, kind: string): string {
  return `${apiVersion}\u0000${kind}`;
}

async function load(apiVersion: string, kind: string): Promise<KindSchema | null> {
  const where = locate(apiVersion, kind);
  if (!where) return null;
  if (where.family === 'flagger') return { family: 'flagger', validator: new StrictValidator(await loadFlagger(kind)) };
  const file = schemaModuleFile(where.pkg, where.file);
  if (!file) return null;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, ModelClass | undefined>;
  const model = mod[kind];
  // Nested types (Container, HTTPRoute) have model files too, but no apiVersion/kind of their own.
  if (!model || model.apiVersion !== apiVersion || model.kind !== kind) return null;
  // Istio's CRDs declare `status` with x-kubernetes-preserve-unknown-fields: typed fields, and any others.
  const open = new Set(where.family === 'istio' ? ['/status'] : []);
  return { family: where.family, validator: new StrictValidator(fromModel(model), gapsOf(apiVersion, kind), open) };
}

/** Loads (once) the schema for each apiVersion/kind; null when there is none. */
export async function loadSchema(apiVersion: string, kind: string): Promise<KindSchema | null> {
  const key = schemaKey(apiVersion, kind);
  let pending = cache.get(key);
  if (!pending) {
    pending = load(apiVersion, kind).then((schema) => {
      let kinds = ready.get(apiVersion);
      if (!kinds) ready.set(apiVersion, (kinds = new Map()));
      kinds.set(kind, schema);
      return schema;
    });
    cache.set(key, pending);
  }
  return pending;
}

/** The schema if loadSchema() has finished for it: a KindSchema, null (none exists), or undefined (not loaded). */
export function loadedSchema(apiVersion: string, kind: string): KindSchema | null | undefined {
  return ready.get(apiVersion)?.get(kind);
}

/** The family a kind would belong to, for messages and docs. */
export function familyOf(apiVersion: string, kind: string): SchemaFamily | undefined {
  return locate(apiVersion, kind)?.family;
}

const VERSIONS = ['v1', 'v2', 'v1beta1', 'v1beta2', 'v1beta3', 'v1alpha1', 'v1alpha2', 'v1alpha3', 'v2beta1', 'v2beta2'];

/**
 * For a missing schema: the apiVersion (same group, another version) or the kind (same apiVersion) that
 * has one, as a did-you-mean; undefined when there is nothing close.
 */
export function suggestSchema(apiVersion: string, kind: string): { apiVersion?: string; kind?: string } {
  const exists = (v: string, k: string) => {
    const where = locate(v, k);
    return where !== undefined && (where.family === 'flagger' || schemaModuleFile(where.pkg, where.file) !== undefined);
  };
  const slash = apiVersion.lastIndexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash + 1) : '';
  const versions = VERSIONS.map((v) => `${group}${v}`).filter((v) => v !== apiVersion && exists(v, kind));
  const version = closest(apiVersion, versions) ?? versions[0];
  if (version) return { apiVersion: version };
  const where = locate(apiVersion, kind);
  const dir = where && where.family !== 'flagger' ? packageDir(where.pkg) : undefined;
  if (!where || !dir) return where?.family === 'flagger' ? pick(kind, [...FLAGGER_KINDS]) : {};
  try {
    const kinds = readdirSync(join(dir, dirname(where.file)))
      .filter((f) => /^[A-Z][A-Za-z0-9]*\.js$/.test(f))
      .map((f) => f.slice(0, -3));
    return pick(kind, kinds);
  } catch {
    return {};
  }
}

function pick(kind: string, kinds: string[]): { kind?: string } {
  const guess = closest(kind, kinds);
  return guess && guess !== kind ? { kind: guess } : {};
}
