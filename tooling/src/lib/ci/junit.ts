// JUnit XML for the CI check run, built from `npm run validate -- --output json` so the workflow validates
// once and derives both reports from that one run. Data in, XML out.
import type { Finding } from '../findings.ts';
import { escapeXml } from '../validate/output.ts';
import type { ValidationReport } from './summary.ts';

interface Case {
  name: string;
  findings: Finding[];
}

const SUITE = 'npm run validate';

function fails(f: Finding): boolean {
  return f.severity === 'error' && !f.silenced;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(f: Finding): string {
  const where = f.file ? `at ${f.file}${f.line ? `:${f.line}` : ''}` : '';
  const what = [f.resource, f.pointer].filter(Boolean).join(' ');
  const tag = f.silenced ? `${f.severity}, silenced` : f.severity;
  return [`[${f.rule}] (${tag}) ${what ? `${what}: ` : ''}${f.message}`, where, f.hint ? `hint: ${f.hint}` : ''].filter(Boolean).join('\n');
}

/**
 * One testsuite per file that has findings, one testcase per resource in it (or `<file> (file)` for
 * findings about the file itself), failing when it has an unsilenced error; warnings, infos and
 * silenced findings are kept in the case's system-out. A first suite holds one passing case that
 * carries the run's tally, so a clean run still reports what it checked.
 */
export function junitFromReport(report: ValidationReport): string {
  const byFile = new Map<string, Map<string, Case>>();
  for (const f of report.findings) {
    const file = f.file ?? '(no file)';
    const name = f.resource ?? `${file} (file)`;
    let cases = byFile.get(file);
    if (!cases) byFile.set(file, (cases = new Map()));
    let c = cases.get(name);
    if (!c) cases.set(name, (c = { name, findings: [] }));
    c.findings.push(f);
  }
  const s = report.summary;
  const tallyName = `${plural(s.resources, 'resource')} in ${plural(s.units, 'unit')}: ${s.valid} valid, ${s.invalid} invalid, ${s.skipped} skipped; `
    + `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')}, ${s.silenced} silenced`;
  const suites: { name: string; cases: Case[] }[] = [{ name: SUITE, cases: [{ name: tallyName, findings: [] }] }];
  for (const [file, cases] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const list = [...cases.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const c of list) c.findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
    suites.push({ name: file, cases: list });
  }

  const failing = (c: Case) => c.findings.some(fails);
  const total = suites.reduce((n, x) => n + x.cases.length, 0);
  const failed = suites.reduce((n, x) => n + x.cases.filter(failing).length, 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="${SUITE}" tests="${total}" failures="${failed}" errors="0">`);
  for (const suite of suites) {
    const suiteName = escapeXml(suite.name);
    lines.push(`  <testsuite name="${suiteName}" tests="${suite.cases.length}" failures="${suite.cases.filter(failing).length}" errors="0" skipped="0">`);
    for (const c of suite.cases) {
      const open = `    <testcase classname="${suiteName}" name="${escapeXml(c.name)}"`;
      if (c.findings.length === 0) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      const errors = c.findings.filter(fails);
      const rest = c.findings.filter((f) => !fails(f));
      const first = errors[0];
      if (first) {
        lines.push(`      <failure message="${escapeXml(first.message)}" type="${escapeXml(first.rule)}">${escapeXml(errors.map(describe).join('\n\n'))}</failure>`);
      }
      if (rest.length > 0) lines.push(`      <system-out>${escapeXml(rest.map(describe).join('\n\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
