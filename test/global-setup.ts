// Set once per test run, before the workers start, so they inherit it:
// - one on-disk render cache shared by every test file: each distinct kustomize input is built once per run
//   (by whichever file asks first), not once per file, and a run never reads renders left by an earlier run
//   (a vitest run inside this one, see OUTER_RENDERS_ENV, is part of this run);
// - GitHub's REST API description split by operation (openapi-check.ts), so a worker running the GitHub
//   stand-in reads the few operations it meets instead of parsing 73 MB. Kept across runs by package version.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolkitCacheRoot } from '../tooling/src/lib/render/cache.ts';
import { gitEnv, SCRATCH_ENV } from './helpers/git-repo.ts';
import { OPENAPI_SPLIT_ENV, splitDescription } from './helpers/openapi-check.ts';

/** Set by a test that runs vitest inside this run (catalog.test.ts): the inner run uses the outer run's renders. */
export const OUTER_RENDERS_ENV = 'TOOLKIT_TEST_OUTER_RENDERS';

export default function setup(): () => void {
  // Tests must not depend on the machine's git configuration (signing, hooks paths, default branch).
  Object.assign(process.env, gitEnv);
  process.env[OPENAPI_SPLIT_ENV] = splitDescription(toolkitCacheRoot());
  const scratch = mkdtempSync(join(tmpdir(), 'toolkit-test-run-'));
  process.env[SCRATCH_ENV] = scratch;
  const outer = process.env[OUTER_RENDERS_ENV];
  if (outer) {
    process.env.TOOLKIT_RENDER_CACHE = outer;
    return () => rmSync(scratch, { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(tmpdir(), 'toolkit-renders-'));
  process.env.TOOLKIT_RENDER_CACHE = dir;
  return () => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
}
