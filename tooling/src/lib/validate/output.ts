// The report formats of `npm run validate`: text for people (grouped by file, tally last) and json for
// scripts ({ findings, summary }); JUnit XML for CI test reports is lib/junit.ts.
import type { Finding } from '../findings.ts';
import type { ValidationReport, ValidationSummary } from './index.ts';
import { plural } from '../plural.ts';

export function tally(s: ValidationSummary): string {
  let line = `${plural(s.resources, 'resource')}: ${s.valid} valid, ${s.invalid} invalid, ${s.skipped} skipped; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  if (s.infos) line += `, ${plural(s.infos, 'info')}`;
  if (s.silenced) line += ` (${s.silenced} silenced)`;
  if (s.kubeconform) line += `; kubeconform: ${s.kubeconform === 'not-found' ? 'not found' : s.kubeconform}`;
  if (s.kustomize) {
    const k = s.kustomize;
    line += `; rendered with ${k.name}: ${plural(k.builds, 'build')} for ${plural(k.requested, 'kustomization')} (${k.distinct} distinct, ${k.cached} from the cache, ${k.reused} reused)`;
  }
  return line;
}

// C0 and C1 controls (ESC starts terminal sequences, CR and LF forge lines), line separators and the
// bidirectional overrides that make text read differently from what it is.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes untrusted text (resource names, file names, messages that quote them) safe to print on a terminal:
 * every control character becomes a visible escape (`\n`, `\u001b`), so one finding stays one line.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function byFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.file ?? '(no file)';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(f);
  }
  for (const list of groups.values()) list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return groups;
}

export interface TextOptions {
  /** Leave out hints (for --quiet). */
  hints?: boolean;
}

/** Findings grouped by file, each with its location, rule and hint, then the tally line. */
export function formatText(report: ValidationReport, options: TextOptions = {}): string {
  const out: string[] = [];
  for (const [file, list] of [...byFile(report.findings)].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(escapeControl(file));
    for (const f of list) {
      const where = f.line ? `${f.line}` : '-';
      const what = escapeControl([f.resource, f.pointer].filter(Boolean).join(' '));
      const tag = f.silenced ? `${f.severity} (silenced)` : f.severity;
      const from = f.source === 'kubeconform' ? ' [kubeconform]' : '';
      out.push(`  ${where.padStart(4)}  ${tag.padEnd(7)}  ${escapeControl(f.rule)}${from}  ${what ? `${what}: ` : ''}${escapeControl(f.message)}`);
      if (f.hint && options.hints !== false) out.push(`        hint: ${escapeControl(f.hint)}`);
    }
    out.push('');
  }
  out.push(tally(report.summary));
  return `${out.join('\n')}\n`;
}

/** `{ findings, summary }`; units are left out because their resources are the user's own manifests. */
export function formatJson(report: ValidationReport): string {
  return `${JSON.stringify({ findings: report.findings, summary: report.summary }, null, 2)}\n`;
}
