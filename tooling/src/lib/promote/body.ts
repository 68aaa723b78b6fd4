// Composes the pull request body of a promotion (pure: plan and gate result in, Markdown out), kept under
// GitHub's 65,536-character limit by shortening the rendered diff first.
import type { Plan, PlanDraft } from './plan.ts';
import { movedClusters, unchangedClusters } from './plan.ts';
import { cell, code, fenced, md } from '../markdown.ts';
import { formatFinding, type GateResult } from './gate.ts';

/** GitHub rejects bodies of 65,536 characters or more; stay well below to leave room for edits. */
export const BODY_LIMIT = 65_000;
const MAX_FINDINGS = 20;

function resourceTable(plan: PlanDraft): string[] {
  const out: string[] = [];
  for (const c of movedClusters(plan)) {
    out.push(`#### ${md(c.name)}`, '');
    if (c.renderError) {
      out.push(`Rendering failed: ${md(c.renderError)}`, '');
      continue;
    }
    const rows = [
      ...c.resources.added.map((r) => `| added | ${code(r)} |`),
      ...c.resources.changed.map((r) => `| changed | ${code(r)} |`),
      ...c.resources.removed.map((r) => `| removed | ${code(r)} |`),
    ];
    if (rows.length === 0) out.push('No rendered resources change.', '');
    else out.push('| Change | Resource |', '| --- | --- |', ...rows, '');
  }
  return out;
}

function validationSection(gate: GateResult): string[] {
  const verdict = gate.errors > 0 ? 'Failed' : 'Passed';
  const out = [
    `**${verdict}**: ${gate.errors} error(s), ${gate.warnings} warning(s), ${gate.infos} info(s) in ${gate.paths.map(code).join(', ')}.`,
  ];
  const shown = gate.findings.filter((f) => !f.silenced).slice(0, MAX_FINDINGS);
  if (shown.length > 0) out.push('', ...shown.map((f) => `- ${md(formatFinding(f))}`));
  if (gate.findings.length > shown.length) out.push(`- ... and ${gate.findings.length - shown.length} more (run \`npm run validate\`).`);
  return out;
}

/** The simulator's route graph and outcome table per cluster: what users will see after the merge. */
function predictionSection(plan: PlanDraft): string[] {
  const parts = movedClusters(plan).filter((c) => c.prediction).map((c) => c.prediction as string);
  if (parts.length === 0) return [];
  // The simulator escapes manifest-derived text for Markdown itself; its headings are demoted under ours.
  return ['### What users will see', '', ...parts.map((p) => p.replace(/^### /gm, '#### ')), ''];
}

function renderedDiff(plan: PlanDraft): string {
  return movedClusters(plan).map((c) => c.renderedDiff).filter(Boolean).join('\n');
}

function assemble(plan: PlanDraft, gate: GateResult, diff: string, note: string | undefined): string {
  const e = plan.exercise;
  const moved = movedClusters(plan);
  const already = unchangedClusters(plan);
  const alreadyLine = already.length > 0
    ? [`Already at ${code(e.id)}, so not moved: ${already.map((c) => code(c.name)).join(', ')}.`, '']
    : [];
  const lines: string[] = [
    `## ${md(e.section)} ${md(e.title)}`,
    '',
    `Moves ${moved.map((c) => code(c.name)).join(', ')} to exercise ${code(e.id)}. ${md(e.summary)}`,
    '',
    '### After merging',
    '',
    '**Do**',
    '',
    ...(e.afterMerge.do.length ? e.afterMerge.do.map((d) => `- ${md(d)}`) : ['- Nothing beyond waiting for the sync.']),
    '',
    '**Observe**',
    '',
    ...(e.afterMerge.observe.length ? e.afterMerge.observe.map((o) => `- ${md(o)}`) : ['- (not described)']),
    '',
    '### Pointer change',
    '',
    '| Cluster | From | To | File |',
    '| --- | --- | --- | --- |',
    ...moved.map((c) => `| ${cell(c.name)} | ${code(c.before)} | ${code(c.after)} | ${code(c.file)} |`),
    '',
    ...alreadyLine,
    fenced(moved.map((c) => c.diff).join(''), 'diff'),
    '',
    ...predictionSection(plan),
    '### Rendered resources',
    '',
    ...resourceTable(plan),
    '<details>',
    '<summary>Full rendered diff</summary>',
    '',
  ];
  if (note) lines.push(`> ${note}`, '');
  lines.push(diff ? fenced(diff, 'diff') : 'The rendered output does not change.', '', '</details>', '', '### Validation', '', ...validationSection(gate), '');
  lines.push(`<sub>Opened by \`npm run promote\` from ${code(plan.base)} at ${code(plan.baseCommit.slice(0, 12))}. `
    + 'Running the same command again updates this pull request.</sub>', '');
  return lines.join('\n');
}

/** The PR body for a plan, with the validation result; the rendered diff is cut first when the body is too long. */
export function composeBody(plan: PlanDraft, gate: GateResult, limit = BODY_LIMIT): string {
  const full = renderedDiff(plan);
  let body = assemble(plan, gate, full, undefined);
  if (body.length < limit) return body;
  const note = (shown: number, total: number) =>
    `The diff was shortened to its first ${shown} of ${total} lines to fit GitHub's 65,536-character limit. `
    + `Run \`npm run promote -- ${plan.exercise.id} --dry-run\` for all of it.`;
  const diffLines = full.split('\n');
  const overhead = assemble(plan, gate, '', note(0, diffLines.length)).length + 64;
  const budget = limit - overhead;
  let kept = 0;
  let size = 0;
  while (kept < diffLines.length && size + (diffLines[kept] as string).length + 1 < budget) size += (diffLines[kept++] as string).length + 1;
  body = assemble(plan, gate, diffLines.slice(0, kept).join('\n'), note(kept, diffLines.length));
  // Tables and findings alone could still exceed the limit with hundreds of clusters: cut hard as a last resort.
  return body.length < limit ? body : `${body.slice(0, limit - 200)}\n\n(Truncated to fit GitHub's limit.)\n`;
}

export function finishPlan(draft: PlanDraft, gate: GateResult): Plan {
  return { ...draft, body: composeBody(draft, gate) };
}
