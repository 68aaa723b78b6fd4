// `npm run exercises`: the workshop's exercises in order, marking the one each cluster points at.
import { defaultIo, guarded, oneOf, parseCli, runIfMain, type Io } from '../lib/cli.ts';
import { scanExercises } from '../lib/exercises.ts';
import { scanClusters } from '../lib/clusters.ts';

const HELP = `Usage: npm run exercises [-- --output text|json]

Lists the workshop's exercises in order (id, seed section, title) and marks the
exercise each cluster under clusters/ points at.

A cluster whose pointer cannot be read, or names no exercise, is a warning: the other
clusters are listed as usual. So are a folder under exercises/ without exercise.yaml and
two exercises with the same order (npm run validate reports them with the fix).

Options:
  -o, --output <format>  text (default) or json
  -h, --help             show this help
      --debug            print stack traces on errors

Exit codes: 0 listed (warnings included), 1 failed, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const debug = argv.includes('--debug');
  return guarded(io, debug, async () => {
    const { values } = parseCli(argv, {
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
      debug: { type: 'boolean' },
    }, false);
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const output = oneOf(values.output, ['text', 'json'] as const, '--output', 'text');
    const [scan, { clusters, broken }] = await Promise.all([scanExercises(io.root), scanClusters(io.root)]);
    const { exercises } = scan;
    const dangling = clusters.filter((c) => !exercises.some((e) => e.id === c.exerciseId));
    const warnings = [
      ...broken.map((b) => `cluster ${b.name} is left out: ${b.error.message}${'hint' in b.error && b.error.hint ? ` ${String(b.error.hint)}` : ''}`),
      ...dangling.map((c) => `cluster ${c.name} points at "${c.exerciseId}", which is not an exercise (${c.pointerFile}:${c.pointerLine}).`),
      ...scan.withoutMetadata.map((id) => `exercises/${id} has no exercise.yaml, so it is not listed (npm run validate says how to fix it).`),
      ...scan.duplicateOrders.map((d) => `${d.ids.map((id) => `exercises/${id}`).join(' and ')} share \`order: ${d.order}\` (npm run validate says how to fix it).`),
    ];
    if (output === 'json') {
      io.stdout(JSON.stringify({
        exercises: exercises.map((e) => ({
          id: e.id, order: e.order, section: e.section, title: e.title, summary: e.summary,
          clusters: clusters.filter((c) => c.exerciseId === e.id).map((c) => c.name),
        })),
        clusters: clusters.map((c) => ({ name: c.name, exercise: c.exerciseId, pointerFile: c.pointerFile })),
        brokenClusters: broken.map((b) => ({ name: b.name, pointerFile: b.pointerFile, error: b.error.message })),
        warnings,
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
    io.stdout(lines.join('\n'));
    for (const w of warnings) io.stderr(`warning: ${w}`);
    return 0;
  });
}

runIfMain(import.meta.url, main);
