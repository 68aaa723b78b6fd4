// A throwaway copy of this repository's GitOps content (apps, exercises, clusters, the README and the
// workflows), for tests that add and remove clusters and exercises with the real commands.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../gitops/support.ts';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { defaultAnalyzers } from '../../tooling/src/lib/validate/analyzers.ts';
import type { Finding } from '../../tooling/src/lib/findings.ts';

export const CONTENT = ['apps', 'exercises', 'clusters', 'kind', 'README.md', '.github', 'package.json'];

export async function copyRepo(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'workshop-copy-'));
  for (const entry of CONTENT) await cp(join(ROOT, entry), join(root, entry), { recursive: true });
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Everything `npm run validate` would say about these paths (all analyzers, no kubeconform). */
export async function findingsOf(root: string, paths?: string[]): Promise<{ findings: Finding[]; resources: number }> {
  const report = await validate({ root, paths, analyzers: defaultAnalyzers, kubeconform: { binary: false } });
  return { findings: report.findings, resources: report.summary.resources };
}
