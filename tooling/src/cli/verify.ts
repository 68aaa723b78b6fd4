// `npm run verify`: after a promotion merges, confirm that the cluster took it and that users see what the
// simulator predicted. Progress goes to stderr, the report to stdout.
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { commentOnMergedPullRequest } from '../lib/ci/pr-comment.ts';
import { UsageError } from '../lib/errors.ts';
import { createGitHub, parseRepository, tokenFrom } from '../lib/github.ts';
import { formatVerify, verifyMarker, verifyMarkdown, VERIFY_FORMATS } from '../lib/verify/format.ts';
import { verify } from '../lib/verify/index.ts';
import { parseDuration } from '../lib/mesh/index.ts';
import { connect, type KubeReader } from '../lib/verify/kube.ts';

const HELP = `Usage: npm run verify -- [<cluster>] [options]

After a promotion merges: waits until Flux (Kustomization exercise) or Argo CD (Application exercise)
reports the base-branch commit that carries the cluster's pointer, compares the live VirtualServices,
DestinationRules, Deployments and Canary with the render of that commit, and with --url loads the page
as each user the exercise names and tests what they see against npm run simulate's prediction.
Reads the cluster through your kubeconfig (KUBECONFIG, else ~/.kube/config); it never writes to it.

Options:
      --context <name>       kubeconfig context (default: the current context)
      --timeout <duration>   how long to wait for the engine (default 10m; e.g. 90s, 1m30s)
      --interval <duration>  how often to poll the engine while waiting (default 5s)
      --revision <commit>    verify this commit's pointer instead of origin's base branch
      --base <branch>        the base branch on origin (default: origin's default branch)
      --url <url>            the product page, e.g. http://<ingress>/productpage
      --requests <n>         page loads per user (default 100)
      --concurrency <n>      page loads in flight per user (default 4)
      --alpha <p>            significance of the page test over all users (default 0.01)
      --latency-slack <d>    how much slower than predicted a median page may be (default 1s)
      --comment              also put the result on the merged pull request of --revision (a full
                             SHA), editing its earlier comment on a re-run; reads GITHUB_TOKEN (or
                             GH_TOKEN), GITHUB_REPOSITORY and GITHUB_API_URL
  -o, --output <format>      text (default) or json
  -h, --help                 show this help
      --debug                print stack traces on errors

Details: docs/verify.md.
Exit codes: 0 everything checked passed, 1 a check failed or the cluster could not be read, 2 usage error.`;

/** A Go duration as kubectl takes it (`10m`, `1m30s`, `500ms`), in milliseconds; it must be positive. */
export function parseDurationOption(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`Invalid duration ${JSON.stringify(text)} for ${option}.`, 'Use a number with a unit: 500ms, 90s, 10m, 1h, 1m30s.');
  return ms;
}

function integerOption(text: string | undefined, option: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`Invalid value ${JSON.stringify(text)} for ${option}.`, `Give a whole number from 1 to ${max}.`);
  return n;
}

function urlOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`Invalid URL ${JSON.stringify(text)} for --url.`, 'Give the product page, e.g. --url http://localhost:8080/productpage.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${url.protocol}`, 'e.g. --url http://localhost:8080/productpage.');
  return url.href;
}

export interface VerifyDeps {
  /** Builds the cluster reader (tests may hand in their own; default: the kubeconfig). */
  connect?: typeof connect;
  fetch?: typeof fetch;
}

export async function main(argv: string[], io: Io = defaultIo(), deps: VerifyDeps = {}): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: {
      context: { type: 'string' },
      timeout: { type: 'string' },
      interval: { type: 'string' },
      revision: { type: 'string' },
      base: { type: 'string' },
      url: { type: 'string' },
      requests: { type: 'string' },
      concurrency: { type: 'string' },
      alpha: { type: 'string' },
      'latency-slack': { type: 'string' },
      comment: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values, positionals }) => {
    const output = oneOf(values.output, VERIFY_FORMATS, '--output', 'text');
    if (positionals.length > 1) throw new UsageError(`Expected at most one cluster, got ${positionals.length}.`, 'Example: npm run verify -- workshop --url http://localhost:8080/productpage.');
    const alpha = values.alpha === undefined ? 0.01 : Number(values.alpha);
    if (!(alpha > 0 && alpha < 0.5)) throw new UsageError(`Invalid value ${JSON.stringify(values.alpha)} for --alpha.`, 'Give a significance between 0 and 0.5, e.g. 0.01.');
    const request = {
      root: io.root,
      ...(positionals[0] === undefined ? {} : { cluster: positionals[0] }),
      ...(values.revision === undefined ? {} : { revision: values.revision }),
      ...(values.base === undefined ? {} : { base: values.base }),
      timeoutMs: values.timeout === undefined ? 600_000 : parseDurationOption(values.timeout, '--timeout'),
      intervalMs: values.interval === undefined ? 5_000 : parseDurationOption(values.interval, '--interval'),
      ...(values.url === undefined ? {} : { url: urlOption(values.url)! }),
      requests: integerOption(values.requests, '--requests', 100, 100_000),
      concurrency: integerOption(values.concurrency, '--concurrency', 4, 64),
      alpha,
      latencySlackMs: values['latency-slack'] === undefined ? 1_000 : parseDurationOption(values['latency-slack'], '--latency-slack'),
      pageTimeoutMs: 30_000,
      progress: (line: string) => io.stderr(line),
    };
    let github: ReturnType<typeof createGitHub> | undefined;
    if (values.comment) {
      // Checked before any waiting, so a misconfigured workflow fails at once.
      const token = tokenFrom(io.env);
      if (!token) throw new UsageError('--comment needs GITHUB_TOKEN (or GH_TOKEN).', 'In the workflow, pass `GITHUB_TOKEN: ${{ github.token }}` through env.');
      if (!/^[0-9a-f]{40}$/.test(values.revision ?? '')) throw new UsageError('--comment needs --revision to be the full SHA of the merge commit.');
      github = createGitHub({ token, ...parseRepository(io.env.GITHUB_REPOSITORY), baseUrl: io.env.GITHUB_API_URL || undefined, log: (line) => io.stderr(line) });
    }
    const reader: KubeReader = await (deps.connect ?? connect)({ env: io.env, ...(values.context === undefined ? {} : { context: values.context }) });
    const report = await verify(request, reader, deps.fetch);
    io.stdout(formatVerify(report, output));
    if (github) {
      const comment = await commentOnMergedPullRequest(github, { sha: values.revision!, body: verifyMarkdown(report), marker: verifyMarker(report.cluster) });
      io.stderr(`comment: ${comment.action} (${comment.pullRequest === undefined ? 'no merged pull request is associated with this commit' : `pull request #${comment.pullRequest}`})`);
    }
    return report.ok ? 0 : 1;
  });
}

runIfMain(import.meta.url, main);
