// `npm run exercises`: the workshop's exercises in order, marking the one each cluster points at.
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { loadExercises } from '../lib/exercises.ts';
import { loadClusters } from '../lib/clusters.ts';

const HELP = `Usage: npm run exercises [-- --output text|json]

Lists the workshop's exercises in order (id, seed section, title) and marks the
exercise each cluster under clusters/ points at.

Options:
  -o, --output <format>  text (default) or json
  -h, --help             show this help
      --debug            print stack traces on errors

Exit codes: 0 listed, 1 a cluster points at an exercise that does not exist, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    positionals: false,
    options: {
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values }) => {
    const output = oneOf(values.output, ['text', 'json'] as const, '--output', 'text');
    const [exercises, clusters] = await Promise.all([loadExercises(io.root), loadClusters(io.root)]);
    if (output === 'json') {
      io.stdout(JSON.stringify({
        exercises: exercises.map((e) => ({
          id: e.id, order: e.order, section: e.section, title: e.title, summary: e.summary,
          clusters: clusters.filter((c) => c.exerciseId === e.id).map((c) => c.name),
        })),
        clusters: clusters.map((c) => ({ name: c.name, exercise: c.exerciseId, pointerFile: c.pointerFile })),
      }, null, 2));
      return 0;
    }
    const idWidth = Math.max(2, ...exercises.map((e) => e.id.length));
    const sectionWidth = Math.max(7, ...exercises.map((e) => e.section.length));
    const lines = [`  ${'ID'.padEnd(idWidth)}  ${'SECTION'.padEnd(sectionWidth)}  TITLE`];
    for (const e of exercises) {
      const here = clusters.filter((c) => c.exerciseId === e.id).map((c) => c.name);
      const mark = here.length > 0 ? '*' : ' ';
      const where = here.length > 0 ? `   <- ${here.join(', ')}` : '';
      lines.push(`${mark} ${e.id.padEnd(idWidth)}  ${e.section.padEnd(sectionWidth)}  ${e.title}${where}`);
    }
    const dangling = clusters.filter((c) => !exercises.some((e) => e.id === c.exerciseId));
    for (const c of dangling) {
      lines.push(`! cluster ${c.name} points at "${c.exerciseId}", which is not an exercise (${c.pointerFile}:${c.pointerLine})`);
    }
    io.stdout(lines.join('\n'));
    return dangling.length > 0 ? 1 : 0;
  });
}

runIfMain(import.meta.url, main);
