// `npm run catalog -- check|write`: keeps the README exercise table and promote.yml's exercise choices equal
// to the catalog (exercises/*/exercise.yaml). CI runs `check`; an author runs `write` after adding an exercise.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { planCatalog } from '../lib/catalog/index.ts';

const HELP = `Usage: npm run catalog -- check|write [options]

The exercise catalog is exercises/*/exercise.yaml, in order. Two files list it as well:
the README table between <!-- exercises:start --> and <!-- exercises:end -->, and the
exercise choices of .github/workflows/promote.yml.

Commands:
  check   exit 1 when either file differs from the catalog, or the catalog has a folder
          without exercise.yaml or two exercises with the same order
  write   rewrite both files from the catalog (only the table and the choice list change)

Options:
  --dry-run          write: say what would change, and write nothing
  -o, --output <f>   text (default) or json
  -h, --help         show this help
      --debug        print stack traces on errors

Exit codes: 0 in step (or written), 1 out of step (check) or failed, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: {
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values, positionals }) => {
    const json = oneOf(values.output, ['text', 'json'] as const, '--output', 'text') === 'json';
    const [command, ...rest] = positionals;
    if (command !== 'check' && command !== 'write') {
      throw new UsageError(command === undefined ? 'Missing the command.' : `Unknown command ${JSON.stringify(command)}.`, 'Usage: npm run catalog -- check|write.');
    }
    if (rest.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(rest[0])}.`, 'Usage: npm run catalog -- check|write.');
    if (command === 'check' && values['dry-run']) throw new UsageError('--dry-run applies to write; check never writes.');
    const plan = await planCatalog(io.root);
    const stale = plan.files.filter((f) => f.current !== f.expected).map((f) => f.path);
    const problems = [
      ...plan.scan.withoutMetadata.map((id) => `exercises/${id} has no exercise.yaml, so the catalog leaves it out (npm run validate says how to fix it).`),
      ...plan.scan.duplicateOrders.map((d) => `${d.ids.map((id) => `exercises/${id}`).join(' and ')} share \`order: ${d.order}\` (npm run validate says how to fix it).`),
    ];
    const write = command === 'write' && !values['dry-run'];
    if (write) for (const f of plan.files.filter((x) => x.current !== x.expected)) await writeFile(join(io.root, f.path), f.expected);
    const failed = command === 'check' && (stale.length > 0 || problems.length > 0);
    if (json) {
      io.stdout(JSON.stringify({ command, exercises: plan.scan.exercises.map((e) => e.id), files: plan.files.map((f) => ({ path: f.path, inStep: f.current === f.expected })), written: write ? stale : [], problems }, null, 2));
      return failed ? 1 : 0;
    }
    // For check, the catalog's own problems fail it; for write, they are warnings.
    for (const p of problems) io.stderr(`${command === 'check' ? 'error' : 'warning'}: ${p}`);
    const ids = plan.scan.exercises.length;
    if (command === 'check') {
      if (stale.length === 0 && problems.length === 0) io.stdout(`The README table and promote.yml list the ${ids} exercises of the catalog.`);
      else if (stale.length > 0) {
        io.stderr(`error: ${stale.join(' and ')} ${stale.length === 1 ? 'does' : 'do'} not list the ${ids} exercises of the catalog.`);
        io.stderr('hint: Run `npm run catalog -- write` and commit the result.');
      }
      return failed ? 1 : 0;
    }
    if (stale.length === 0) io.stdout(`Nothing to write: the README table and promote.yml already list the ${ids} exercises.`);
    else io.stdout(`${values['dry-run'] ? 'Dry run: would rewrite' : 'Rewrote'} ${stale.join(' and ')} from the ${ids} exercises of the catalog.`);
    return 0;
  });
}

runIfMain(import.meta.url, main);
