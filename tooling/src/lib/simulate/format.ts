// Renders a simulation for people (text), scripts (json, the shape issue 7 fixes), GitHub (a Mermaid
// flowchart) and pull requests / CI job summaries (simulateMarkdown). Strings from manifests are escaped.
import { cell, code } from '../markdown.ts';
import type { CanaryTimeline } from './canary.ts';
import type { RouteEdge, SimulationResult, UserResult } from './types.ts';
import { formatMs, pct } from './units.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'mermaid', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function userName(u: UserResult): string {
  return u.user ?? 'anonymous';
}

function minutesText(m: number): string {
  return `${m}m`;
}

function canaryText(c: CanaryTimeline): string[] {
  const verdict = c.result === 'promoted' ? `promoted after ${c.totalMinutes} min` : `rolled back after ${c.totalMinutes} min`;
  const lines = [`Flagger canary ${c.name} (interval ${minutesText(c.intervalMinutes)}, threshold ${c.threshold}): ${verdict}`];
  for (const e of c.events) lines.push(`  ${minutesText(e.atMinute).padStart(6)}  ${e.text}`);
  return lines;
}

export function formatText(result: SimulationResult): string {
  const lines = [`Predicted pages for ${result.target} (exact probabilities; latency counts faults, timeouts and retries, app work as 0)`];
  for (const u of result.users) {
    lines.push('', userName(u));
    for (const o of u.outcomes) {
      lines.push(`  ${pct(o.probability).padStart(6)}  ${o.outcome.padEnd(19)} ${formatMs(o.latencyMs).padEnd(8)} ${o.path.join(' -> ')}`);
      if (o.reason) lines.push(`          why: ${o.reason}`);
    }
  }
  for (const c of result.canaries) lines.push('', ...canaryText(c));
  if (result.warnings.length > 0) lines.push('', ...result.warnings.map((w) => `warning: ${w}`));
  return `${lines.join('\n')}\n`;
}

function canaryJson(c: CanaryTimeline): Record<string, unknown> {
  return { name: c.name, steps: c.steps, result: c.result, totalMinutes: c.totalMinutes };
}

/**
 * Issue 7's shape `{target, users: [{user, outcomes: [{outcome, probability, latencyMs, path}]}]}`, plus
 * `reason` on a failed outcome, `warnings` (always, so a script can tell "none" from "not reported"),
 * `canaries` (every Canary, always) and `canary` (the first, only when there is one).
 */
export function toJson(result: SimulationResult): Record<string, unknown> {
  const json: Record<string, unknown> = {
    target: result.target,
    users: result.users.map((u) => ({
      user: u.user,
      outcomes: u.outcomes.map((o) => ({
        outcome: o.outcome,
        probability: o.probability,
        latencyMs: o.latencyMs,
        path: o.path,
        ...(o.reason === undefined ? {} : { reason: o.reason }),
      })),
    })),
    warnings: result.warnings,
    canaries: result.canaries.map(canaryJson),
  };
  const canary = result.canaries[0];
  if (canary) json.canary = canaryJson(canary);
  return json;
}

export function formatJson(result: SimulationResult): string {
  return `${JSON.stringify(toJson(result), null, 2)}\n`;
}

/** Mermaid label text: no quotes, brackets or line breaks from untrusted names can break out. */
function label(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}

function mermaidUser(u: UserResult, i: number, lines: string[]): void {
  const prefix = `u${i}`;
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    let v = ids.get(name);
    if (!v) {
      v = `${prefix}_${ids.size}`;
      ids.set(name, v);
    }
    return v;
  };
  const faultNodes = new Set<string>();
  lines.push(`  subgraph ${prefix}["${label(userName(u))}"]`);
  lines.push(`    ${id('user')}(["${label(userName(u))}"])`);
  const declared = new Set<string>(['user']);
  const declare = (name: string) => {
    if (declared.has(name)) return;
    declared.add(name);
    lines.push(`    ${id(name)}["${label(name)}"]`);
  };
  for (const e of u.edges as RouteEdge[]) {
    declare(e.from);
    declare(e.to);
    const text = e.fault ? `${pct(e.probability)} · ${e.fault}` : pct(e.probability);
    lines.push(`    ${id(e.from)} ${e.fault ? '-.->' : '-->'}|"${label(text)}"| ${id(e.to)}`);
    if (e.fault) faultNodes.add(id(e.to));
  }
  lines.push('  end');
  if (faultNodes.size > 0) lines.push(`  class ${[...faultNodes].join(',')} fault`);
}

/** A flowchart of who goes where: one box per user, arrows with the share of calls and any fault. */
export function formatMermaid(result: SimulationResult): string {
  const lines = ['flowchart LR'];
  result.users.forEach((u, i) => mermaidUser(u, i, lines));
  lines.push('  classDef fault fill:#fde2e1,stroke:#c0392b,color:#000');
  return `${lines.join('\n')}\n`;
}

/** A Markdown section (route graph + per-user outcome table) for the promote PR body and CI summaries. */
export function simulateMarkdown(result: SimulationResult): string {
  const lines = [`### Predicted traffic for ${code(result.target)}`, '', '```mermaid', formatMermaid(result).trimEnd(), '```', ''];
  lines.push('| User | Page shows | Probability | Latency | Path |', '| --- | --- | ---: | ---: | --- |');
  for (const u of result.users) {
    for (const o of u.outcomes) {
      const path = cell(o.path.join(' → ')) + (o.reason ? `<br>${cell(o.reason)}` : '');
      lines.push(`| ${cell(userName(u))} | \`${o.outcome}\` | ${pct(o.probability)} | ${formatMs(o.latencyMs)} | ${path} |`);
    }
  }
  for (const c of result.canaries) {
    const steps = c.steps.map((s) => `${s.weight}% at ${minutesText(s.atMinute)}`).join(', ');
    lines.push('', `**Flagger canary ${code(c.name)}:** ${c.result === 'promoted' ? 'promoted' : 'rolled back'} after ${c.totalMinutes} min (${steps}).`);
  }
  if (result.warnings.length > 0) lines.push('', ...result.warnings.map((w) => `> ${cell(w)}`));
  return `${lines.join('\n')}\n`;
}

export function formatResult(result: SimulationResult, format: OutputFormat): string {
  if (format === 'json') return formatJson(result);
  if (format === 'mermaid') return formatMermaid(result);
  if (format === 'markdown') return simulateMarkdown(result);
  return formatText(result);
}
