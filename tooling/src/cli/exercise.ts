// `npm run exercise -- new <id>`: scaffolds exercises/<id>/ from an existing exercise, at the next free
// position or right after another one; `npm run catalog -- write` then lists it in the README and promote.yml.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defaultIo, guarded, oneOf, parseCli, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { planScaffold } from '../lib/catalog/scaffold.ts';

const HELP = `Usage: npm run exercise -- new <id> [options]

Scaffolds exercises/<id>/: a copy of an existing exercise's manifests (its kustomization.yaml
and files) and an exercise.yaml with the next free order, the copied afterMerge and expect, and
a title and summary to fill in. Then edit it, and run npm run catalog -- write.

Options:
  --from <id>        the exercise to start from (default: the first one, the starting state)
  --after <id>       place it right after this exercise; the ones behind move back one position
  --title <text>     the title (default: from the id)
  --section <text>   the seed section (default: that of --after, else of --from)
  --dry-run          print the files it would write, and write none
  -o, --output <f>   text (default) or json
  -h, --help         show this help
      --debug        print stack traces on errors

Examples:
  npm run exercise -- new timeout --from fault-delay --after fault-abort --section 3.3
  npm run catalog -- write

Exit codes: 0 written (or planned), 1 failed (the id exists, an unknown exercise), 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const debug = argv.includes('--debug');
  return guarded(io, debug, async () => {
    const { values, positionals } = parseCli(argv, {
      from: { type: 'string' },
      after: { type: 'string' },
      title: { type: 'string' },
      section: { type: 'string' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
      debug: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const json = oneOf(values.output, ['text', 'json'] as const, '--output', 'text') === 'json';
    const [command, id, ...rest] = positionals;
    if (command !== 'new') throw new UsageError(command === undefined ? 'Missing the command.' : `Unknown command ${JSON.stringify(command)}.`, 'Usage: npm run exercise -- new <id> [--from <id>] [--after <id>].');
    if (id === undefined || rest.length > 0) throw new UsageError('`exercise new` takes one exercise id.', 'Usage: npm run exercise -- new <id> [--from <id>] [--after <id>].');
    const plan = await planScaffold(io.root, { id, from: values.from, after: values.after, title: values.title, section: values.section });
    const dryRun = values['dry-run'] === true;
    if (!dryRun) {
      for (const w of plan.writes) {
        await mkdir(dirname(join(io.root, w.path)), { recursive: true });
        await writeFile(join(io.root, w.path), w.text, w.existing ? {} : { flag: 'wx' });
      }
    }
    if (json) {
      io.stdout(JSON.stringify({ action: dryRun ? 'planned' : 'created', id: plan.id, from: plan.from, order: plan.order, files: plan.writes.map((w) => ({ path: w.path, existing: w.existing, ...(dryRun ? { text: w.text } : {}) })) }, null, 2));
      return 0;
    }
    if (dryRun) {
      for (const w of plan.writes) io.stdout(`--- ${w.path}${w.existing ? ' (renumbered)' : ''}\n${w.text}`);
      io.stdout(`Dry run: would write ${plan.writes.length} files (nothing written).`);
      return 0;
    }
    const moved = plan.writes.filter((w) => w.existing).map((w) => w.path);
    io.stdout([
      `Created exercises/${plan.id}/ from ${plan.from}, at order ${plan.order}${moved.length > 0 ? `; moved back one position: ${moved.join(', ')}` : ''}.`,
      'Next:',
      `  edit exercises/${plan.id}/ (its kustomization.yaml, and title, summary, afterMerge and expect in exercise.yaml)`,
      `  npm run simulate -- ${plan.id}          # what each user will see`,
      `  npm run validate -- exercises/${plan.id}`,
      '  npm run catalog -- write             # the README table and promote.yml\'s choices',
    ].join('\n'));
    return 0;
  });
}

runIfMain(import.meta.url, main);
