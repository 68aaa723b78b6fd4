// @ts-check
// The schema packages (kubernetes-models, @kubernetes-models/*) ship one ES module per kind, which imports a
// few dozen small modules (base classes, ajv runtime, format checkers) that Node's module loader resolves,
// reads and compiles one by one: about 40 ms for a VirtualService and a DestinationRule, a tenth of a 10,000
// resource validate run. This bundles every kind once per installed version of the packages, so the same
// kinds load from a handful of files (about 14 ms). validate/schemas.ts reads the index and falls back to the
// packages themselves for anything not in it, so a missing or stale bundle costs speed, never correctness.
//
// A bundle lives in tooling/dist/schemas-<fingerprint>/, where the fingerprint covers the packages' names and
// versions, this file, bundle.mjs and the esbuild version. Built by `npm ci` (with the command bundle) and again by the
// launcher when the packages change.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { buildInto, installedVersion, prune, TOOLING } from './bundle.mjs';

/** The packages whose kinds are bundled, and the one module of another package schemas.ts loads by path. */
export const SCHEMA_PACKAGES = ['kubernetes-models', '@kubernetes-models/istio', '@kubernetes-models/flux-cd', '@kubernetes-models/argo-cd'];
const EXTRA_MODULES = ['@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta.js'];
/** The environment variable through which the launcher tells validate/schemas.ts where the bundle is. */
export const SCHEMA_BUNDLE_ENV = 'MESH_TOOLKIT_SCHEMAS';
const PREFIX = 'schemas-';
/** A model module that declares a top-level kind (`static{this.kind="VirtualService"}` in the generated code). */
const DECLARES_KIND = /\bthis\.kind\s*=\s*"/;

/** @param {string} tooling */
const nodeModules = (tooling) => join(tooling, '..', 'node_modules');

/** What the schema bundle is built from: the installed packages' versions, the build scripts and esbuild's version. */
export function schemaFingerprint(tooling = TOOLING) {
  const hash = createHash('sha256');
  // This file's text, and bundle.mjs's for the build options the two share: changing them means a new bundle.
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(readFileSync(fileURLToPath(new URL('./bundle.mjs', import.meta.url))));
  for (const pkg of ['esbuild', ...SCHEMA_PACKAGES, '@kubernetes-models/apimachinery']) hash.update(`${pkg} ${installedVersion(tooling, pkg)}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The model modules of `pkg` that declare a kind, as package-relative paths (`networking.istio.io/v1beta1/VirtualService.js`).
 * @param {string} dir the package directory
 * @returns {string[]}
 */
function kindModules(dir) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} at */
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '_schemas' && entry.name !== '_definitions' && entry.name !== 'node_modules') walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.js') && DECLARES_KIND.test(readFileSync(path, 'utf8'))) {
        out.push(relative(dir, path).split(sep).join('/'));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Builds the schema bundle for the installed packages unless it exists, and returns its directory. Its
 * build.json maps, under `modules`, `<package>/<module path>` (as schemas.ts names a kind's module) to the bundled file.
 * @param {{ log?: (message: string) => void, tooling?: string, packages?: string[] }} [options] `packages`
 *   limits the build to some of SCHEMA_PACKAGES (tests); the fingerprint does not cover it.
 */
export async function ensureSchemaBundle(options = {}) {
  const tooling = options.tooling ?? TOOLING;
  const id = `${PREFIX}${schemaFingerprint(tooling)}`;
  const modules = nodeModules(tooling);
  const log = options.log;
  const announce = log && ((/** @type {string} */ where) => log(`Bundling the schema packages into ${where} (once per install)...`));
  const dir = await buildInto(tooling, id, announce, async (_temp, build) => {
    /** @type {Record<string, string>} */
    const index = {};
    /** @type {{ in: string, out: string }[]} */
    const entryPoints = [];
    const add = (/** @type {string} */ name) => {
      const out = `kinds/${name.replace(/\.js$/, '')}`;
      index[name] = `${out}.mjs`;
      entryPoints.push({ in: join(modules, name), out });
    };
    for (const pkg of options.packages ?? SCHEMA_PACKAGES) {
      for (const file of kindModules(join(modules, pkg))) add(`${pkg}/${file}`);
    }
    for (const name of EXTRA_MODULES) add(name);
    await build({
      entryPoints,
      // Some format checkers are CommonJS that require() Node built-ins; an ES module has no require of its own.
      banner: { js: "import { createRequire as __toolkitRequire } from 'node:module'; const require = __toolkitRequire(import.meta.url);" },
    });
    return { fingerprint: id, modules: index };
  });
  prune(join(tooling, 'dist'), id, PREFIX);
  return dir;
}

// `node tooling/bin/schema-bundle.mjs`: build now.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await ensureSchemaBundle();
  process.stdout.write(`Schema bundle: ${relative(process.cwd(), dir) || dir}\n`);
}
