// `npm run promote -- <exercise-id | --next>`: move clusters to an exercise through a reviewed pull request
// (or print the plan with --dry-run, or commit to a local branch with --local).
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { promote, type PromoteRequest, type PromoteResult } from '../lib/promote/apply.ts';
import { failureReport } from '../lib/promote/failure.ts';
import { useRenderCache } from '../lib/render/index.ts';
import { explainUnpushedCluster, explainUnpushedExercise, originDrift } from '../lib/origin-drift.ts';

const HELP = `Usage: npm run promote -- <exercise-id> [options]
       npm run promote -- --next [options]

Moves a cluster to an exercise: rewrites the pointer in clusters/<name>/exercise/kustomization.yaml
in a temporary worktree of origin/<base>, validates the result, pushes the branch
promote/<cluster>/<id> (or promote/all/<id>) and opens or updates its pull request.
Your checkout, branch, index and uncommitted changes are never touched.

Options:
      --next              the exercise after the one the cluster points at now
      --cluster <name>    cluster to move (repeatable; default: the only cluster, or "workshop")
      --all-clusters      move every cluster in one commit and one pull request
      --base <branch>     branch to promote into (default: the repository's default branch)
      --draft             open the pull request as a draft
      --label <name>      extra label (repeatable; "promotion" is always added)
      --dry-run           print the plan (pointer diff, branch, title, body); write nothing; no token needed
      --local             commit on a local branch and print how to push it; no token needed
      --force             with --local: move the local branch even if its tip is not a promotion commit
  -o, --output <format>   text (default) or json; on failure json is {error, hint, status?, branch?, pushed}
      --no-cache          render with kustomize afresh: do not read or write the render cache
  -h, --help              show this help
      --debug             print stack traces on errors

Environment:
  GITHUB_TOKEN / GH_TOKEN  token with contents:write and pull-requests:write
  GITHUB_REPOSITORY        owner/repo (default: from the origin remote URL)
  GITHUB_API_URL           API root (default: https://api.github.com)

Examples:
  npm run promote -- fault-abort --dry-run
  npm run promote -- --next --cluster workshop-b
  npm run promote -- shift-50-v3 --all-clusters --label workshop-day-1

Exit codes: 0 done (created, updated, unchanged, noop, dry run or local), 1 the promotion failed
(validation, git or GitHub; see the hint), 2 usage error (including no token without --dry-run or --local).`;

export interface PromoteDeps {
  github?: PromoteRequest['github'];
}

function printPlan(result: PromoteResult, io: Io): void {
  const plan = result.plan;
  if (!plan) return;
  io.stdout(`Branch: ${plan.branch}`);
  io.stdout(`Base:   ${plan.base} (${plan.baseCommit.slice(0, 12)})`);
  io.stdout(`Title:  ${plan.title}`);
  io.stdout(`Labels: ${plan.labels.join(', ')}${plan.draft ? ' (draft)' : ''}`);
  io.stdout('');
  for (const c of plan.clusters) io.stdout(c.before === c.after ? `${c.name}: already at ${c.after}, not moved` : c.diff.trimEnd());
  io.stdout('');
  io.stdout('--- pull request body ---');
  io.stdout(plan.body.trimEnd());
}

export async function run(argv: string[], io: Io, deps: PromoteDeps = {}): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: {
      next: { type: 'boolean' },
      cluster: { type: 'string', multiple: true },
      'all-clusters': { type: 'boolean' },
      base: { type: 'string' },
      draft: { type: 'boolean' },
      label: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      local: { type: 'boolean' },
      force: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      'no-cache': { type: 'boolean' },
    },
    // A script that asked for JSON gets the failure's details too: HTTP status, branch, whether it is on origin.
    report: failureReport,
  }, async ({ values, positionals }) => {
    const output = oneOf(values.output, ['text', 'json'] as const, '--output', 'text');
    if (positionals.length > 1) throw new UsageError('Give one exercise id.', 'Usage: npm run promote -- <exercise-id> [options]');
    if (values['dry-run'] && values.local) throw new UsageError('Use either --dry-run or --local, not both.');
    if (values.force && !values.local) {
      throw new UsageError('--force only applies to --local.', 'A real run resets its own promote/... branch on origin with a lease; nothing to force.');
    }
    useRenderCache(!values['no-cache']);
    const mode = values['dry-run'] ? 'dry-run' : values.local ? 'local' : 'run';
    let result: PromoteResult;
    try {
      result = await promote({
        root: io.root,
        exerciseId: positionals[0],
        next: values.next ?? false,
        clusters: values.cluster ?? [],
        allClusters: values['all-clusters'] ?? false,
        base: values.base,
        draft: values.draft ?? false,
        labels: values.label ?? [],
        mode,
        force: values.force ?? false,
        env: io.env,
        progress: (line) => io.stderr(line),
        github: deps.github,
      });
    } catch (caught) {
      // An exercise or cluster that is in the checkout but not on origin: say "push first", not "unknown".
      throw explainUnpushedCluster(io.root, values.cluster ?? [], values.base, explainUnpushedExercise(io.root, positionals[0], values.base, caught));
    }
    printResult(result, output, io);
    // The promotion used origin's exercise; say so when the checkout has another version of it.
    if (result.plan) {
      const drift = await originDrift(io.root, [`exercises/${result.exercise}`], { commit: result.plan.baseCommit, label: `origin/${result.plan.base}` }).catch(() => undefined);
      if (drift?.message) io.stderr(`warning: ${drift.message}`);
    }
    return 0;
  });
}

function printResult(result: PromoteResult, output: 'text' | 'json', io: Io): void {
  if (output === 'json') {
    const json: Record<string, unknown> = {
      url: result.url ?? null,
      number: result.number ?? null,
      branch: result.branch,
      clusters: result.clusters,
      moved: result.moved,
      exercise: result.exercise,
      action: result.action,
      warnings: result.warnings,
    };
    if (result.plan && result.action === 'dry-run') Object.assign(json, { title: result.plan.title, body: result.plan.body });
    if (result.commit) json.commit = result.commit;
    io.stdout(JSON.stringify(json, null, 2));
    return;
  }
  switch (result.action) {
    case 'noop':
      io.stdout(`Nothing to promote: ${result.clusters.join(', ')} already at ${result.exercise}.`);
      break;
    case 'dry-run':
      printPlan(result, io);
      io.stdout('');
      io.stdout('Dry run: nothing was written, pushed or opened.');
      break;
    case 'local':
      io.stdout(`Committed ${result.commit?.slice(0, 12)} on local branch ${result.branch}; nothing was pushed.`);
      io.stdout('To open the pull request yourself:');
      io.stdout(`  git push -u origin ${result.branch}`);
      io.stdout(`  then open a pull request from ${result.branch} into ${result.plan?.base ?? 'the default branch'} (e.g. gh pr create --head ${result.branch} --fill)`);
      break;
    default:
      io.stdout(`${result.action === 'created' ? 'Opened' : result.action === 'updated' ? 'Updated' : 'Unchanged'} pull request #${result.number} for ${result.branch}.`);
      io.stdout(result.url ?? '');
  }
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return run(argv, io);
}

runIfMain(import.meta.url, main);
