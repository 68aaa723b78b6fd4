// `validate`: renders kustomization directories with the real kustomize, reads manifest files or stdin,
// checks every resource against its in-process schema (strictly), optionally runs kubeconform and the
// registered analyzers, and returns every finding together with a summary. Never throws for bad input.
// The work is a pipeline of stages, each its own module, each stage's output the next one's input:
// discover (paths to targets) -> render (targets to text) -> load (text to units) -> schema (units to
// statuses and findings) -> [kubeconform] -> analyzers -> report (findings in order and the tally).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Finding } from '../findings.ts';
import { analyze } from './analyze.ts';
import { discover } from './discover.ts';
import { inputFindings } from './inputs.ts';
import { chooseKubeconform, runKubeconform } from './kubeconform.ts';
import { load } from './load.ts';
import { mapLimit } from '../map-limit.ts';
import { render, startRenders } from './render.ts';
import { report, type UnitOutcome } from './report.ts';
import { checkSchemas, loadSchemasFor } from './schema.ts';
import { append, type ValidateOptions, type ValidationReport } from './types.ts';
import { plural } from '../plural.ts';

export { DEFAULT_TREES, findKustomizations } from './discover.ts';
export { loadSchemasFor, validateResources, validateResourcesAsync } from './schema.ts';
export type {
  Analyzer,
  AnalyzerContext,
  KubeconformUse,
  RenderedUnit,
  SchemaOptions,
  ValidateOptions,
  ValidationReport,
  ValidationSummary,
} from './types.ts';


export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const root = resolve(options.root);
  const progress = options.onProgress ?? (() => undefined);
  const concurrency = options.concurrency ?? availableParallelism();

  const discovered = await discover(root, options.paths);
  const findings: Finding[] = [...discovered.findings];
  const { targets } = discovered;
  const rendering = targets.filter((t) => t.kind === 'kustomization').length;
  const renders = rendering > 0 ? await startRenders(options.renderer) : undefined;
  if (renders) progress(`Rendering ${plural(rendering, 'kustomization')} with ${renders.name} (${concurrency} at a time)...`);
  const analyzers = options.analyzers ?? [];
  const ctx = { root, loaded: new Map<string, Promise<unknown>>() };
  const validTexts = new Set<string>();
  // Each unit goes through schema and analyzers as soon as it is loaded, while other units still render:
  // node works while kustomize does. Findings are gathered per stage below, in the same order as ever.
  const units = await mapLimit(targets, rendering > 0 ? concurrency : 1, async (t) => {
    const l = load(root, await render(root, t, options.stdin, renders?.run));
    await loadSchemasFor(l.unit.resources);
    // Renders repeat each other (shared bases); plain files rarely do, and remembering their texts costs time.
    const checked = checkSchemas(l.unit.resources, options, l.unit.kind === 'kustomization' ? validTexts : undefined);
    // What no schema says but kustomize, the API server or etcd refuse (a missing name, duplicates, sizes).
    append(checked.findings, inputFindings(l.unit.resources, l.unit.kind === 'kustomization', l.textLength));
    // A unit that did not render has nothing to judge: its expectations would only restate the failure.
    const judged = analyzers.length > 0 && !l.findings.some((f) => f.rule === 'render') ? await analyze(l.unit, analyzers, ctx) : undefined;
    return { l, checked, judged };
  });
  for (const { l } of units) append(findings, l.findings);
  const loaded = units.map((u) => u.l);
  progress(`Validated ${plural(loaded.reduce((n, l) => n + l.unit.resources.length, 0), 'resource')} from ${plural(loaded.length, 'unit')}.`);
  const outcomes: UnitOutcome[] = units.map(({ l, checked }) => {
    append(findings, checked.findings);
    return { unit: l.unit, statuses: checked.statuses, resourceFindings: [...checked.findings] };
  });

  const kc = options.kubeconform ?? {};
  const { binary, use } = chooseKubeconform(kc);
  if (binary) {
    progress(`Running kubeconform (${binary}) on the same resources...`);
    const results = await mapLimit(loaded, concurrency, (l) =>
      runKubeconform(l.unit.resources, l.unit.source, { binary, schemaLocations: kc.schemaLocations, ignoreMissingSchemas: options.ignoreMissingSchemas, skipKinds: options.skipKinds }),
    );
    for (const [i, r] of results.entries()) {
      append((outcomes[i] as UnitOutcome).resourceFindings, r);
      append(findings, r);
    }
  }
  // Not found is reported in summary.kubeconform; the CLI says it once, whatever the verbosity.

  for (const [i, { judged }] of units.entries()) {
    if (!judged) continue;
    append(findings, judged.failures);
    append((outcomes[i] as UnitOutcome).resourceFindings, judged.findings);
    append(findings, judged.findings);
  }

  const result = report(findings, outcomes, use);
  if (renders) result.summary.kustomize = renders.finish();
  return result;
}
