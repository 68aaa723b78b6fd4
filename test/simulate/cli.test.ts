// `npm run simulate` end to end on the repository: real kustomize render, every output format, exit codes.
import { describe, expect, it } from 'vitest';
import { main } from '../../tooling/src/cli/simulate.ts';
import type { Io } from '../../tooling/src/lib/cli.ts';
import { REPO } from './helpers.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, root: REPO };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('\n') };
}

describe('simulate CLI', () => {
  it('prints text with the 6s failure and its reason', async () => {
    const r = await run('fault-delay');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/jason\n +100% +reviews-error +6s +productpage v1 -> reviews v2 -> ratings v1 \(delay 7s\)/);
    expect(r.stdout).toContain('why: productpage gave reviews 3s x 2 attempts; ratings answered after 7s');
  });

  it('prints json a script can read, honouring --user', async () => {
    const r = await run('fault-delay-fixed', '--output', 'json', '--user', 'jason');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.target).toBe('fault-delay-fixed');
    expect(json.users).toHaveLength(1);
    expect(json.users[0].user).toBe('jason');
    expect(json.users[0].outcomes[0]).toMatchObject({ outcome: 'ratings-unavailable', probability: 1, latencyMs: 2500 });
  });

  it('prints the canary timeline with --fail-from', async () => {
    const ok = JSON.parse((await run('canary-v2', '-o', 'json')).stdout);
    expect(ok.canary).toMatchObject({ name: 'bookinfo/reviews', result: 'promoted', totalMinutes: 5 });
    const failed = await run('canary-v2', '--fail-from', '2');
    expect(failed.stdout).toMatch(/Flagger canary bookinfo\/reviews \(interval 1m, threshold 5\): rolled back after 7 min/);
  });

  it('refuses --fail-from on a target without a Canary (exit 2) and names one that has one', async () => {
    const r = await run('baseline', '--fail-from', '3');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("--fail-from only changes a Flagger Canary's rollout, and baseline renders no Canary.");
    expect(r.stderr).toMatch(/Drop --fail-from, or simulate a target with a Canary, e.g\. npm run simulate -- canary(-v2)? --fail-from 3\./);
  });

  it('json output carries warnings and reasons', async () => {
    const json = JSON.parse((await run('fault-delay', '-o', 'json')).stdout);
    expect(json.warnings).toEqual([]);
    expect(json.canaries).toEqual([]);
    const jason = json.users.find((u: { user: string | null }) => u.user === 'jason');
    expect(jason.outcomes[0].reason).toBe('productpage gave reviews 3s x 2 attempts; ratings answered after 7s');
  });

  it('prints a mermaid flowchart and a markdown section', async () => {
    expect((await run('route-jason', '-o', 'mermaid')).stdout).toMatch(/^flowchart LR\n {2}subgraph u0\["anonymous"\]/);
    expect((await run('route-jason', '-o', 'markdown')).stdout).toContain('| jason | `black-stars` | 100% |');
  });

  it('accepts a cluster name', async () => {
    const r = await run('workshop', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).target).toBe('workshop');
  });

  it.each([
    [['--help'], 0, /Usage: npm run simulate/],
    [[], 2, /Name an exercise or a cluster/],
    [['a', 'b'], 2, /Expected one target, got 2/],
    [['baseline', '--output', 'yaml'], 2, /Invalid value "yaml" for --output/],
    [['baseline', '--fail-from', '0'], 2, /Invalid value "0" for --fail-from/],
    [['baseline', '--user', 'x y'], 2, /Invalid user "x y"/],
    [['fualt-abort'], 1, /Unknown exercise or cluster "fualt-abort"\. Did you mean "fault-abort"\?/],
  ])('%j exits %i', async (argv, code, text) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(code);
    expect(`${r.stdout}${r.stderr}`).toMatch(text);
  });
});
