// The on-disk render cache: one file per successful build, named by the build's key (the input hash and the
// kustomize that built it), under node_modules/.cache/ (git-ignored with node_modules), so tests and repeated
// commands share renders. Each entry starts with the sha256 of its body; an entry that does not match (cut
// short, edited) is deleted and rebuilt. Entries are written to a temporary file and renamed, so readers in
// other processes never see half an entry. Past `maxBytes` the least recently used entries are deleted.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADER = /^# sha256:([0-9a-f]{64})\n/;
const ENTRY = /^[0-9a-f]{64}\.yaml$/;
/** 64 MiB: the renders of this repository take about 1 MiB. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** The toolkit's own cache folder, node_modules/.cache/mesh-workshop of the package (git-ignored). */
export function toolkitCacheRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'node_modules', '.cache', 'mesh-workshop');
}

/** `<package root>/node_modules/.cache/mesh-workshop/renders`, or TOOLKIT_RENDER_CACHE. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOOLKIT_RENDER_CACHE || join(toolkitCacheRoot(), 'renders');
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export class RenderCache {
  /** Entries found damaged and deleted, for tests and the bench. */
  corrupt = 0;
  private writes = 0;

  constructor(readonly dir: string, readonly maxBytes = DEFAULT_CACHE_BYTES) {}

  private path(key: string): string {
    return join(this.dir, `${key}.yaml`);
  }

  /** The cached render, or undefined (missing or damaged: a damaged entry is deleted). */
  get(key: string): string | undefined {
    const file = this.path(key);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const header = HEADER.exec(text);
    const body = header ? text.slice(header[0].length) : undefined;
    if (!header || body === undefined || digest(body) !== header[1]) {
      this.corrupt++;
      try {
        unlinkSync(file);
      } catch {
        // another process replaced or removed it
      }
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now); // recently used: kept longest when pruning
    } catch {
      // removed meanwhile; the text read is still good
    }
    return body;
  }

  set(key: string, yaml: string): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      writeFileSync(tmp, `# sha256:${digest(yaml)}\n${yaml}`);
      renameSync(tmp, this.path(key));
    } catch {
      return; // a cache that cannot be written is only slower
    }
    if (this.writes++ % 50 === 0) this.prune();
  }

  /** Deletes the least recently used entries until the cache is under 80% of maxBytes. */
  prune(): void {
    let entries: { file: string; size: number; used: number }[];
    try {
      entries = readdirSync(this.dir)
        .filter((name) => ENTRY.test(name))
        .map((name) => {
          const file = join(this.dir, name);
          const st = statSync(file);
          return { file, size: st.size, used: st.mtimeMs };
        });
    } catch {
      return;
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= this.maxBytes * 0.8) break;
      try {
        unlinkSync(e.file);
        total -= e.size;
      } catch {
        // gone already
      }
    }
  }
}
