// Stage 1 of validate, discover: turns the paths a user gave (or, with none, every kustomization under
// clusters/, apps/ and exercises/) into targets, each a kustomization to render, a manifest file or stdin.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Finding } from '../findings.ts';
import { kustomizationFile } from '../render/inputs.ts';
import type { RenderedUnit } from './types.ts';

/** The directories searched when no paths are given. */
export const DEFAULT_TREES = ['clusters', 'apps', 'exercises'];

const MANIFEST = /\.(ya?ml|json)$/i;

export interface Target {
  /** What findings and units call it: repository-relative when inside the root, else absolute; "-" for stdin. */
  source: string;
  kind: RenderedUnit['kind'];
  abs: string;
}

export interface Discovered {
  targets: Target[];
  /** Paths that do not exist, broken symbolic links, paths that hold nothing to check. */
  findings: Finding[];
}

export { kustomizationFile };

export function readKustomization(dir: string): { file: string; text: string } | undefined {
  const file = kustomizationFile(dir);
  if (!file) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/** `abs` relative to the root with forward slashes, or `abs` itself when it lies outside the root. */
export function display(root: string, abs: string): string {
  const rel = relative(root, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
}

/** Every kustomization directory below `root/<tree>`, except components (they cannot be built alone). */
export async function findKustomizations(root: string, trees: readonly string[] = DEFAULT_TREES): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const file = kustomizationFile(dir);
    if (file && !/^kind:\s*Component\s*$/m.test(await readFile(file, 'utf8'))) found.push(relative(root, dir).split(sep).join('/'));
    for (const entry of entries) {
      if (entry.isDirectory() && !skipped(root, dir, entry.name)) await walk(join(dir, entry.name));
    }
  };
  for (const tree of trees) {
    const dir = join(root, tree);
    if (existsSync(dir)) await walk(dir);
  }
  return found.sort();
}

/** Directories a walk never enters: dependencies, git's own (and every dot directory), the toolkit's build output. */
function skipped(root: string, dir: string, name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || display(root, join(dir, name)) === 'tooling/dist';
}

/**
 * The targets for `paths` (relative to `root`; none, or the root itself: every kustomization below the
 * default trees). A directory with a kustomization is one target; one without contributes its manifest
 * files, recursively, following symbolic links once each. A path that yields nothing is a finding.
 */
export async function discover(root: string, paths: readonly string[] | undefined): Promise<Discovered> {
  const findings: Finding[] = [];
  const targets: Target[] = [];
  const visited = new Set<string>();
  const addDir = async (abs: string): Promise<void> => {
    const real = await realpath(abs).catch(() => abs);
    if (visited.has(real)) return;
    visited.add(real);
    if (kustomizationFile(abs)) {
      targets.push({ source: display(root, abs), kind: 'kustomization', abs });
      return;
    }
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = join(abs, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await stat(child);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          const loop = (error as { code?: string }).code === 'ELOOP';
          findings.push({
            rule: 'io',
            severity: 'error',
            file: display(root, child),
            message: `"${display(root, child)}" is a symbolic link ${loop ? 'in a loop' : 'to nothing'}, so it cannot be read.`,
            hint: 'Point the link at an existing file or directory, or delete it.',
          });
          continue;
        }
      }
      if (isDir && !skipped(root, abs, entry.name)) await addDir(child);
      else if (isFile && MANIFEST.test(entry.name)) targets.push({ source: display(root, child), kind: 'file', abs: child });
    }
  };
  const explicit = paths?.length ? paths : undefined;
  for (const path of explicit ?? (await findKustomizations(root))) {
    if (path === '-') {
      targets.push({ source: '-', kind: 'stdin', abs: '-' });
      continue;
    }
    const abs = resolve(root, path);
    const before = { targets: targets.length, findings: findings.length };
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (error) {
      const loop = (error as { code?: string }).code === 'ELOOP';
      findings.push({
        rule: 'io',
        severity: 'error',
        file: path,
        message: `Cannot read "${path}": ${loop ? 'a loop of symbolic links' : 'no such file or directory'}.`,
        hint: 'Pass a kustomization directory, a manifest file, or - for standard input.',
      });
      continue;
    }
    if (isDir && abs === root) {
      // `validate .` is `validate`: the kustomizations of the default trees, not every YAML file below.
      for (const dir of await findKustomizations(root)) targets.push({ source: dir, kind: 'kustomization', abs: join(root, dir) });
    } else if (isDir) await addDir(abs);
    else targets.push({ source: display(root, abs), kind: 'file', abs });
    if (explicit && targets.length === before.targets && findings.length === before.findings) {
      findings.push({
        rule: 'no-input',
        severity: 'error',
        file: path,
        message: `"${path}" holds no kustomization and no manifest file (.yaml, .yml, .json), so nothing was checked.`,
        hint: 'Pass a kustomization directory or a manifest file; with no path, validate checks every kustomization under clusters/, apps/ and exercises/.',
      });
    }
  }
  return { targets, findings };
}
