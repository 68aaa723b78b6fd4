// Runs a workflow step's `run:` script the way GitHub's runner does for `shell: bash`
// (bash --noprofile --norc -eo pipefail), with the CI variables of this process left out and only the
// given ones added, so a test sees what the step does in a job.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function runStep(script: string, cwd: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|GH_|RUNNER_|KUBECONFORM|BEFORE_SHA|AFTER_SHA|CHANGED_FILES)/.test(k)));
  return run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { ...clean, ...env }, maxBuffer: 64 * 1024 * 1024 });
}
