// `npm run status`: the exercise each cluster points at on the base branch, and (with a token) any open
// promotion pull request for it.
import { command, defaultIo, errorReport, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { ToolkitError, UsageError } from '../lib/errors.ts';
import { gitHubFromEnv, type GitHubOptions } from '../lib/github.ts';
import { clustersAt, resolveBase, type PromotionPull } from '../lib/promote/state.ts';
import { promotionPullsByCluster } from '../lib/pull-clusters.ts';
import { clusterDriftWarnings } from '../lib/origin-drift.ts';
import { scanClusters } from '../lib/clusters.ts';

const HELP = `Usage: npm run status [-- options]

For each cluster, the exercise its pointer names on the base branch (read from origin, not from your
checkout) and, when GITHUB_TOKEN (or GH_TOKEN) is set, any open promotion pull request whose branch
changes that cluster's pointer (by its branch name when origin no longer has the branch).

Options:
      --base <branch>     branch to read (default: the default branch of origin)
  -o, --output <format>   text (default) or json
  -h, --help              show this help
      --debug             print stack traces on errors

Environment: GITHUB_TOKEN / GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL (see npm run promote -- --help).

Exit codes: 0 status printed, 1 the base branch or the API could not be read, 2 usage error.`;

export interface StatusDeps {
  github?: Partial<Pick<GitHubOptions, 'retryAfterBaseValue' | 'retries' | 'limiterId'>>;
}

export async function run(argv: string[], io: Io, deps: StatusDeps = {}): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: { base: { type: 'string' }, output: { type: 'string', short: 'o' } },
  }, async ({ values, positionals }) => {
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[0])}.`);
    const output = oneOf(values.output, ['text', 'json'] as const, '--output', 'text');
    const ref = await resolveBase(io.root, values.base, (l) => io.stderr(`warning: ${l}`));
    const clusters = await clustersAt(io.root, ref.commit);
    for (const w of clusterDriftWarnings((await scanClusters(io.root)).clusters, clusters, `origin/${ref.base}`)) io.stderr(`warning: ${w}`);

    let pulls: Map<string, PromotionPull[]> | undefined;
    // The pointers come from git; a GitHub failure (bad token, no network) must not hide them.
    let apiError: ToolkitError | undefined;
    try {
      const gh = await gitHubFromEnv({ root: io.root, env: io.env, log: (l) => io.stderr(l), overrides: deps.github });
      if (gh) {
        const open = await gh.listOpenPulls();
        // Matched by the pointer files each branch changes on origin, not by the scope in its name.
        pulls = await promotionPullsByCluster(io.root, ref.commit, open, clusters.map((c) => c.name));
      }
    } catch (error) {
      if (!(error instanceof ToolkitError) || error.exitCode === 2) throw error;
      apiError = error;
      io.stderr(`error: could not list promotion pull requests: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
    }
    const failed = clusters.some((c) => c.error) || apiError !== undefined;

    if (output === 'json') {
      io.stdout(JSON.stringify({
        base: ref.base,
        commit: ref.commit,
        stale: ref.stale ?? null,
        clusters: clusters.map((c) => ({
          name: c.name,
          file: c.file,
          exercise: c.exercise ?? null,
          section: c.section ?? null,
          title: c.title ?? null,
          error: c.error ?? null,
          pullRequests: pulls ? (pulls.get(c.name) ?? []) : null,
        })),
        pullRequestsError: apiError ? errorReport(apiError) : null,
      }, null, 2));
      return failed ? 1 : 0;
    }
    io.stdout(`Clusters on ${ref.base} (${ref.commit.slice(0, 12)}):`);
    if (clusters.length === 0) io.stdout('  (no clusters/<name>/exercise/kustomization.yaml found)');
    const width = Math.max(8, ...clusters.map((c) => c.name.length));
    for (const c of clusters) {
      const what = c.exercise ? `${c.exercise}${c.section || c.title ? `  (${[c.section, c.title].filter(Boolean).join(' ')})` : ''}` : `unreadable: ${c.error}`;
      io.stdout(`  ${c.name.padEnd(width)}  ${what}`);
      for (const p of pulls?.get(c.name) ?? []) {
        io.stdout(`  ${''.padEnd(width)}  open promotion to ${p.exercise}${p.draft ? ' (draft)' : ''}: #${p.number} ${p.url}`);
      }
    }
    if (apiError) io.stdout('Open promotion pull requests: unknown (GitHub could not be read; see the error above).');
    else if (!pulls) io.stdout('Set GITHUB_TOKEN (or GH_TOKEN) to also list open promotion pull requests.');
    return failed ? 1 : 0;
  });
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return run(argv, io);
}

runIfMain(import.meta.url, main);
