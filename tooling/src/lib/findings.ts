// The one shape every check reports in: schema validation, mesh analyzers, render and parse errors,
// kubeconform, and exercise expectations. Output formatters (text, json, junit) read only this.

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export interface Finding {
  /** Stable rule id, e.g. `schema`, `yaml`, `render`, `missing-schema`, `vs-subset-not-found`. */
  rule: string;
  severity: Severity;
  /** Repository-relative file (or kustomization directory) the resource came from. */
  file?: string;
  /** 1-based line in `file`, where known. */
  line?: number;
  /** `Kind namespace/name` (or `Kind name` for cluster-scoped kinds). */
  resource?: string;
  /** RFC 6901 JSON pointer to the offending field inside the resource. */
  pointer?: string;
  message: string;
  /** What the user should do about it. */
  hint?: string;
  /** Which engine produced it: the in-process validators or a kubeconform binary. */
  source?: 'toolkit' | 'kubeconform';
  /** Set when a resource annotation silences this rule: still counted, never fails the run. */
  silenced?: boolean;
}

export function isAtLeast(finding: Finding, threshold: Severity): boolean {
  return !finding.silenced && SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[threshold];
}
