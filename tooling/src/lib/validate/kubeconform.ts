// Optional second opinion: when a kubeconform binary is available, run it (-strict -output json -summary)
// on the same rendered resources and turn its JSON report into findings with `source: 'kubeconform'`.
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';
import { isExecutable, which } from '../which.ts';
import type { KubeconformSetting, KubeconformUse } from './types.ts';

/** Where kubeconform looks for schemas when none are given: its built-in Kubernetes schemas, then the CRD catalog. */
export const DEFAULT_SCHEMA_LOCATIONS = [
  'default',
  'https://raw.githubusercontent.com/datreeio/CRDs-catalog/041baf4c1d3740ca21461cab765e7432ecd073ef/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json',
];

export interface KubeconformOptions {
  binary: string;
  schemaLocations?: string[];
  ignoreMissingSchemas?: boolean;
  skipKinds?: string[];
}

interface KubeconformResource {
  filename?: string;
  kind?: string;
  name?: string;
  version?: string;
  status?: string;
  msg?: string;
  validationErrors?: { path?: string; msg?: string }[];
}

/** `$KUBECONFORM` if set, else the first `kubeconform` on PATH; undefined when there is none. */
export function findKubeconform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KUBECONFORM) return isExecutable(env.KUBECONFORM) ? env.KUBECONFORM : undefined;
  return which('kubeconform', { env });
}

/** Which kubeconform binary a run uses, if any, and how the summary reports it. */
export function chooseKubeconform(setting: KubeconformSetting): { binary?: string; use: KubeconformUse } {
  if (setting.binary === false) return { use: 'disabled' };
  const binary = setting.binary ?? findKubeconform(setting.env ?? process.env);
  return binary ? { binary, use: 'ran' } : { use: 'not-found' };
}

export function kubeconformArgs(options: KubeconformOptions): string[] {
  const args = ['-strict', '-output', 'json', '-summary'];
  for (const location of options.schemaLocations?.length ? options.schemaLocations : DEFAULT_SCHEMA_LOCATIONS) {
    args.push('-schema-location', location);
  }
  if (options.ignoreMissingSchemas) args.push('-ignore-missing-schemas');
  if (options.skipKinds?.length) args.push('-skip', options.skipKinds.join(','));
  return args;
}

async function run(binary: string, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // zx is loaded only when kubeconform runs: a quarter of a second of start-up that plain runs do without.
  const { $ } = await import('zx');
  const p = $({ nothrow: true, quiet: true })`${binary} ${args}`;
  // Written here rather than through zx's `input`, which leaves the pipe without an error handler: a binary
  // that exits before reading all of it (or cannot start) would end the toolkit with an uncaught EPIPE.
  const stdin = p.stdin;
  if (stdin && !stdin.destroyed) {
    stdin.on('error', () => undefined);
    stdin.end(input);
  }
  const out = await p;
  return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
}

/** JSON per document (JSON is YAML), so kubeconform sees exactly the objects the toolkit validated. */
export function toStdin(resources: readonly SourcedResource[]): string {
  return resources.map((r) => JSON.stringify(r.object)).join('\n---\n') + '\n';
}

/** Maps kubeconform's JSON report to findings; `resources` resolve kind/name/version back to a resource. */
export function parseKubeconformReport(stdout: string, resources: readonly SourcedResource[], file: string): Finding[] {
  let report: { resources?: KubeconformResource[] };
  try {
    report = JSON.parse(stdout) as { resources?: KubeconformResource[] };
  } catch {
    return [
      {
        rule: 'kubeconform',
        severity: 'error',
        file,
        message: 'kubeconform printed output that is not its JSON report.',
        hint: 'Check that KUBECONFORM (or kubeconform on PATH) is kubeconform 0.6 or newer.',
        source: 'kubeconform',
      },
    ];
  }
  const findings: Finding[] = [];
  for (const entry of report.resources ?? []) {
    if (entry.status === 'statusValid' || entry.status === 'statusSkipped' || entry.status === 'statusEmpty') continue;
    const match = resources.find(
      (r) => r.object.kind === entry.kind && (r.object.metadata?.name ?? '') === (entry.name ?? '') && (!entry.version || r.object.apiVersion === entry.version),
    );
    // Placed like the toolkit's own findings: the source file and the line of the field kubeconform names.
    const at = (pointer?: string) => (match ? placeOf(match, pointer) : { file });
    const base = {
      rule: 'kubeconform',
      severity: 'error' as const,
      resource: match ? resourceRef(match.object) : `${entry.kind ?? 'Unknown'} ${entry.name ?? '<unnamed>'}`,
      source: 'kubeconform' as const,
    };
    if (entry.status === 'statusInvalid' && entry.validationErrors?.length) {
      for (const e of entry.validationErrors) {
        findings.push({ ...base, ...at(e.path ?? ''), pointer: e.path ?? '', message: `kubeconform: ${e.msg ?? 'invalid'}`, hint: 'Fix the field kubeconform names.' });
      }
    } else {
      const missing = /could not find schema/i.test(entry.msg ?? '');
      findings.push({
        ...base,
        ...at(),
        message: `kubeconform: ${entry.msg ?? entry.status ?? 'failed'}`,
        hint: missing ? 'Add a --schema-location that has this kind, or pass --ignore-missing-schemas.' : 'Fix the resource as kubeconform describes.',
      });
    }
  }
  return findings;
}

/** Runs kubeconform on one unit's resources. Failures to run become one finding, never an exception. */
export async function runKubeconform(resources: readonly SourcedResource[], file: string, options: KubeconformOptions): Promise<Finding[]> {
  if (resources.length === 0) return [];
  const out = await run(options.binary, kubeconformArgs(options), toStdin(resources));
  if (out.code === null || (out.stdout.trim() === '' && out.code !== 0)) {
    return [
      {
        rule: 'kubeconform',
        severity: 'error',
        file,
        message: `kubeconform could not run: ${out.stderr.trim().split('\n')[0] || `exit code ${out.code}`}.`,
        hint: 'Check the kubeconform binary, or pass --no-kubeconform to rely on the in-process schemas.',
        source: 'kubeconform',
      },
    ];
  }
  return parseKubeconformReport(out.stdout, resources, file);
}
