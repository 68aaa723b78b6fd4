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
    description: 'Write access is granted to the whole workflow, the top level uses `read-all` or `write-all`, or a job uses `write-all`.',
    hint: 'Set the top level to `permissions: {}` (or `contents: read`) and grant each job only the scopes it needs, by name.',
  },
  'expression-in-run': {
    id: 'expression-in-run',
    description: 'A `${{ }}` expression is expanded inside a `run:` script, where its value becomes shell code.',
    hint: 'Pass the value through `env:` (e.g. `env: { CLUSTER: ${{ inputs.cluster }} }`) and use "$CLUSTER" in the script.',
  },
  'expression-in-script': {
    id: 'expression-in-script',
    description: 'A `${{ }}` expression is expanded inside the `script` of `actions/github-script`, where its value becomes JavaScript code.',
    hint: 'Pass the value through the step\'s `env:` and read it as `process.env.NAME` in the script.',
  },
  'checkout-persists-credentials': {
    id: 'checkout-persists-credentials',
    description: '`actions/checkout` runs without `persist-credentials: false`, so the job token stays in .git/config for every later step, dependency install scripts included.',
    hint: 'Set `with: { persist-credentials: false }`; a job that pushes gives git the token only in the step that pushes (see promote.yml).',
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

/** A permissions mapping with a write scope (the `write-all` string is reported before this is asked). */
function hasWrite(permissions: unknown): boolean {
  if (!isMapping(permissions)) return false;
  return Object.values(permissions).some((v) => v === 'write');
}

export interface ActionReference {
  /** The `uses:` value as parsed, e.g. `actions/checkout@<sha>`. */
  ref: string;
  /** The trailing comment on the line that holds it, without `#` (the version of a SHA pin), or ''. */
  comment: string;
  /** 1-based line of that `uses:` in the text, or undefined when it could not be located. */
  line: number | undefined;
  job: string;
}

/** The references of a parsed workflow, each with the step that holds it (none for a reusable-workflow job). */
function locateUses(text: string, workflow: Json): (ActionReference & { step?: Json })[] {
  if (!isMapping(workflow.jobs)) return [];
  const found: { ref: string; job: string; step?: Json }[] = [];
  for (const [job, body] of Object.entries(workflow.jobs)) {
    if (!isMapping(body)) continue;
    if (typeof body.uses === 'string') found.push({ ref: body.uses, job });
    if (!Array.isArray(body.steps)) continue;
    for (const step of body.steps) {
      if (isMapping(step) && typeof step.uses === 'string') found.push({ ref: step.uses, job, step });
    }
  }
  // References are placed in document order; the cursor keeps a repeated reference on its own line.
  let cursor = 0;
  return found.map((entry) => {
    const pattern = new RegExp(`\\buses\\s*:\\s*(["']?)${escapeRegExp(entry.ref)}\\1`, 'g');
    pattern.lastIndex = cursor;
    const m = pattern.exec(text);
    if (!m) return { ...entry, comment: '', line: undefined };
    cursor = m.index + m[0].length;
    const lineEnd = text.indexOf('\n', cursor);
    const rest = text.slice(cursor, lineEnd === -1 ? undefined : lineEnd);
    const comment = /(?:^|\s)#\s*(.*?)\s*$/.exec(rest)?.[1] ?? '';
    return { ...entry, comment, line: text.slice(0, m.index).split('\n').length };
  });
}

/**
 * Every `uses:` of a workflow, read from the parsed YAML (`jobs.*.uses` for reusable workflows and
 * `jobs.*.steps[].uses`), so block, flow (`- {uses: x}`) and quoted styles are all found. The text is
 * read only to place each one on a line and to read the comment after it, which YAML parsing drops.
 */
export function actionReferences(text: string): ActionReference[] {
  let workflow: unknown;
  try {
    workflow = yaml.load(text);
  } catch {
    return [];
  }
  if (!isMapping(workflow)) return [];
  return locateUses(text, workflow).map(({ ref, comment, line, job }) => ({ ref, comment, line, job }));
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

  const topPermissionsLine = lineOf(lines, /^permissions\s*:/);
  if (workflow.permissions === undefined) {
    add('missing-permissions', 'The workflow has no top-level `permissions`.', 1, 'Workflow');
  } else if (workflow.permissions === 'read-all' || workflow.permissions === 'write-all') {
    // read-all is not least privilege either: every job can read every scope (packages, security events...).
    add('excessive-permissions', `Top-level \`permissions: ${workflow.permissions}\` grants every scope to every job.`, topPermissionsLine, 'Workflow');
  } else if (hasWrite(workflow.permissions)) {
    add('excessive-permissions', 'Top-level `permissions` grant write access to every job.', topPermissionsLine, 'Workflow');
  }

  const jobLines = new Map<string, number | undefined>();
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    const jobLine = lineOf(lines, new RegExp(`^\\s+["']?${escapeRegExp(jobId)}["']?\\s*:`));
    jobLines.set(jobId, jobLine);
    const resource = `Job ${jobId}`;
    if (!isMapping(job)) continue;
    if (job.permissions === undefined) {
      add('missing-permissions', `Job "${jobId}" has no \`permissions\`.`, jobLine, resource);
    } else if (job.permissions === 'write-all') {
      add('excessive-permissions', `Job "${jobId}" uses \`permissions: write-all\`.`, jobLine, resource);
    }
    const steps = Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step: unknown, index: number) => {
      if (!isMapping(step)) return;
      const label = typeof step.name === 'string' ? `"${step.name}"` : `#${index + 1}`;
      const where = (script: string): number | undefined => {
        const first = script.split('\n').find((l) => l.includes('${{')) ?? '';
        return lineOf(lines, new RegExp(escapeRegExp(first.trim())), (jobLine ?? 1) - 1);
      };
      if (typeof step.run === 'string') {
        const expression = /\$\{\{[\s\S]*?\}\}/.exec(step.run);
        if (expression) {
          const what = UNTRUSTED.test(step.run) ? 'untrusted input' : 'an expression';
          add('expression-in-run', `Step ${label} of job "${jobId}" expands ${what} \`${expression[0]}\` inside \`run:\`.`, where(step.run), `${resource} step ${label}`);
        }
      }
      // actions/github-script evaluates `with.script` as JavaScript: the same injection as a shell script.
      const script = isMapping(step.with) ? step.with.script : undefined;
      if (typeof step.uses === 'string' && /^actions\/github-script@/.test(step.uses) && typeof script === 'string') {
        const expression = /\$\{\{[\s\S]*?\}\}/.exec(script);
        if (expression) {
          const what = UNTRUSTED.test(script) ? 'untrusted input' : 'an expression';
          add('expression-in-script', `Step ${label} of job "${jobId}" expands ${what} \`${expression[0]}\` inside the github-script \`script\`.`, where(script), `${resource} step ${label}`);
        }
      }
    });
  }

  for (const { ref, comment, line, job, step } of locateUses(text, workflow)) {
    const at = line ?? jobLines.get(job);
    if (step && /^actions\/checkout@/.test(ref)) {
      const persist = isMapping(step.with) ? step.with['persist-credentials'] : undefined;
      if (persist !== false && persist !== 'false') {
        add('checkout-persists-credentials', `\`${ref.split('@')[0]}\` in job "${job}" keeps the token in git config (\`persist-credentials\` is ${persist === undefined ? 'not set, so true' : JSON.stringify(persist)}).`, at, `Job ${job}`);
      }
    }
    if (ref.startsWith('./')) continue;
    if (ref.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref)) add('unpinned-action', `\`${ref}\` is not pinned to an image digest.`, at, `Action ${ref}`);
      continue;
    }
    const sep = ref.lastIndexOf('@');
    const version = sep === -1 ? '' : ref.slice(sep + 1);
    const name = sep === -1 ? ref : ref.slice(0, sep);
    if (!FULL_SHA.test(version)) {
      add('unpinned-action', `\`${ref}\` is pinned to ${version ? `"${version}"` : 'nothing'}, not a full commit SHA.`, at, `Action ${name}`);
    } else if (!VERSION_COMMENT.test(`# ${comment}`)) {
      add('pin-without-version', `\`${name}@${version.slice(0, 7)}…\` has no \`# vX.Y.Z\` comment.`, at, `Action ${name}`);
    }
  }

  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule));
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
