// `npm run validate [-- path...]`: render with kustomize, check every resource strictly against its schema,
// report all findings (text, json or junit) and exit 0 (clean), 1 (findings at --fail-on or worse), 2 (usage).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { asksForJson, guarded, invocationDir, oneOf, parseCli, runIfMain, type Io } from '../lib/cli.ts';
import { UsageError } from '../lib/errors.ts';
import { isAtLeast, type Severity } from '../lib/findings.ts';
import { defaultAnalyzers } from '../lib/validate/analyzers.ts';
import { useRenderCache } from '../lib/render/index.ts';
import { validate, type Analyzer } from '../lib/validate/index.ts';
import { formatJunit } from '../lib/junit.ts';
import { looksLikePath, resolveTarget } from '../lib/targets.ts';
import { display } from '../lib/validate/discover.ts';
import { isExecutable } from '../lib/which.ts';
import { formatJson, formatText } from '../lib/validate/output.ts';

const HELP = `Usage: npm run validate -- [options] [path...]

Renders every kustomization directory under clusters/, apps/ and exercises/ with the real kustomize
(or the given paths: kustomization directories, manifest files, exercise ids or cluster names, or -
for standard input) and checks every resource against its schema. Unknown fields are errors.

Options:
  -o, --output <format>        text (default), json or junit
  --fail-on <severity>         error (default), warning or info: the lowest severity that fails the run
  --ignore-missing-schemas     count kinds without a schema as skipped instead of failing
  --skip <Kind,Kind>           do not check these kinds (repeatable)
  --kubeconform <path>         also run this kubeconform binary (default: KUBECONFORM or kubeconform on PATH)
  --no-kubeconform             never run kubeconform
  --schema-location <loc>      schema location passed to kubeconform (repeatable)
  --no-analyzers               schemas only: skip the mesh analyzers and exercise checks
  --no-cache                   render every kustomization afresh: do not read or write the render cache
  --verbose                    print progress to stderr even when it is not a terminal
  --quiet                      no progress, no hints
  --debug                      stack traces for unexpected errors
  -h, --help                   show this help

What runs:
  schemas        every resource, strictly: schema, yaml, empty, missing-kind, render, missing-schema,
                 kubeconform, io (docs/validate.md)
  mesh analyzers routes, subsets, hosts, gateways, canaries, ... (docs/rules.md)
  exercises      exercise-expectation: the traffic simulator must predict what exercise.yaml expects
                 (docs/simulate.md)
  repository     cluster-path-mismatch, exercise-metadata-missing, exercise-order-duplicate
                 (docs/rules.md, Repository layout)
  Findings of the analyzers are errors, warnings or infos; --fail-on sets which of them fail the run.
  Silence a rule for one resource with the annotation mesh-workshop.dev/ignore-rules: "<rule>, <rule>"
  (and mesh-workshop.dev/ignore-reason); silenced findings are listed and counted, never fail.

On a plain manifest file the analyzers see only that file: a VirtualService whose Service or
DestinationRule lives in another file is reported as pointing at nothing. Validate the kustomization
directory instead, or pass --no-analyzers for schema checks only.

Exit codes: 0 no failing findings, 1 failing findings, 2 usage error.`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  'fail-on': { type: 'string' },
  'ignore-missing-schemas': { type: 'boolean' },
  skip: { type: 'string', multiple: true },
  kubeconform: { type: 'string' },
  'no-kubeconform': { type: 'boolean' },
  'no-analyzers': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'schema-location': { type: 'string', multiple: true },
  verbose: { type: 'boolean' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const KIND_NAME = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface ValidateCliDeps {
  /** Text for `-`; defaults to reading process.stdin. */
  stdin?: () => Promise<string>;
  /** Whether stderr is a terminal (progress is shown only then, or with --verbose). */
  isTTY?: boolean;
  /** Replaces the registry's defaultAnalyzers (tests of the CLI itself pass []). */
  registry?: Analyzer[];
}

/**
 * What a positional names: - (standard input); a path relative to where the user is, not to the repository
 * root (repository-relative when inside it, so findings name it as the user sees it); or, when no such path
 * exists, an exercise id or cluster name (its kustomization folder), as render and simulate accept.
 */
async function pathOf(io: Io, arg: string): Promise<string> {
  if (arg === '-') return arg;
  const abs = resolve(invocationDir(io), arg);
  const shown = display(io.root, abs);
  if (existsSync(abs) || looksLikePath(arg)) return shown;
  return resolveTarget(io.root, arg, invocationDir(io)).then((t) => t.dir, () => shown);
}

export async function main(argv: string[], io: Io, extraAnalyzers: Analyzer[] = [], deps: ValidateCliDeps = {}): Promise<number> {
  const debug = argv.includes('--debug');
  return guarded(io, debug, async () => {
    const { values, positionals: rawPositionals } = parseCli(argv, OPTIONS);
    const positionals = rawPositionals as string[];
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const output = oneOf(values.output, ['text', 'json', 'junit'] as const, '--output', 'text');
    const failOn: Severity = oneOf(values['fail-on'], ['error', 'warning', 'info'] as const, '--fail-on', 'error');
    const skipKinds = (values.skip ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const badKind = skipKinds.find((k) => !KIND_NAME.test(k));
    if (badKind !== undefined) throw new UsageError(`Invalid kind ${JSON.stringify(badKind)} in --skip.`, 'Give kinds as written in manifests, comma-separated: --skip Canary,HelmRelease.');
    if (values.kubeconform && values['no-kubeconform']) throw new UsageError('--kubeconform and --no-kubeconform contradict each other.', 'Use only one of them.');
    let binary: string | false | undefined = values['no-kubeconform'] ? false : undefined;
    if (values.kubeconform) {
      // Relative to where the user ran npm, like the positional paths (npm run starts in the package root).
      binary = resolve(invocationDir(io), values.kubeconform);
      if (!isExecutable(binary)) throw new UsageError(`--kubeconform ${values.kubeconform}: no executable file there.`, 'Give the path of a kubeconform binary, or leave the option out.');
    }
    if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('- (standard input) can be given only once.');

    useRenderCache(!values['no-cache']);
    const showProgress = !values.quiet && (values.verbose || (deps.isTTY ?? process.stderr.isTTY === true));
    const stdin = positionals.includes('-') ? await (deps.stdin ?? readStdin)() : undefined;
    const report = await validate({
      root: io.root,
      paths: await Promise.all(positionals.map((p) => pathOf(io, p))),
      stdin,
      ignoreMissingSchemas: values['ignore-missing-schemas'] ?? false,
      skipKinds,
      analyzers: values['no-analyzers'] ? [] : [...(deps.registry ?? defaultAnalyzers), ...extraAnalyzers],
      kubeconform: { binary, schemaLocations: values['schema-location'], env: io.env },
      onProgress: showProgress ? (m) => io.stderr(m) : undefined,
    });

    if (report.summary.kubeconform === 'not-found' && !values.quiet) {
      io.stderr('kubeconform not found (on PATH or in KUBECONFORM); using the in-process schemas only.');
    }
    if (output === 'json') io.stdout(formatJson(report));
    else if (output === 'junit') io.stdout(formatJunit(report));
    else io.stdout(formatText(report, { hints: !values.quiet }));
    return report.findings.some((f) => isAtLeast(f, failOn)) ? 1 : 0;
  }, { json: asksForJson(argv) });
}

runIfMain(import.meta.url, main);
