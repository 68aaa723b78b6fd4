// The one JUnit XML writer, for `npm run validate -- --output junit` and for `npm run ci:junit` (which reads
// validate's JSON report, so CI validates once). One layout: a first suite whose one passing case carries
// the run's tally, then a suite per unit with a case per resource; where the units are not known (the JSON
// report leaves them out) the files the findings name stand in for them. A case fails on its unsilenced
// errors; its warnings, infos and silenced findings are kept in its system-out.
import { posix } from 'node:path';
import type { Finding } from './findings.ts';
import { resourceRef, type SourcedResource } from './manifests.ts';
import { plural } from './plural.ts';

/** What the writer needs of a validation report. */
export interface JunitInput {
  findings: readonly Finding[];
  summary: { resources: number; units: number; valid: number; invalid: number; skipped: number; errors: number; warnings: number; infos: number; silenced: number };
  /** The units validated, with their resources; undefined when only the findings are known. */
  units?: readonly { source: string; kind: string; resources: readonly SourcedResource[] }[];
  /** Resources not checked (--skip, --ignore-missing-schemas). */
  skipped?: readonly SourcedResource[];
}

interface Case {
  name: string;
  findings: Finding[];
  skipped?: boolean;
}

interface Suite {
  name: string;
  cases: Case[];
}

const SUITE = 'npm run validate';

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

const fails = (f: Finding) => f.severity === 'error' && !f.silenced;

function describe(f: Finding): string {
  const where = f.file ? `at ${f.file}${f.line ? `:${f.line}` : ''}` : '';
  const what = [f.resource, f.pointer].filter(Boolean).join(' ');
  const tag = f.silenced ? `${f.severity}, silenced` : f.severity;
  return [`[${f.rule}] (${tag}) ${what ? `${what}: ` : ''}${f.message}`, where, f.hint ? `hint: ${f.hint}` : ''].filter(Boolean).join('\n');
}

function byFile(findings: readonly Finding[]): Suite[] {
  const files = new Map<string, Map<string, Case>>();
  for (const f of findings) {
    const file = f.file ?? '(no file)';
    const name = f.resource ?? `${file} (file)`;
    let cases = files.get(file);
    if (!cases) files.set(file, (cases = new Map()));
    let c = cases.get(name);
    if (!c) cases.set(name, (c = { name, findings: [] }));
    c.findings.push(f);
  }
  return [...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, cases]) => {
    const list = [...cases.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const c of list) c.findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
    return { name, cases: list };
  });
}

function byUnit(input: JunitInput & { units: NonNullable<JunitInput['units']> }): Suite[] {
  const suites: Suite[] = [];
  const claimed = new Set<Finding>();
  const skipped = new Set(input.skipped ?? []);
  for (const unit of input.units) {
    // A rendered unit's findings name the files inside its directory that write the resource.
    const mine = input.findings.filter((f) => f.file === unit.source || (unit.kind === 'kustomization' && f.file !== undefined && posix.dirname(f.file) === unit.source));
    const cases: Case[] = unit.resources.map((r) => {
      const ref = resourceRef(r.object);
      const findings = mine.filter((f) => f.resource === ref);
      for (const f of findings) claimed.add(f);
      return { name: ref, findings, skipped: !findings.some(fails) && skipped.has(r) };
    });
    const loose = mine.filter((f) => !claimed.has(f));
    for (const f of loose) claimed.add(f);
    if (loose.some(fails) || unit.resources.length === 0) cases.unshift({ name: `${unit.source} (file)`, findings: loose });
    suites.push({ name: unit.source, cases });
  }
  const orphans = input.findings.filter((f) => !claimed.has(f) && fails(f));
  if (orphans.length) suites.push({ name: 'inputs', cases: orphans.map((f) => ({ name: f.file ?? f.rule, findings: [f] })) });
  return suites;
}

/** The JUnit XML of a validation run (see the top of this file for the layout). */
export function formatJunit(input: JunitInput): string {
  const s = input.summary;
  const tally = `${plural(s.resources, 'resource')} in ${plural(s.units, 'unit')}: ${s.valid} valid, ${s.invalid} invalid, ${s.skipped} skipped; `
    + `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.infos, 'info')}, ${s.silenced} silenced`;
  const suites: Suite[] = [
    { name: SUITE, cases: [{ name: tally, findings: [] }] },
    ...(input.units ? byUnit({ ...input, units: input.units }) : byFile(input.findings)),
  ];
  const failing = (c: Case) => c.findings.some(fails);
  const total = suites.reduce((n, x) => n + x.cases.length, 0);
  const failed = suites.reduce((n, x) => n + x.cases.filter(failing).length, 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${SUITE}" tests="${total}" failures="${failed}" errors="0">`];
  for (const suite of suites) {
    const suiteName = escapeXml(suite.name);
    const skippedCount = suite.cases.filter((c) => c.skipped).length;
    lines.push(`  <testsuite name="${suiteName}" tests="${suite.cases.length}" failures="${suite.cases.filter(failing).length}" errors="0" skipped="${skippedCount}">`);
    for (const c of suite.cases) {
      const open = `    <testcase classname="${suiteName}" name="${escapeXml(c.name)}"`;
      const errors = c.findings.filter(fails);
      const rest = c.findings.filter((f) => !fails(f));
      if (errors.length === 0 && rest.length === 0 && !c.skipped) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      const first = errors[0];
      if (first) {
        lines.push(`      <failure message="${escapeXml(first.message)}" type="${escapeXml(first.rule)}">${escapeXml(errors.map(describe).join('\n\n'))}</failure>`);
      } else if (c.skipped) {
        lines.push('      <skipped/>');
      }
      if (rest.length > 0) lines.push(`      <system-out>${escapeXml(rest.map(describe).join('\n\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
