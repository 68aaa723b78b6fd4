// Security checks over GitHub Actions workflow files (GitHub's hardening guide, OpenSSF Scorecard):
// pinned actions, declared least-privilege permissions, no expressions in shell scripts, no pull_request_target.
import yaml from 'js-yaml';
import type { Finding } from '../findings.ts';

export interface WorkflowRule {
  id: string;
  description: string;
  hint: string;
}

/** Every rule this lint reports, with the fix it suggests. docs/workflows.md lists the same ids. */
export const WORKFLOW_RULES = {
  'workflow-yaml': {
    id: 'workflow-yaml',
    description: 'The workflow file is not a YAML mapping with `on` and `jobs`.',
    hint: 'Fix the YAML; actionlint shows the exact syntax error.',
  },
  'unpinned-action': {
    id: 'unpinned-action',
    description: 'A `uses:` reference is not pinned to a full 40-character commit SHA.',
    hint: 'Pin it as `owner/repo@<40-hex commit SHA> # vX.Y.Z`; tags and branches can be moved by whoever controls the action.',
  },
  'pin-without-version': {
    id: 'pin-without-version',
    description: 'A SHA-pinned `uses:` has no `# vX.Y.Z` comment naming the release it is.',
    hint: 'Add the release tag as a trailing comment, e.g. `# v4.2.2`, so reviewers and Dependabot can read it.',
  },
  'missing-permissions': {
    id: 'missing-permissions',
    description: 'The workflow or a job does not declare `permissions`, so it gets the repository default (possibly write-all).',
    hint: 'Declare `permissions: {}` (or `contents: read`) at the top and add only what each job needs.',
  },
  'excessive-permissions': {
    id: 'excessive-permissions',
    description: 'Write access is granted to the whole workflow, or `write-all` is used.',
    hint: 'Keep the top-level permissions read-only and grant write scopes on the one job that needs them.',
  },
  'expression-in-run': {
    id: 'expression-in-run',
    description: 'A `${{ }}` expression is expanded inside a `run:` script, where its value becomes shell code.',
    hint: 'Pass the value through `env:` (e.g. `env: { CLUSTER: ${{ inputs.cluster }} }`) and use "$CLUSTER" in the script.',
  },
  'pull-request-target': {
    id: 'pull-request-target',
    description: 'The workflow is triggered by `pull_request_target`, which runs with a write token and secrets on untrusted pull requests.',
    hint: 'Use `pull_request`; it runs the pull request\'s code with a read-only token and no secrets.',
  },
} as const satisfies Record<string, WorkflowRule>;

export type WorkflowRuleId = keyof typeof WORKFLOW_RULES;

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*v\d+(\.\d+){0,2}\b/;
/** Contexts whose values an outsider can choose: the classic script-injection sources. */
const UNTRUSTED = /\$\{\{[^}]*\b(inputs\.|github\.event\b|github\.head_ref\b)/;

type Json = Record<string, unknown>;

function isMapping(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 1-based line of the first line matching `pattern` at or after `from`, or undefined. */
function lineOf(lines: readonly string[], pattern: RegExp, from = 0): number | undefined {
  for (let i = from; i < lines.length; i += 1) {
    if (pattern.test(lines[i] as string)) return i + 1;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The trigger names of `on:` in any of its three shapes (string, list, mapping). */
export function triggersOf(workflow: Json): string[] {
  const on = workflow.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((t): t is string => typeof t === 'string');
  if (isMapping(on)) return Object.keys(on);
  return [];
}

function hasWrite(permissions: unknown): boolean {
  if (permissions === 'write-all') return true;
  if (!isMapping(permissions)) return false;
  return Object.values(permissions).some((v) => v === 'write');
}

/**
 * Lints one workflow file. `file` is the repository-relative path used in findings; `text` is its
 * content (the raw text is needed because version comments do not survive YAML parsing).
 */
export function lintWorkflow(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split(/\r?\n/);
  const add = (rule: WorkflowRuleId, message: string, line?: number, resource?: string): void => {
    const finding: Finding = { rule, severity: 'error', file, message, hint: WORKFLOW_RULES[rule].hint, source: 'toolkit' };
    if (line !== undefined) finding.line = line;
    if (resource !== undefined) finding.resource = resource;
    findings.push(finding);
  };

  let workflow: unknown;
  try {
    workflow = yaml.load(text);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    add('workflow-yaml', `Not valid YAML: ${(error as Error).message.split('\n')[0]}`, mark?.line === undefined ? undefined : mark.line + 1);
    return findings;
  }
  if (!isMapping(workflow) || !isMapping(workflow.jobs) || workflow.on === undefined) {
    add('workflow-yaml', 'A workflow must be a mapping with `on:` and `jobs:`.', 1);
    return findings;
  }

  if (triggersOf(workflow).includes('pull_request_target')) {
    add('pull-request-target', 'Triggered by `pull_request_target`.', lineOf(lines, /pull_request_target/), 'Workflow');
  }

  if (workflow.permissions === undefined) {
    add('missing-permissions', 'The workflow has no top-level `permissions`.', 1, 'Workflow');
  } else if (hasWrite(workflow.permissions)) {
    add('excessive-permissions', 'Top-level `permissions` grant write access to every job.', lineOf(lines, /^permissions\s*:/), 'Workflow');
  }

  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const jobLine = lineOf(lines, new RegExp(`^\\s+["']?${escapeRegExp(jobId)}["']?\\s*:`));
    const resource = `Job ${jobId}`;
    if (!isMapping(job)) continue;
    if (job.permissions === undefined) {
      add('missing-permissions', `Job "${jobId}" has no \`permissions\`.`, jobLine, resource);
    } else if (job.permissions === 'write-all') {
      add('excessive-permissions', `Job "${jobId}" uses \`permissions: write-all\`.`, jobLine, resource);
    }
    const steps = Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step: unknown, index: number) => {
      if (!isMapping(step) || typeof step.run !== 'string') return;
      const label = typeof step.name === 'string' ? `"${step.name}"` : `#${index + 1}`;
      const expression = /\$\{\{[\s\S]*?\}\}/.exec(step.run);
      if (!expression) return;
      const firstScriptLine = step.run.split('\n').find((l) => l.includes('${{')) ?? '';
      const at = lineOf(lines, new RegExp(escapeRegExp(firstScriptLine.trim())), (jobLine ?? 1) - 1);
      const what = UNTRUSTED.test(step.run) ? 'untrusted input' : 'an expression';
      add('expression-in-run', `Step ${label} of job "${jobId}" expands ${what} \`${expression[0]}\` inside \`run:\`.`, at, `${resource} step ${label}`);
    });
  }

  // `uses:` is checked on the text so the version comment on the same line can be read.
  lines.forEach((raw, i) => {
    const m = /^\s*(?:-\s+)?uses\s*:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(raw);
    if (!m) return;
    const ref = m[1] as string;
    const comment = m[2] ?? '';
    if (ref.startsWith('./')) return;
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) add('unpinned-action', `\`${ref}\` is not pinned to an image digest.`, i + 1, `Action ${ref}`);
      return;
    }
    const at = ref.lastIndexOf('@');
    const version = at === -1 ? '' : ref.slice(at + 1);
    const name = at === -1 ? ref : ref.slice(0, at);
    if (!FULL_SHA.test(version)) {
      add('unpinned-action', `\`${ref}\` is pinned to ${version ? `"${version}"` : 'nothing'}, not a full commit SHA.`, i + 1, `Action ${name}`);
    } else if (!VERSION_COMMENT.test(comment)) {
      add('pin-without-version', `\`${name}@${version.slice(0, 7)}…\` has no \`# vX.Y.Z\` comment.`, i + 1, `Action ${name}`);
    }
  });

  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
}

/** Every `uses:` reference in a workflow text, as written (for tests and reports). */
export function actionReferences(text: string): { ref: string; comment: string; line: number }[] {
  const refs: { ref: string; comment: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*(?:-\s+)?uses\s*:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(raw);
    if (m) refs.push({ ref: m[1] as string, comment: (m[2] ?? '').replace(/^#\s*/, ''), line: i + 1 });
  });
  return refs;
}

/** The `run:` scripts of every step, with their job id, so tests can check what a workflow executes. */
export function runScripts(text: string): { job: string; script: string }[] {
  const workflow = yaml.load(text);
  if (!isMapping(workflow) || !isMapping(workflow.jobs)) return [];
  const scripts: { job: string; script: string }[] = [];
  for (const [job, body] of Object.entries(workflow.jobs)) {
    if (!isMapping(body) || !Array.isArray(body.steps)) continue;
    for (const step of body.steps) {
      if (isMapping(step) && typeof step.run === 'string') scripts.push({ job, script: step.run });
    }
  }
  return scripts;
}

/** The npm scripts a workflow runs (`npm run [--silent|-s] <name>`), in order of first use. */
export function npmScriptsRun(text: string): string[] {
  const names = new Set<string>();
  for (const { script } of runScripts(text)) {
    for (const m of script.matchAll(/\bnpm\s+(?:run(?:\s+(?:--silent|-s))?\s+([A-Za-z0-9:_-]+)|(test)\b)/g)) names.add((m[1] ?? m[2]) as string);
  }
  return [...names];
}
