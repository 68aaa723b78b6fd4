// `npm run render -- <exercise-id | cluster-name>`: the manifests that target renders to, via real kustomize.
import { asksForJson, defaultIo, guarded, invocationDir, parseCli, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { useRenderCache } from '../lib/render/index.ts';
import { renderTarget, resolveTarget } from '../lib/targets.ts';

const HELP = `Usage: npm run render -- <exercise-id | cluster-name | directory>

Prints the Kubernetes manifests an exercise (exercises/<id>), a cluster's current
exercise (clusters/<name>/exercise) or any kustomization directory renders to, built
with the real kustomize binary. A failed build names the file and line kustomize
objects to and the fix, as npm run validate does.

Options:
      --no-cache  build with kustomize afresh: do not read or write the render cache
  -h, --help      show this help
      --debug     print stack traces on errors

Examples:
  npm run render -- fault-abort
  npm run render -- exercises/fault-abort
  npm run render -- workshop | kubectl diff -f -

Exit codes: 0 rendered, 1 unknown target or kustomize failed, 2 usage error.`;

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const debug = argv.includes('--debug');
  return guarded(io, debug, async () => {
    const { values, positionals } = parseCli(argv, { help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' }, 'no-cache': { type: 'boolean' } });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'Missing the exercise id or cluster name to render.' : 'Give exactly one exercise id or cluster name.',
        'Usage: npm run render -- <exercise-id | cluster-name>. Run `npm run exercises` to list them.',
      );
    }
    useRenderCache(!values['no-cache']);
    const target = await resolveTarget(io.root, positionals[0] as string, invocationDir(io));
    io.stdout(await renderTarget(io.root, target));
    return 0;
  }, { json: asksForJson(argv) });
}

runIfMain(import.meta.url, main);
