// One on-disk render cache per test run, shared by every test file: each distinct kustomize input is built
// once per run (by whichever file asks first), not once per file, and a run never reads renders left by an
// earlier run. Set before the workers start, so they inherit it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'toolkit-renders-'));
  process.env.TOOLKIT_RENDER_CACHE = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
