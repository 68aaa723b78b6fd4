// `npm run simulate`: predicts, from an exercise's or cluster's rendered manifests alone, what each user's
// Bookinfo page shows (outcome, probability, latency, path) and the rollout any Flagger Canary will run.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { command, defaultIo, oneOf, runIfMain, type Io } from '../lib/cli.ts';
import { ToolkitError, UsageError } from '../lib/errors.ts';
import { loadExercises } from '../lib/exercises.ts';
import { parseManifests } from '../lib/manifests.ts';
import { useRenderCache } from '../lib/render/index.ts';
import { renderTarget, resolveTarget } from '../lib/targets.ts';
import { loadCallGraph } from '../lib/simulate/callgraph.ts';
import { simulate } from '../lib/simulate/engine.ts';
import { formatResult, OUTPUT_FORMATS } from '../lib/simulate/format.ts';
import { rejections, rejectionWarning } from '../lib/validate/verdict.ts';

const HELP = `Usage: npm run simulate -- <exercise-id | cluster-name> [options]

Renders the target with kustomize and predicts, per user, what the Bookinfo page shows:
each outcome with its exact probability, the page latency and the path the request took,
plus why a call failed. Targets with a Flagger Canary also get the rollout timeline.

Options:
  -u, --user <name>        simulate this user (repeatable; "anonymous" for no user);
                           default: anonymous plus every user a header match names
  -o, --output <format>    text (default), json, mermaid, or markdown (graph + table)
      --fail-from <n>      make the canary's metric checks fail from analysis n on (n >= 1);
                           only for targets with a Flagger Canary (usage error otherwise)
      --no-cache           build with kustomize afresh: do not read or write the render cache
  -h, --help               show this help
      --debug              print stack traces on errors

The model and its limits: docs/simulate.md.
When npm run validate would reject the target, a warning on stderr says so (the prediction is still printed).
Exit codes: 0 prediction printed, 1 the target could not be rendered or simulated, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, {
    help: HELP,
    options: {
      user: { type: 'string', short: 'u', multiple: true },
      output: { type: 'string', short: 'o' },
      'fail-from': { type: 'string' },
      'no-cache': { type: 'boolean' },
    },
  }, async ({ values, positionals }) => {
    useRenderCache(!values['no-cache']);
    const output = oneOf(values.output, OUTPUT_FORMATS, '--output', 'text');
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'Name an exercise or a cluster to simulate.' : `Expected one target, got ${positionals.length}.`,
        'Example: npm run simulate -- fault-delay. Run `npm run exercises` to list targets.',
      );
    }
    let failFrom: number | undefined;
    if (values['fail-from'] !== undefined) {
      failFrom = Number(values['fail-from']);
      if (!Number.isInteger(failFrom) || failFrom < 1 || failFrom > 10_000) {
        throw new UsageError(`Invalid value ${JSON.stringify(values['fail-from'])} for --fail-from.`, 'Give the 1-based analysis interval the checks start failing at, e.g. --fail-from 3.');
      }
    }
    const users = values.user?.map((u) => {
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(u)) throw new UsageError(`Invalid user ${JSON.stringify(u)}.`, 'User names are letters, digits and . _ @ - (at most 64).');
      return u === 'anonymous' ? null : u;
    });
    const target = await resolveTarget(io.root, positionals[0]!);
    const text = await renderTarget(io.root, target);
    const parsed = parseManifests(text, target.dir);
    const broken = parsed.findings.filter((f) => f.severity === 'error');
    if (broken.length > 0) {
      throw new ToolkitError(`${target.dir} renders to manifests that do not parse: ${broken[0]!.message}`, {
        hint: `Run \`npm run validate -- ${target.dir}\` for every finding.`,
      });
    }
    const warning = rejectionWarning(target.dir, await rejections(parsed.resources));
    if (warning) io.stderr(warning);
    const graph = await loadCallGraph(io.root);
    const result = simulate(parsed.resources, graph, {
      target: target.name,
      ...(users ? { users } : {}),
      ...(failFrom === undefined ? {} : { failFrom }),
    });
    if (failFrom !== undefined && result.canaries.length === 0) {
      // Silently ignoring the flag would print a prediction the user believes includes a failed rollout.
      const withCanary = await exerciseWithCanary(io.root);
      throw new UsageError(
        `--fail-from only changes a Flagger Canary's rollout, and ${target.name} renders no Canary.`,
        withCanary !== undefined
          ? `Drop --fail-from, or simulate a target with a Canary, e.g. npm run simulate -- ${withCanary} --fail-from ${failFrom}.`
          : 'Drop --fail-from; no exercise in this repository defines a Flagger Canary.',
      );
    }
    io.stdout(formatResult(result, output));
    return 0;
  });
}

/** The first exercise whose own files declare a Flagger Canary, for the hint only. */
async function exerciseWithCanary(root: string): Promise<string | undefined> {
  for (const exercise of await loadExercises(root).catch(() => [])) {
    const files = await readdir(join(root, exercise.dir)).catch(() => []);
    for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
      const text = await readFile(join(root, exercise.dir, file), 'utf8').catch(() => '');
      const { resources } = parseManifests(text, file);
      if (resources.some((r) => r.object.kind === 'Canary' && String(r.object.apiVersion).startsWith('flagger.app/'))) return exercise.id;
    }
  }
  return undefined;
}

runIfMain(import.meta.url, main);
