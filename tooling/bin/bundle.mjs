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
/** Bump when the build options below change, so existing bundles are rebuilt. */
const FORMAT = 1;
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

function esbuildVersion() {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(TOOLING), 'node_modules', 'esbuild', 'package.json'), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

/** What the bundle is built from; a change to any of it means a new bundle. */
export function fingerprint(tooling = TOOLING) {
  const sources = join(tooling, 'src');
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT}\nesbuild ${esbuildVersion()}\n`);
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
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

/**
 * Removes bundles other than `keep` that are old enough that no running command still reads them.
 * @param {string} dist
 * @param {string} keep
 */
function prune(dist, keep) {
  let entries;
  try {
    entries = readdirSync(dist, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const path = join(dist, entry.name);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

/**
 * Builds the bundle for the current sources unless it exists, and returns its directory.
 * @param {{ log?: (message: string) => void, tooling?: string }} [options]
 */
export async function ensureBundle(options = {}) {
  const tooling = options.tooling ?? TOOLING;
  const dist = join(tooling, 'dist');
  const id = fingerprint(tooling);
  const target = join(dist, id);
  if (existsSync(join(target, 'build.json'))) return target;
  options.log?.(`Building the toolkit from tooling/src into tooling/dist/${id} (once per change of the sources)...`);
  const { build } = await import('esbuild');
  mkdirSync(dist, { recursive: true });
  const temp = join(dist, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await build({
      entryPoints: commands(tooling).map((name) => ({ in: join(tooling, 'src', 'cli', `${name}.ts`), out: name })),
      outdir: temp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Dependencies stay in node_modules: the schema packages are imported per kind at run time.
      packages: 'external',
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: 'linked',
      logLevel: 'error',
    });
    // Written last: a directory without it is an unfinished build.
    writeFileSync(join(temp, 'build.json'), `${JSON.stringify({ fingerprint: id, commands: commands(tooling) }, null, 2)}\n`);
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process finished the same build first; theirs is identical.
      if (existsSync(join(target, 'build.json'))) return target;
      // Not a bundle of ours (no build.json): something else wrote there. Replace it.
      if (!existsSync(target)) throw error;
      rmSync(target, { recursive: true, force: true });
      renameSync(temp, target);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  prune(dist, id);
  return target;
}

// `node tooling/bin/bundle.mjs` (npm's `prepare`): build now, so the first command starts at full speed.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = await ensureBundle();
  process.stdout.write(`Toolkit bundle: ${relative(process.cwd(), dir) || dir}\n`);
}
