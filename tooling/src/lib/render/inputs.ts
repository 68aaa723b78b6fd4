// What a `kustomize build <dir>` reads, as one content hash: the kustomization file, and every local path any
// of its fields names (resources, bases, components, patches, generator files, replacements, configurations,
// crds, ...), files by their content and kustomization directories by their own hash, transitively. Any
// string that resolves to an existing path counts, so a field this module does not know cannot be missed;
// counting too much only costs a cache hit. Remote inputs (URLs, git refs, Helm charts) cannot be hashed,
// so a build that uses them is never cached on disk.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The kustomization file of a directory, if it has one. */
export function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

export interface InputHash {
  /** sha256 of everything the build reads. */
  hash: string;
  /** False when the build reads something remote (a URL, a git ref, a Helm chart): never cached on disk. */
  local: boolean;
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)|[?&](?:ref|version|timeout|submodules)=/i;

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * Hashes of kustomization directories, memoised for one run (the tree does not change under a run; the
 * caller makes a new one per run).
 */
export class InputHasher {
  private readonly dirs = new Map<string, InputHash>();
  private readonly files = new Map<string, string>();
  private readonly parsed = new Map<string, unknown>();

  hashDir(dir: string): InputHash {
    return this.visit(resolve(dir), new Set());
  }

  /** The parsed kustomization of `dir` (an absolute path), read once per run; undefined when none or broken. */
  kustomization(dir: string): Record<string, unknown> | undefined {
    if (!this.parsed.has(dir)) {
      const file = kustomizationFile(dir);
      this.parsed.set(dir, file ? this.parse(readFileSync(file, 'utf8')) : undefined);
    }
    const k = this.parsed.get(dir);
    return k && typeof k === 'object' && !Array.isArray(k) ? (k as Record<string, unknown>) : undefined;
  }

  private parse(text: string): unknown {
    try {
      return yaml.load(text);
    } catch {
      return undefined;
    }
  }

  private fileHash(file: string): string {
    let h = this.files.get(file);
    if (h === undefined) {
      h = createHash('sha256').update(readFileSync(file)).digest('hex');
      this.files.set(file, h);
    }
    return h;
  }

  private visit(dir: string, stack: Set<string>): InputHash {
    const known = this.dirs.get(dir);
    if (known) return known;
    const hash = createHash('sha256');
    let local = true;
    const file = kustomizationFile(dir);
    if (!file) {
      // Not buildable: kustomize fails, and failures are never cached; the marker keeps keys distinct.
      return { hash: hash.update(`no-kustomization\0${dir}`).digest('hex'), local: false };
    }
    const text = readFileSync(file, 'utf8');
    const parsed = this.parse(text);
    this.parsed.set(dir, parsed);
    // kustomize reads the kustomization as data: comments and layout cannot change the build (pointers of
    // different clusters differ only in their comments), so the parsed form is hashed when there is one.
    hash.update(`${file.slice(dir.length)}\0${parsed === undefined ? text : JSON.stringify(parsed)}\0`);
    if (parsed && typeof parsed === 'object' && ('helmCharts' in parsed || 'helmChartInflationGenerator' in parsed)) local = false;
    stack.add(dir);
    for (const raw of strings(parsed, [])) {
      if (raw.length > 4096 || raw.includes('\n')) continue;
      if (REMOTE.test(raw)) {
        local = false;
        continue;
      }
      // Generator entries may be `key=path`; either side may be the path.
      for (const candidate of raw.includes('=') ? [raw, raw.slice(raw.indexOf('=') + 1)] : [raw]) {
        const abs = resolve(dir, candidate);
        // Most strings are no path (apiVersion, names, namespaces): no exception for a missing one. Others
        // still throw (ENAMETOOLONG for a long generator literal, ENOTDIR): not a path either.
        let st;
        try {
          st = statSync(abs, { throwIfNoEntry: false });
        } catch {
          continue;
        }
        if (!st) continue;
        if (!st.isDirectory()) {
          hash.update(`f\0${candidate}\0${this.fileHash(abs)}\0`);
        } else if (abs !== dir && !stack.has(abs) && kustomizationFile(abs)) {
          const child = this.visit(abs, stack);
          local &&= child.local;
          hash.update(`k\0${candidate}\0${child.hash}\0`);
        } else {
          hash.update(`d\0${candidate}\0`);
        }
      }
    }
    stack.delete(dir);
    const result = { hash: hash.digest('hex'), local };
    this.dirs.set(dir, result);
    return result;
  }
}
