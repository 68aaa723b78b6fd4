// `npm run history`: when each cluster moved to which exercise, from the mainline git log of its pointer file,
// with the pull request number when the merge (or squash) commit names one.
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { findCluster } from '../lib/clusters.ts';
import { UsageError } from '../lib/errors.ts';
import { clustersAt, historyOf, resolveBase, type HistoryEntry } from '../lib/promote/state.ts';
import { explainUnpushedCluster } from '../lib/origin-drift.ts';

const HELP = `Usage: npm run history [-- options]

The promotions of each cluster over time, oldest first: every mainline commit on the base branch at
which the cluster's pointer named a new exercise, with its date and the pull request that merged it.

Options:
      --cluster <name>    only this cluster (repeatable)
      --base <branch>     branch to read (default: the default branch of origin)
  -o, --output <format>   text (default) or json
  -h, --help              show this help
      --debug             print stack traces on errors

Exit codes: 0 history printed, 1 the git log could not be read, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: {
      base: { type: 'string' },
      cluster: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
    },
  }, async ({ values, positionals }) => {
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[0])}.`, 'Use --cluster <name> to pick a cluster.');
    const output = oneOf(values.output, ['text', 'json'] as const, '--output', 'text');
    const ref = await resolveBase(io.root, values.base, (l) => io.stderr(`warning: ${l}`));
    const states = await clustersAt(io.root, ref.commit);
    let names: string[];
    try {
      names = values.cluster?.length ? values.cluster.map((n) => findCluster(states, n).name) : states.map((s) => s.name);
    } catch (error) {
      throw explainUnpushedCluster(io.root, values.cluster ?? [], ref.base, error);
    }
    const history: Record<string, HistoryEntry[]> = {};
    for (const name of [...new Set(names)]) history[name] = await historyOf(io.root, ref.commit, name);

    if (output === 'json') {
      io.stdout(JSON.stringify({ base: ref.base, commit: ref.commit, clusters: history }, null, 2));
      return 0;
    }
    for (const [name, entries] of Object.entries(history)) {
      io.stdout(`${name}:`);
      if (entries.length === 0) io.stdout('  (no history)');
      for (const e of entries) {
        const from = e.previous ? `${e.previous} -> ` : '';
        io.stdout(`  ${e.date.slice(0, 19).replace('T', ' ')}  ${e.commit.slice(0, 12)}  ${from}${e.exercise}${e.pr !== undefined ? `  (#${e.pr})` : ''}`);
      }
    }
    return 0;
  });
}

runIfMain(import.meta.url, main);
