// The verify report for people (text, also the body of the post-merge comment) and scripts (json). Strings that
// come from the cluster (messages, names) are printed as data: Markdown-significant characters are escaped
// when the text goes into a pull request comment.
import { code, fenced } from '../markdown.ts';
import { pct } from '../simulate/units.ts';
import type { VerifyReport } from './index.ts';
import { userLabel } from './judge.ts';

/** The comment marker of one cluster's verify result, so a re-run edits its own comment. */
export function verifyMarker(cluster: string): string {
  return `<!-- mesh-workshop:verify:${cluster.replace(/[^a-z0-9-]/g, '')} -->`;
}

export const VERIFY_FORMATS = ['text', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

function mark(ok: boolean | undefined): string {
  return ok === undefined ? 'SKIP' : ok ? 'PASS' : 'FAIL';
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}


export function formatVerifyText(report: VerifyReport): string {
  const lines = [`verify ${report.cluster} (exercise ${report.exercise}, pointer commit ${report.pointerCommit.slice(0, 12)}, context ${report.context})`, ''];
  lines.push(`${mark(report.sync.ok)}  synced: ${report.sync.message}`);
  for (const u of report.sync.ok ? [] : report.sync.unmet) lines.push(`        unmet: ${u}`);
  const live = report.live;
  if (live) {
    const problems = live.missing.length + live.differences.length + live.leftovers.length;
    lines.push(`${mark(live.ok)}  live equals rendered: ${live.checked.length} objects compared${problems ? `, ${problems} problem(s)` : ''}`);
    for (const m of live.missing) lines.push(`        missing: ${m}`);
    for (const d of live.differences) lines.push(`        differs: ${d.resource} ${d.path}: rendered ${value(d.rendered)}, live ${value(d.live)}`);
    for (const l of live.leftovers) lines.push(`        leftover: ${l.resource} (applied by ${l.managedBy}; not in the render)`);
  }
  for (const c of report.canaries) lines.push(`${mark(c.ok)}  canary: ${c.message}`);
  const traffic = report.traffic;
  if (traffic) {
    if (traffic.skipped) lines.push(`SKIP  pages: ${traffic.skipped}`);
    else {
      const ok = traffic.users.every((u) => u.ok);
      lines.push(`${mark(ok)}  pages at ${traffic.url}: exact test per user at significance ${traffic.alpha} overall (${(traffic.alpha / Math.max(1, traffic.users.length)).toPrecision(3)} per user)`);
      for (const u of traffic.users) {
        lines.push(`        ${userLabel(u.user)}: ${u.requests} pages${u.test ? `, p = ${u.test.pValue.toPrecision(3)}` : ''}`);
        for (const r of u.rows) {
          const latency = r.medianMs === undefined ? '' : `  median ${r.medianMs}ms${r.predictedMs === undefined ? '' : ` (predicted ${r.predictedMs}ms)`}`;
          lines.push(`          ${r.outcome.padEnd(19)} observed ${String(r.observed).padStart(4)} (${pct(u.requests ? r.observed / u.requests : 0).padStart(6)})  predicted ${pct(r.predicted).padStart(6)}${latency}`);
        }
        for (const f of u.failures) lines.push(`        FAIL ${f}`);
      }
    }
  }
  for (const s of report.skipped) lines.push(`SKIP  ${s}`);
  lines.push('', report.ok ? 'verify passed' : 'verify failed');
  return `${lines.join('\n')}\n`;
}

export function formatVerifyJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * The comment on the merged pull request: a verdict line and the text report in a fenced block whose fence is
 * longer than any backtick run inside (cluster messages are data and cannot close it).
 */
export function verifyMarkdown(report: VerifyReport): string {
  const verdict = report.ok ? 'passed' : 'failed';
  return `${verifyMarker(report.cluster)}\n### Verify ${code(report.cluster)}: ${verdict}\n\nCluster ${code(report.cluster)} runs exercise ${code(report.exercise)}; \`npm run verify\` ${verdict}.\n\n${fenced(formatVerifyText(report).trimEnd(), 'text')}\n`;
}

export function formatVerify(report: VerifyReport, format: VerifyFormat): string {
  return format === 'json' ? formatVerifyJson(report) : formatVerifyText(report);
}
