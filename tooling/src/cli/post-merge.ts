// `npm run ci:post-merge`: after a promotion merges, tells learners what to do and observe now and which
// exercise comes next, from the pointer change between two commits; optionally as a comment on the merged PR.
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { loadExercises } from '../lib/exercises.ts';
import { pointerMoves } from '../lib/ci/git.ts';
import { changedFiles, checkRef, commitExists, listFiles, ZERO_SHA } from '../lib/git.ts';
import { POST_MERGE_MARKER, postMergeMessage } from '../lib/ci/post-merge.ts';
import { commentOnMergedPullRequest } from '../lib/ci/pr-comment.ts';
import { gitHubFromEnv } from '../lib/github.ts';

const HELP = `Usage: npm run ci:post-merge -- [options]

Prints, as Markdown, what learners should do and observe now that a promotion has
merged, and which exercise comes next, for every cluster whose exercise pointer
moved between two commits. Prints nothing when no pointer moved.

Options:
      --before <sha>     commit before the push (default: $BEFORE_SHA; a missing or
                         all-zero value treats every pointer as new)
      --after <sha>      commit after the push (default: $AFTER_SHA, else HEAD)
      --comment          also comment on the merged pull request of --after, editing
                         its earlier comment on a re-run. Reads GITHUB_TOKEN (or
                         GH_TOKEN), GITHUB_REPOSITORY and GITHUB_API_URL.
  -o, --output <format>  markdown (default) or json
  -h, --help             show this help
      --debug            print stack traces on errors

Exit codes: 0 done (or nothing moved), 1 a pointer names an unknown exercise or the
API failed, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    positionals: false,
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      comment: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values }) => {
    const output = oneOf(values.output, ['markdown', 'json'] as const, '--output', 'markdown');
    const after = checkRef(values.after ?? (io.env.AFTER_SHA || 'HEAD'), values.after === undefined ? 'AFTER_SHA' : '--after');
    const rawBefore = values.before ?? (io.env.BEFORE_SHA || undefined);
    let before = rawBefore === undefined || ZERO_SHA.test(rawBefore) ? undefined : checkRef(rawBefore, values.before === undefined ? 'BEFORE_SHA' : '--before');
    if (before !== undefined && !(await commitExists(io.root, before))) {
      // A force-push can make `before` unreachable; comparing with nothing still says where clusters are now.
      io.stderr(`warning: commit ${before.slice(0, 12)} is not in this clone; treating every pointer as new.`);
      before = undefined;
    }

    const paths = before === undefined ? await listFiles(io.root, after, 'clusters') : await changedFiles(io.root, before, after);
    // pointerMoves keeps the pointer files among them.
    const moves = await pointerMoves(io.root, before, after, paths);
    const exercises = await loadExercises(io.root);
    const message = postMergeMessage(moves, exercises);

    let comment = undefined;
    if (values.comment && message.markdown !== '') {
      const sha = /^[0-9a-f]{40}$/.test(after) ? after : undefined;
      if (!sha) throw new UsageError('--comment needs --after (or AFTER_SHA) to be a full commit SHA.');
      const github = await gitHubFromEnv({ root: io.root, env: io.env, log: (line) => io.stderr(line) });
      if (!github) throw new UsageError('--comment needs GITHUB_TOKEN (or GH_TOKEN).', 'In the workflow, pass `GITHUB_TOKEN: ${{ github.token }}` through env.');
      comment = await commentOnMergedPullRequest(github, { sha, body: message.markdown, marker: POST_MERGE_MARKER });
      const where = comment.pullRequest === undefined ? 'no merged pull request is associated with this commit' : `pull request #${comment.pullRequest}`;
      io.stderr(`comment: ${comment.action} (${where})`);
    }

    if (output === 'json') {
      io.stdout(JSON.stringify({ clusters: message.clusters, markdown: message.markdown, comment: comment ?? null }, null, 2));
    } else if (message.markdown === '') {
      io.stderr('No exercise pointer moved; nothing to tell learners.');
    } else {
      io.stdout(message.markdown);
    }
    return message.problems ? 1 : 0;
  });
}

runIfMain(import.meta.url, main);
