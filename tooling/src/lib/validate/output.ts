// The three report formats of `npm run validate`: text for people (grouped by file, tally last), json for
// scripts ({ findings, summary }), and JUnit XML for CI test reports (a suite per unit, a case per resource).
import { posix } from 'node:path';
import type { Finding } from '../findings.ts';
import { resourceRef } from '../manifests.ts';
import type { ValidationReport, ValidationSummary } from './index.ts';

const { dirname } = posix;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function tally(s: ValidationSummary): string {
  let line = `${plural(s.resources, 'resource')}: ${s.valid} valid, ${s.invalid} invalid, ${s.skipped} skipped; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  if (s.infos) line += `, ${plural(s.infos, 'info')}`;
  if (s.silenced) line += ` (${s.silenced} silenced)`;
  if (s.kubeconform) line += `; kubeconform: ${s.kubeconform === 'not-found' ? 'not found' : s.kubeconform}`;
  if (s.kustomize) {
    const k = s.kustomize;
    line += `; rendered with ${k.name}: ${plural(k.builds, 'build')} for ${plural(k.requested, 'kustomization')} (${k.distinct} distinct, ${k.cached} from the cache)`;
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

// XML 1.0 forbids most control characters even when escaped, so they are dropped.
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function describeFinding(f: Finding): string {
  const loc = f.line ? `${f.file}:${f.line}` : (f.file ?? '');
  const what = [f.resource, f.pointer].filter(Boolean).join(' ');
  return [`[${f.rule}] ${what ? `${what}: ` : ''}${f.message}`, loc && `at ${loc}`, f.hint && `hint: ${f.hint}`].filter(Boolean).join('\n');
}

interface Case {
  name: string;
  failures: Finding[];
  skipped: boolean;
}

/** One testsuite per unit, one testcase per resource (plus one for file-level findings), failures for errors. */
export function formatJunit(report: ValidationReport): string {
  const failing = (f: Finding) => f.severity === 'error' && !f.silenced;
  const suites: { name: string; cases: Case[] }[] = [];
  const claimed = new Set<Finding>();
  const skippedSet = new Set(report.skipped ?? []);
  for (const unit of report.units) {
    // Findings of a rendered unit may name a manifest file inside its directory instead of the directory.
    const mine = report.findings.filter((f) => f.file === unit.source || (unit.kind === 'kustomization' && f.file !== undefined && dirname(f.file) === unit.source));
    const cases: Case[] = unit.resources.map((r) => {
      const ref = resourceRef(r.object);
      const failures = mine.filter((f) => f.resource === ref && failing(f));
      for (const f of mine) if (f.resource === ref) claimed.add(f);
      const skipped = failures.length === 0 && skippedSet.has(r);
      return { name: ref, failures, skipped };
    });
    const loose = mine.filter((f) => !claimed.has(f));
    for (const f of loose) claimed.add(f);
    if (loose.some(failing) || unit.resources.length === 0) cases.unshift({ name: `${unit.source} (file)`, failures: loose.filter(failing), skipped: false });
    suites.push({ name: unit.source, cases });
  }
  const orphans = report.findings.filter((f) => !claimed.has(f) && failing(f));
  if (orphans.length) suites.push({ name: 'inputs', cases: orphans.map((f) => ({ name: f.file ?? f.rule, failures: [f], skipped: false })) });

  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const failed = suites.reduce((n, s) => n + s.cases.filter((c) => c.failures.length).length, 0);
  lines.push(`<testsuites name="npm run validate" tests="${total}" failures="${failed}" errors="0">`);
  for (const suite of suites) {
    const f = suite.cases.filter((c) => c.failures.length).length;
    const s = suite.cases.filter((c) => c.skipped).length;
    lines.push(`  <testsuite name="${escapeXml(suite.name)}" tests="${suite.cases.length}" failures="${f}" errors="0" skipped="${s}">`);
    for (const c of suite.cases) {
      const open = `    <testcase classname="${escapeXml(suite.name)}" name="${escapeXml(c.name)}"`;
      if (c.failures.length) {
        const first = c.failures[0] as Finding;
        lines.push(`${open}>`);
        lines.push(`      <failure message="${escapeXml(first.message)}" type="${escapeXml(first.rule)}">${escapeXml(c.failures.map(describeFinding).join('\n\n'))}</failure>`);
        lines.push('    </testcase>');
      } else if (c.skipped) {
        lines.push(`${open}>`, '      <skipped/>', '    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
