// Runs the workflows' own step scripts, as written in .github/workflows, with bash: validation (JSON, then
// JUnit from it) and the job summary against this repository, the promote job and its Validate dispatch
// against a real repository with a bare origin, and the post-merge step against a temporary git
// repository and a GitHub API on 127.0.0.1. What CI runs is therefore what this suite has run.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { tempRepo, type TempRepo } from './support.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';
import { runStep } from '../helpers/workflow-step.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Step = { name?: string; run?: string };
type Workflow = { env?: Record<string, string>; jobs: Record<string, { steps: Step[] }> };

function workflow(file: string): Workflow {
  return yaml.load(readFileSync(join(ROOT, '.github/workflows', file), 'utf8')) as Workflow;
}

function stepScript(file: string, job: string, name: string): string {
  const step = workflow(file).jobs[job]?.steps.find((s) => s.name === name);
  if (!step?.run) throw new Error(`${file}: job ${job} has no run step named "${name}"`);
  return step.run;
}


describe('validate.yml steps, against this repository', () => {
  let out: string;
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('"Validate manifests" validates once into JSON and makes JUnit from it; "Simulate the promotion" and "Write the job summary" turn them into the summary', async () => {
    out = mkdtempSync(join(tmpdir(), 'ci-reports-'));
    // The scripts write to reports/ in the workspace; here that directory is a temporary one.
    const toTemp = (script: string) => script.replaceAll('mkdir -p reports', ':').replaceAll('reports/', `${out}/`);
    const env = workflow('validate.yml').env ?? {};
    const outputs = join(out, 'outputs');
    const summary = join(out, 'summary.md');
    writeFileSync(outputs, '');

    await runStep(toTemp(stepScript('validate.yml', 'manifests', 'Validate manifests')), ROOT, {
      CRDS_CATALOG: env.CRDS_CATALOG as string,
      GITHUB_OUTPUT: outputs,
    });
    const exitCode = /^exit-code=(\d+)$/m.exec(readFileSync(outputs, 'utf8'))?.[1];
    // The repository validates clean, so the step records 0; 2 would mean the workflow passes options validate rejects.
    expect(exitCode).toBe('0');

    const xml = readFileSync(join(out, 'validate.xml'), 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml).toMatch(/<testsuites[^>]*tests="[1-9]\d*" failures="0"/);
    const report = JSON.parse(readFileSync(join(out, 'validate.json'), 'utf8')) as { summary: { resources: number; units: number } };
    expect(report.summary.resources).toBeGreaterThan(0);
    // The JUnit report is the JSON run's: its tally case carries that run's resource count.
    expect(xml).toContain(`name="${report.summary.resources} resources in ${report.summary.units} units: `);

    // A path that is not a cluster name must not reach the shell or the summary.
    const changed = 'exercises/fault-abort/exercise.yaml\nclusters/workshop/exercise/kustomization.yaml\nclusters/x`$(touch pwned)`/exercise/kustomization.yaml\n';
    await runStep(toTemp(stepScript('validate.yml', 'manifests', 'Simulate the promotion')), ROOT, { CHANGED_FILES: changed });
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    await runStep(toTemp(stepScript('validate.yml', 'manifests', 'Write the job summary')), ROOT, {
      CHANGED_FILES: changed,
      BASE: '',
      GITHUB_STEP_SUMMARY: summary,
    });
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('### Predicted traffic for `workshop`');
    expect(text).toContain('| User | Page shows | Probability |');
    expect(text).not.toContain('pwned');
    expect(text.split('\n')[0]).toBe('## ✅ Manifest validation passed');
    expect(text).toContain('- Exercises: `fault-abort`: 3.2 ');
    expect(text).toContain(`| ${report.summary.resources} |`);
  }, 300_000);
});

describe('post-merge.yml step, against a temporary repository', () => {
  let repo: TempRepo;
  let github: GitHubStandIn;
  afterEach(async () => {
    repo?.remove();
    await github?.close();
  });

  it('"Write the message and comment on the merged pull request" writes the summary and comments once', async () => {
    repo = tempRepo();
    const before = repo.commit('both clusters on one');
    repo.point('extra', 'three');
    const after = repo.commit('promote(extra): three (#12)');
    // Give the temporary repository this project's ci:post-merge script and dependencies, untracked.
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    writeFileSync(join(repo.dir, 'package.json'), JSON.stringify({
      name: 'ci-temp', private: true, type: 'module',
      scripts: { 'ci:post-merge': (scripts['ci:post-merge'] as string).replace('tooling/', `${ROOT}/tooling/`) },
    }));
    symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'));
    appendFileSync(join(repo.dir, '.git/info/exclude'), 'package.json\nnode_modules\n');

    github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: 'ghs_steptoken' });
    github.pullsByCommit.set(after, [{ number: 12, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: after }]);
    const summary = join(repo.dir, '.git', 'step-summary.md');
    const env = {
      BEFORE_SHA: before, AFTER_SHA: after, GITHUB_TOKEN: 'ghs_steptoken', GITHUB_REPOSITORY: 'owner/repo',
      GITHUB_API_URL: github.url, GITHUB_STEP_SUMMARY: summary,
    };
    const script = stepScript('post-merge.yml', 'tell-learners', 'Write the message and comment on the merged pull request');
    const first = await runStep(script, repo.dir, env);
    expect(existsSync(summary)).toBe(true);
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('## 🚀 `extra` now runs `three`: 3.2 Abort ratings for jason');
    expect(text).toContain('**This is the last exercise of the workshop.**');
    expect(first.stdout).toBe(text);
    expect(github.comments.get(12)?.map((c) => c.body)).toEqual([text]);

    await runStep(script, repo.dir, env);
    expect(github.comments.get(12)).toHaveLength(1);
    expect(repo.git('status', '--porcelain')).toBe('');
  }, 120_000);
});

describe('validate.yml "List changed files", in a temporary repository', () => {
  let repo: TempRepo;
  afterEach(() => repo?.remove());

  function outputs(file: string): Record<string, string> {
    const text = readFileSync(file, 'utf8');
    const result: Record<string, string> = {};
    const heredoc = /^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
    for (const m of text.matchAll(heredoc)) result[m[1] as string] = m[3] as string;
    for (const m of text.matchAll(/^(\w+)=(.*)$/gm)) result[m[1] as string] = m[2] as string;
    return result;
  }

  it('lists a pull request\'s files against origin/<base> and a push\'s against its before commit', async () => {
    repo = tempRepo();
    const base = repo.commit('base');
    repo.git('update-ref', 'refs/remotes/origin/main', base);
    repo.git('checkout', '--quiet', '-b', 'feature');
    repo.point('lab', 'two');
    repo.write('README.md', 'x\n');
    repo.commit('change');
    const script = stepScript('validate.yml', 'manifests', 'List changed files');

    const pr = join(repo.dir, '.git', 'out-pr');
    writeFileSync(pr, '');
    await runStep(script, repo.dir, { EVENT_NAME: 'pull_request', BASE_REF: 'main', BEFORE_SHA: '', GITHUB_OUTPUT: pr });
    expect(outputs(pr)).toEqual({ base: 'origin/main', files: 'README.md\nclusters/lab/exercise/kustomization.yaml' });

    // A hostile base branch name stays a value (the step fails on the unknown ref); it never runs as shell.
    const hostile = join(repo.dir, '.git', 'out-hostile');
    await expect(runStep(script, repo.dir, { EVENT_NAME: 'pull_request', BASE_REF: 'main$(touch pwned);touch pwned', BEFORE_SHA: '', GITHUB_OUTPUT: hostile })).rejects.toThrow();
    expect(existsSync(join(repo.dir, 'pwned'))).toBe(false);

    const push = join(repo.dir, '.git', 'out-push');
    writeFileSync(push, '');
    await runStep(script, repo.dir, { EVENT_NAME: 'push', BASE_REF: '', BEFORE_SHA: base, GITHUB_OUTPUT: push });
    expect(outputs(push)).toEqual({ base, files: 'README.md\nclusters/lab/exercise/kustomization.yaml' });

    const created = join(repo.dir, '.git', 'out-new');
    writeFileSync(created, '');
    await runStep(script, repo.dir, { EVENT_NAME: 'push', BASE_REF: '', BEFORE_SHA: '0'.repeat(40), GITHUB_OUTPUT: created });
    expect(outputs(created)).toEqual({ base: '', files: '' });

    // promote.yml dispatches Validate on the promotion branch: compared with the default branch, like its PR.
    const dispatched = join(repo.dir, '.git', 'out-dispatch');
    writeFileSync(dispatched, '');
    await runStep(script, repo.dir, { EVENT_NAME: 'workflow_dispatch', BASE_REF: '', BEFORE_SHA: '', DEFAULT_BRANCH: 'main', GITHUB_OUTPUT: dispatched });
    expect(outputs(dispatched)).toEqual({ base: 'origin/main', files: 'README.md\nclusters/lab/exercise/kustomization.yaml' });
  });
});

describe('promote.yml steps, against a repository with a bare origin and a GitHub API on 127.0.0.1', () => {
  let repo: TestRepo | undefined;
  let github: GitHubStandIn | undefined;
  let temp = '';
  afterEach(async () => {
    await github?.close();
    await repo?.cleanup();
    if (temp) rmSync(temp, { recursive: true, force: true });
    repo = undefined;
    github = undefined;
    temp = '';
  });

  const promoteScript = (name: string) => stepScript('promote.yml', 'promote', name);

  it('promotes and writes the job summary from the JSON output, the token only in env', async () => {
    repo = await createTestRepo();
    github = await startGitHubStandIn();
    temp = mkdtempSync(join(tmpdir(), 'ci-promote-'));
    // The clone gets this project's promote script and dependencies, untracked, as the workflow's checkout has them.
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    writeFileSync(join(repo.work, 'package.json'), JSON.stringify({
      name: 'ci-temp', private: true, type: 'module',
      scripts: { promote: (scripts.promote as string).replace('tooling/', `${ROOT}/tooling/`) },
    }));
    symlinkSync(join(ROOT, 'node_modules'), join(repo.work, 'node_modules'));
    appendFileSync(join(repo.work, '.git/info/exclude'), 'package.json\nnode_modules\n');
    const outputs = join(temp, 'outputs');
    writeFileSync(outputs, '');
    const summary = join(temp, 'summary.md');
    const runner = { RUNNER_TEMP: temp, GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: summary };

    await runStep(promoteScript('Set the commit author'), repo.work, {});
    await runStep(promoteScript('Let git authenticate from GITHUB_TOKEN'), repo.work, {});
    const promoted = await runStep(promoteScript('npm run promote'), repo.work, {
      ...runner, EXERCISE: 'route-v2', CLUSTER: 'workshop',
      GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    });
    const json = JSON.parse(readFileSync(join(temp, 'promote.json'), 'utf8')) as { action: string; branch: string; url: string };
    expect(promoted.stdout).toBe(readFileSync(join(temp, 'promote.json'), 'utf8'));
    expect(json).toMatchObject({ action: 'created', branch: 'promote/workshop/route-v2' });
    expect(await repo.git(['rev-parse', '--verify', 'refs/heads/promote/workshop/route-v2'], repo.bare)).toMatch(/^[0-9a-f]{40}$/);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]!.labels).toEqual(['promotion']);

    // With GITHUB_TOKEN (no app token), the summary links the pull request and says a maintainer approves its checks.
    await runStep(promoteScript('Write the job summary'), repo.work, { ...runner, APP_TOKEN: 'false' });
    expect(readFileSync(summary, 'utf8')).toBe(`Pull request: ${json.url} (created)\n`
      + 'Opened with GITHUB_TOKEN: a maintainer approves its Validate run on the pull request ("Approve workflows to run").\n');
    writeFileSync(summary, '');
    await runStep(promoteScript('Write the job summary'), repo.work, { ...runner, APP_TOKEN: 'true' });
    expect(readFileSync(summary, 'utf8')).toBe(`Pull request: ${json.url} (created)\n`);

    // The token never reached git's configuration or the repository.
    const config = readFileSync(join(repo.work, '.git/config'), 'utf8');
    expect(config).not.toContain(github.token);
    expect(config).not.toMatch(/extraheader/i);
  }, 300_000);

  it('"Let git authenticate from GITHUB_TOKEN" gives github.com the token from the asking git\'s env, and nothing otherwise', async () => {
    repo = await createTestRepo();
    temp = mkdtempSync(join(tmpdir(), 'ci-cred-'));
    await runStep(promoteScript('Let git authenticate from GITHUB_TOKEN'), repo.work, {});
    const work = repo.work;
    // `git credential fill` is what git runs before an HTTPS push; with prompts off it fails when no helper answers.
    const credential = async (host: string, token?: string): Promise<string> => new Promise((resolve) => {
      const child = execFile('git', ['credential', 'fill'], {
        cwd: work,
        env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'GITHUB_TOKEN')), ...(token ? { GITHUB_TOKEN: token } : {}), GIT_TERMINAL_PROMPT: '0' },
      }, (error, stdout) => resolve(error ? 'refused' : stdout));
      child.stdin?.end(`protocol=https\nhost=${host}\n\n`);
    });
    expect(await credential('github.com', 'ghs_pushtoken')).toBe('protocol=https\nhost=github.com\nusername=x-access-token\npassword=ghs_pushtoken\n');
    // Without the token in env (any step but promote) git gets nothing, and no other host ever gets it.
    expect(await credential('github.com')).toBe('refused');
    expect(await credential('evil.example', 'ghs_pushtoken')).toBe('refused');
  });

  it('"Write the job summary" lists promote\'s warnings verbatim, and writes nothing when promote printed nothing', async () => {
    temp = mkdtempSync(join(tmpdir(), 'ci-summary-'));
    const script = promoteScript('Write the job summary');
    const summarize = async (json: unknown | undefined): Promise<string> => {
      const file = join(temp, 'promote.json');
      writeFileSync(file, json === undefined ? '' : JSON.stringify(json));
      const summary = join(temp, `summary-${Math.random().toString(36).slice(2)}`);
      writeFileSync(summary, '');
      await runStep(script, temp, { RUNNER_TEMP: temp, GITHUB_STEP_SUMMARY: summary, APP_TOKEN: 'true' });
      return readFileSync(summary, 'utf8');
    };
    const warning = 'could not label the pull request "promotion": $(touch pwned); the token needs issues: write.';
    expect(await summarize({ action: 'created', url: 'https://github.test/o/r/pull/3', warnings: [warning] }))
      .toBe(`Pull request: https://github.test/o/r/pull/3 (created)\n- warning: ${warning}\n`);
    expect(existsSync(join(temp, 'pwned'))).toBe(false);
    expect(await summarize({ action: 'noop', url: null, warnings: [] })).toBe('No pull request (noop)\n');
    expect(await summarize(undefined)).toBe('');
  });
});
