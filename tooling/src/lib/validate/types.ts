// The shapes the validate stages hand to each other and to their callers: a unit (what one path rendered
// or parsed to), the options, the analyzers' contract and the final report.
import type { Finding } from '../findings.ts';
import type { SourcedResource } from '../manifests.ts';
import type { KustomizeUse, Renderer } from '../render/index.ts';

export interface RenderedUnit {
  /** Repo-relative kustomization dir, file path, or "-" for stdin. */
  source: string;
  kind: 'kustomization' | 'file' | 'stdin';
  resources: SourcedResource[];
}

export interface AnalyzerContext {
  root: string;
  /** What analyzers load once per validate run (the exercise catalog, the call graph), by key; see perRun. */
  loaded?: Map<string, Promise<unknown>>;
}

/**
 * `load()` once per validate run for every unit and analyzer that asks by `key`, not once per unit: the
 * exercise catalog is the same for all of them. Without a run (an analyzer called on its own), it just loads.
 */
export function perRun<T>(ctx: AnalyzerContext, key: string, load: () => Promise<T>): Promise<T> {
  if (!ctx.loaded) return load();
  let pending = ctx.loaded.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    ctx.loaded.set(key, pending);
  }
  return pending;
}

export type Analyzer = (unit: RenderedUnit, ctx: AnalyzerContext) => Finding[] | Promise<Finding[]>;

export interface SchemaOptions {
  ignoreMissingSchemas?: boolean;
  skipKinds?: string[];
}

export interface ValidateOptions extends SchemaOptions {
  /** Repository root; relative paths are resolved against it. */
  root: string;
  /** Kustomization dirs, manifest files, or '-'; default: every kustomization dir under clusters/, apps/, exercises/. */
  paths?: string[];
  /** Text for '-'. */
  stdin?: string;
  /** Run after schemas on each unit (mesh policy analyzers and exercise checks plug in here). */
  analyzers?: Analyzer[];
  /** Undefined binary: PATH or $KUBECONFORM lookup (in `env`, default process.env); false: never. */
  kubeconform?: KubeconformSetting;
  /** Default os.availableParallelism(). */
  concurrency?: number;
  onProgress?: (message: string) => void;
  /** Renders kustomizations; default: the process's shared renderer (render/index.ts). */
  renderer?: Renderer;
}

export interface KubeconformSetting {
  binary?: string | false;
  schemaLocations?: string[];
  env?: NodeJS.ProcessEnv;
}

export type KubeconformUse = 'ran' | 'not-found' | 'disabled';

export interface ValidationSummary {
  resources: number;
  valid: number;
  invalid: number;
  skipped: number;
  errors: number;
  warnings: number;
  infos: number;
  silenced: number;
  units: number;
  /** Whether a kubeconform binary ran as well, was looked for and not found, or was turned off. */
  kubeconform: KubeconformUse;
  /** The kustomize that rendered, and how many builds the run needed; absent when nothing was rendered. */
  kustomize?: KustomizeUse;
}

export interface ValidationReport {
  findings: Finding[];
  summary: ValidationSummary;
  units: RenderedUnit[];
  /** Resources not checked (--skip, or no schema with --ignore-missing-schemas). */
  skipped?: SourcedResource[];
}

/** What the schema stage decided about one resource. */
export type Status = 'valid' | 'invalid' | 'skipped';

/** push(...items) without spreading: hundreds of thousands of arguments overflow the call stack. */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
