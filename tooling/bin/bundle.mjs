// @ts-check
// The toolkit's commands run from an esbuild bundle of tooling/src, not through a TypeScript loader: loading
// tsx and transforming some hundred modules cost about 0.2 s of every command's start-up, which the validate
// speed target (docs/validate.md#speed) cannot spare. Plain JavaScript, so node runs it without a loader.
//
// A bundle lives in tooling/dist/<fingerprint>/, where the fingerprint covers every source file (path, size,
// modification time), this file and the esbuild version. Built by `npm ci` (the `prepare` script) and again by
// the launcher whenever a source changed, so an edited checkout never runs stale code. Concurrent builds are
// safe: each writes a private directory and renames it into place.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** The tooling/ directory: sources in src/, commands in src/cli/, bundles in dist/. Tests pass another. */
export const TOOLING = dirname(dirname(fileURLToPath(import.meta.url)));
/** A bundle another process may still be loading chunks from is kept at least this long after it was replaced. */
const KEEP_OLD_MS = 10 * 60 * 1000;

/** @param {string} dir @param {string[]} out */
function listSources(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listSources(path, out);
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * The version of an installed package, or 'missing'. Fingerprints include esbuild's, since another esbuild
 * may build differently, and the schema bundle's those of the packages it bundles.
 * @param {string} tooling
 * @param {string} pkg
 */
export function installedVersion(tooling, pkg) {
  try {
    return String(JSON.parse(readFileSync(join(dirname(tooling), 'node_modules', pkg, 'package.json'), 'utf8')).version);
  } catch {
    return 'missing';
  }
}

/** What the bundle is built from; a change to any of it means a new bundle. */
export function fingerprint(tooling = TOOLING) {
  const sources = join(tooling, 'src');
  const hash = createHash('sha256');
  // This file's own text covers the build options: changing them means a new bundle.
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(`esbuild ${installedVersion(tooling, 'esbuild')}\n`);
  for (const file of listSources(sources, []).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(sources, file).split(sep).join('/')} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The command names: one per file in tooling/src/cli. */
export function commands(tooling = TOOLING) {
  return readdirSync(join(tooling, 'src', 'cli'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** A command bundle's directory name: its fingerprint. Other kinds of bundle have a prefix (schema-bundle.mjs). */
const COMMAND_BUNDLE = /^[0-9a-f]{16}$/;

/**
 * Removes the bundles in `dist` whose names `prefix` picks out (a string prefix, or command bundles when
 * omitted), other than `keep`, that are old enough that no running command still reads them.
 * @param {string} dist
 * @param {string} keep
 * @param {string} [prefix]
 */
export function prune(dist, keep, prefix) {
  let entries;
  try {
    entries = readdirSync(dist, { withFileTypes: true });
  } catch {
    return;
  }
  const ours = (/** @type {string} */ name) => (prefix === undefined ? COMMAND_BUNDLE.test(name) : name.startsWith(prefix));
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === keep || !ours(entry.name)) continue;
    const path = join(dist, entry.name);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/** @typedef {(options: import('esbuild').BuildOptions) => Promise<unknown>} Build */

/** What every bundle is: ES modules for this Node, split into shared chunks. */
const COMMON_OPTIONS = /** @type {const} */ ({
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'error',
});

/**
 * Returns tooling/dist/<id>, first building it with `fill` unless a finished build is there. `fill` builds
 * into a private temporary directory, through the given `build` (esbuild with COMMON_OPTIONS and that
 * directory as outdir), and returns what build.json records; build.json is written last, so a
 * directory without it is an unfinished build. Concurrent builds of the same id are safe: the first rename
 * wins and the others, being identical, are dropped.
 * @param {string} tooling
 * @param {string} id
 * @param {((target: string) => void) | undefined} announce called before building, with the target's path
 * @param {(temp: string, build: Build) => Promise<Record<string, unknown>>} fill
 */
export async function buildInto(tooling, id, announce, fill) {
  const dist = join(tooling, 'dist');
  const target = join(dist, id);
  if (existsSync(join(target, 'build.json'))) return target;
  announce?.(`tooling/dist/${id}`);
  const esbuild = await import('esbuild');
  mkdirSync(dist, { recursive: true });
  const temp = join(dist, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const record = await fill(temp, (options) => esbuild.build({ ...COMMON_OPTIONS, outdir: temp, ...options }));
    writeFileSync(join(temp, 'build.json'), `${JSON.stringify(record, null, 1)}\n`);
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process finished the same build first; theirs is identical.
      if (existsSync(join(target, 'build.json'))) return target;
      // Not a finished bundle (no build.json): a crashed build or something else. Replace it.
      if (!existsSync(target)) throw error;
      rmSync(target, { recursive: true, force: true });
      renameSync(temp, target);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return target;
}

/**
 * Builds the bundle for the current sources unless it exists, and returns its directory.
 * @param {{ log?: (message: string) => void, tooling?: string }} [options]
 */
export async function ensureBundle(options = {}) {
  const tooling = options.tooling ?? TOOLING;
  const id = fingerprint(tooling);
  const log = options.log;
  const target = await buildInto(tooling, id, log && ((where) => log(`Building the toolkit from tooling/src into ${where} (once per change of the sources)...`)), async (_temp, build) => {
    await build({
      entryPoints: commands(tooling).map((name) => ({ in: join(tooling, 'src', 'cli', `${name}.ts`), out: name })),
      // Dependencies stay in node_modules; the schema packages have a bundle of their own (schema-bundle.mjs).
      packages: 'external',
      sourcemap: 'linked',
    });
    return { fingerprint: id, commands: commands(tooling) };
  });
  prune(join(tooling, 'dist'), id);
  return target;
}

// `node tooling/bin/bundle.mjs` (npm's `prepare`): build now, so the first command starts at full speed.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await ensureBundle();
  process.stdout.write(`Toolkit bundle: ${relative(process.cwd(), dir) || dir}\n`);
}
