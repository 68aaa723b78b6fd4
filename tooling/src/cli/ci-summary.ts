// `npm run ci:summary`: the Markdown job summary of a pull request's validation run
// (what it changes, the promotion it makes, the findings). validate.yml appends it to $GITHUB_STEP_SUMMARY.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { command, defaultIo, invocationDir, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { NotFoundError, UsageError } from '../lib/errors.ts';
import { loadExercises } from '../lib/exercises.ts';
import { classifyChanges, parseChangedFiles } from '../lib/ci/changes.ts';
import { pointerMoves } from '../lib/ci/git.ts';
import { checkRef, commitExists } from '../lib/git.ts';
import { parseValidationReport, summaryMarkdown } from '../lib/ci/summary.ts';

const HELP = `Usage: npm run ci:summary -- [options]

Prints the Markdown job summary of a validation run: the clusters and exercises the
change touches, the exercise a promotion moves each cluster to, and the findings table.

Options:
      --validation <file>     output of \`npm run --silent validate -- --output json\`
      --changed-files <file>  newline-separated changed paths (git diff --name-only);
                              without it, the CHANGED_FILES environment variable is read
      --base <ref>            commit the change is compared with (e.g. origin/main), to read
                              each changed pointer's exercise before the change
      --head <ref>            commit after the change (default HEAD)
      --extra <file>          Markdown appended at the end (e.g. a simulation report)
      --max-findings <n>      rows in the findings table (default 50)
  -o, --output <format>       markdown (default) or json
  -h, --help                  show this help
      --debug                 print stack traces on errors

Exit codes: 0 summary printed, 1 an input could not be read, 2 usage error.`;

async function readInput(root: string, file: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(root, file), 'utf8');
  } catch {
    throw new NotFoundError(`Cannot read the ${what} file ${JSON.stringify(file)}.`, 'Check the path; it is relative to the directory the command was run from.');
  }
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    positionals: false,
    options: {
      validation: { type: 'string' },
      'changed-files': { type: 'string' },
      base: { type: 'string' },
      head: { type: 'string' },
      extra: { type: 'string' },
      'max-findings': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values }) => {
    const output = oneOf(values.output, ['markdown', 'json'] as const, '--output', 'markdown');
    const maxFindings = values['max-findings'] === undefined ? 50 : Number(values['max-findings']);
    if (!Number.isInteger(maxFindings) || maxFindings < 0) {
      throw new UsageError('--max-findings must be a whole number.');
    }
    const head = checkRef(values.head ?? 'HEAD', '--head');
    const base = values.base === undefined ? undefined : checkRef(values.base, '--base');

    const exercises = await loadExercises(io.root);
    const report = values.validation === undefined
      ? undefined
      : parseValidationReport(await readInput(invocationDir(io), values.validation, 'validation report'), values.validation);
    const changedText = values['changed-files'] !== undefined
      ? await readInput(invocationDir(io), values['changed-files'], 'changed files')
      : io.env.CHANGED_FILES;
    const changes = changedText === undefined ? undefined : classifyChanges(parseChangedFiles(changedText));
    let moves = undefined;
    if (changes && changes.pointerFiles.length > 0) {
      const before = base !== undefined && (await commitExists(io.root, base)) ? base : undefined;
      moves = await pointerMoves(io.root, before, head, changes.pointerFiles);
    }
    const extra = values.extra === undefined ? undefined : await readInput(invocationDir(io), values.extra, 'extra Markdown');

    if (output === 'json') {
      io.stdout(JSON.stringify({ changes: changes ?? null, moves: moves ?? [], summary: report?.summary ?? null, findings: report?.findings.length ?? null }, null, 2));
      return 0;
    }
    const input: Parameters<typeof summaryMarkdown>[0] = { exercises, maxFindings };
    if (report) input.report = report;
    if (changes) input.changes = changes;
    if (moves) input.moves = moves;
    if (extra !== undefined) input.extra = extra;
    io.stdout(summaryMarkdown(input));
    return 0;
  });
}

runIfMain(import.meta.url, main);
