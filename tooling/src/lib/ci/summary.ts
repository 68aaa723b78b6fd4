// Builds the pull request job summary: what the change touches (clusters, exercises, a promotion and
// the exercise it moves to) and the validation findings. Data in, Markdown out.
import { ToolkitError } from '../errors.ts';
import type { Exercise } from '../exercises.ts';
import { SEVERITY_RANK, type Finding, type Severity } from '../findings.ts';
import type { ChangeSet } from './changes.ts';
import type { PointerMove } from './git.ts';
import { cell, code, md, table } from '../markdown.ts';
import type { ValidationSummary as FullSummary } from '../validate/index.ts';

/** The counts of `npm run validate -- --output json` that the summary reads (the JSON has more). */
export type ValidationSummary = Pick<FullSummary, 'resources' | 'valid' | 'invalid' | 'skipped' | 'errors' | 'warnings' | 'infos' | 'silenced' | 'units'>;

export interface ValidationReport {
  findings: Finding[];
  summary: ValidationSummary;
}

const SUMMARY_KEYS: readonly (keyof ValidationSummary)[] = ['resources', 'valid', 'invalid', 'skipped', 'errors', 'warnings', 'infos', 'silenced', 'units'];

/** Parses `npm run validate -- --output json`; throws a ToolkitError naming the file when it is not that. */
export function parseValidationReport(text: string, file: string): ValidationReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ToolkitError(`${file}: not JSON (${(error as Error).message}).`, {
      hint: 'Write it with `npm run --silent validate -- --output json > <file>`; without --silent npm prints a banner first.',
    });
  }
  const r = raw as { findings?: unknown; summary?: Record<string, unknown> };
  if (!r || !Array.isArray(r.findings) || typeof r.summary !== 'object' || r.summary === null) {
    throw new ToolkitError(`${file}: expected an object with \`findings\` and \`summary\`.`, { hint: 'Pass the output of `npm run validate -- --output json`.' });
  }
  const summary = {} as ValidationSummary;
  for (const key of SUMMARY_KEYS) {
    const value = r.summary[key];
    summary[key] = typeof value === 'number' && Number.isFinite(value) ? value : 0;
  }
  const findings = r.findings.filter((f): f is Finding => {
    const x = f as Finding;
    return !!x && typeof x.rule === 'string' && typeof x.message === 'string' && x.severity in SEVERITY_RANK;
  });
  return { findings, summary };
}

export interface SummaryInput {
  report?: ValidationReport;
  changes?: ChangeSet;
  moves?: readonly PointerMove[];
  exercises: readonly Exercise[];
  /** Rows shown in the findings table before the rest are counted; the JUnit report has them all. */
  maxFindings?: number;
  /** Optional extra section (e.g. a simulation) appended at the end, already Markdown. */
  extra?: string;
}

const ICON: Record<Severity, string> = { error: '❌ error', warning: '⚠️ warning', info: 'ℹ️ info' };

/** `id` with its section and title from the catalog, or a warning when the catalog does not have it. */
export function describeExercise(id: string | undefined, exercises: readonly Exercise[], escape: (text: string) => string = md): string {
  if (id === undefined) return '(none)';
  const e = exercises.find((x) => x.id === id);
  return e ? `${code(e.id)}: ${escape(e.section)} ${escape(e.title)}` : `${code(id)} ⚠️ not in the exercise catalog`;
}

function findingsSection(report: ValidationReport, max: number): string[] {
  const out: string[] = [];
  const shown = [...report.findings].sort(
    (a, b) => Number(!!a.silenced) - Number(!!b.silenced) || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.file ?? '').localeCompare(b.file ?? ''),
  );
  out.push('', `### Findings (${report.findings.length})`, '');
  if (shown.length === 0) {
    out.push('No findings.');
    return out;
  }
  const rows = shown.slice(0, max).map((f) => [
    f.silenced ? `🔇 ${f.severity} (silenced)` : ICON[f.severity],
    cell(f.rule) + (f.source === 'kubeconform' ? ' (kubeconform)' : ''),
    f.resource ? cell(f.resource) : '',
    // The pointer names the field inside the resource, which the file and line alone do not.
    f.pointer ? cell(f.pointer) : '',
    f.file ? cell(f.file) + (f.line ? `:${f.line}` : '') : '',
    cell(f.message) + (f.hint ? `<br>*${cell(f.hint)}*` : ''),
  ]);
  out.push(...table(['Severity', 'Rule', 'Resource', 'Field', 'File', 'Message'], rows));
  if (shown.length > max) out.push('', `…and ${shown.length - max} more; the JUnit test report lists every finding.`);
  return out;
}

export function summaryMarkdown(input: SummaryInput): string {
  const { report, changes, moves = [], exercises } = input;
  const out: string[] = [];
  if (report) {
    const s = report.summary;
    const errors = report.findings.filter((f) => f.severity === 'error' && !f.silenced).length;
    out.push(errors === 0 ? '## ✅ Manifest validation passed' : `## ❌ Manifest validation failed: ${errors} error${errors === 1 ? '' : 's'}`, '');
    out.push(...table(
      ['Resources', 'Valid', 'Invalid', 'Skipped', 'Errors', 'Warnings', 'Infos', 'Silenced'],
      [[s.resources, s.valid, s.invalid, s.skipped, s.errors, s.warnings, s.infos, s.silenced].map(String)],
    ));
  } else {
    out.push('## Manifest validation', '', 'No validation report was given.');
  }

  if (changes) {
    out.push('', '### What this change touches', '');
    if (changes.total === 0) out.push('No changed files.');
    const list = (label: string, items: string[]) => { if (items.length > 0) out.push(`- ${label}: ${items.join(', ')}`); };
    list('Clusters', changes.clusters.map(code));
    list('Exercises', changes.exercises.map((id) => describeExercise(id, exercises)));
    list('Apps', changes.apps.map(code));
    if (changes.other > 0) out.push(`- ${changes.other} other file${changes.other === 1 ? '' : 's'} (tooling, docs, workflows)`);
  }

  if (moves.length > 0) {
    out.push('', '### Promotion', '');
    out.push(...table(['Cluster', 'From', 'Moves to'], moves.map((m) => [
      code(m.cluster),
      describeExercise(m.from, exercises, cell),
      m.to === undefined ? (m.error ? `⚠️ ${cell(m.error)}` : 'cluster removed') : describeExercise(m.to, exercises, cell),
    ])));
    const targets = [...new Set(moves.map((m) => m.to).filter((t): t is string => t !== undefined))];
    for (const id of targets) {
      const e = exercises.find((x) => x.id === id);
      if (!e) continue;
      out.push('', `After merging, learners on ${moves.filter((m) => m.to === id).map((m) => code(m.cluster)).join(', ')} start **${md(e.title)}** (section ${md(e.section)}): ${md(e.summary)}`);
    }
  }

  if (report) out.push(...findingsSection(report, input.maxFindings ?? 50));
  if (input.extra) out.push('', input.extra);
  return `${out.join('\n')}\n`;
}
