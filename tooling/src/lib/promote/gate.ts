// The validation gate of a promotion: the one place that calls the validate library, so the dependency
// (and its result shape) lives here. Any error finding stops a promotion before anything is pushed.
import type { Finding } from '../findings.ts';
import { validate } from '../validate/index.ts';
import { defaultAnalyzers } from '../validate/analyzers.ts';

export interface GateResult {
  /** Kustomization directories that were validated, repository-relative. */
  paths: string[];
  findings: Finding[];
  errors: number;
  warnings: number;
  infos: number;
}

/** Validates the changed clusters' exercise folders inside `root` with the default analyzers. */
export async function runGate(root: string, clusters: readonly string[]): Promise<GateResult> {
  const paths = clusters.map((c) => `clusters/${c}/exercise`);
  // Two builds at a time: the machine running a workshop is often a laptop, and a promotion checks few units.
  const { findings } = await validate({ root, paths, analyzers: defaultAnalyzers, concurrency: 2 });
  return summarize(paths, findings);
}

export function summarize(paths: string[], findings: readonly Finding[]): GateResult {
  const active = findings.filter((f) => !f.silenced);
  return {
    paths,
    findings: [...findings],
    errors: active.filter((f) => f.severity === 'error').length,
    warnings: active.filter((f) => f.severity === 'warning').length,
    infos: active.filter((f) => f.severity === 'info').length,
  };
}

/** One line per finding: `severity rule: file:line Kind ns/name: message (hint)`. */
export function formatFinding(f: Finding): string {
  const where = [f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '', f.resource ?? ''].filter(Boolean).join(' ');
  return `${f.severity} ${f.rule}: ${where ? `${where}: ` : ''}${f.message}${f.hint ? ` (${f.hint})` : ''}`;
}
