// Traces findings on a unit back to the line a person edits: in the file itself for file and stdin units,
// and for a rendered kustomization in the source file that writes the resource.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import type { Finding } from '../findings.ts';
import { parseManifests, resourceRef, type SourcedResource } from '../manifests.ts';
import { readText } from '../read-text.ts';
import { display, readKustomization } from './discover.ts';
import type { Loaded } from './load.ts';
import { lineOfPointer } from './locate.ts';

interface SourceDoc {
  file: string;
  lines: string[];
  start: number;
  end: number;
}

function docsOf(text: string, file: string, resources: readonly SourcedResource[]): Map<SourcedResource, SourceDoc> {
  const lines = text.split(/\r?\n/);
  const out = new Map<SourcedResource, SourceDoc>();
  for (const r of resources) {
    let end = r.line;
    while (end < lines.length && !/^---(?:[ \t].*)?$/.test(lines[end] as string)) end++;
    out.set(r, { file, lines, start: r.line - 1, end });
  }
  return out;
}

/** The line of the pointer's deepest part written in the document, and how many segments deep it is (0: none). */
function pointerMatch(doc: SourceDoc, pointer: string | undefined): { line: number | undefined; depth: number } {
  let p = pointer ?? '';
  let depth = p === '' ? 0 : p.split('/').length - 1;
  while (p !== '') {
    const line = lineOfPointer(doc.lines, doc.start, doc.end, p);
    if (line !== undefined) return { line, depth };
    p = p.slice(0, p.lastIndexOf('/'));
    depth--;
  }
  return { line: undefined, depth: 0 };
}

/** What a kustomization builds from, as paths relative to its directory, in the order kustomize applies them. */
interface Listed {
  /** `resources` then the legacy `bases`, then `components`: files and directories. */
  inputs: string[];
  /** `patchesStrategicMerge` then `patches[].path`: applied after the inputs. */
  patches: string[];
}

function listedSources(dir: string): Listed {
  const k = readKustomization(dir);
  if (!k) return { inputs: [], patches: [] };
  let parsed: Record<string, unknown> | null;
  try {
    parsed = yaml.load(k.text) as Record<string, unknown> | null;
  } catch {
    return { inputs: [], patches: [] };
  }
  // Remote bases (URLs, git refs) have no file here to point at.
  const local = (v: unknown): v is string => typeof v === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !v.includes('?');
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  return {
    inputs: [...list(parsed?.resources), ...list(parsed?.bases), ...list(parsed?.components)].filter(local),
    patches: [
      ...list(parsed?.patchesStrategicMerge).filter(local),
      ...list(parsed?.patches).map((p) => (p && typeof p === 'object' ? (p as { path?: unknown }).path : undefined)).filter(local),
    ],
  };
}

/** Every document that writes a resource of a kind and name, in the order kustomize applies them. */
type SourceIndex = Map<string, SourceDoc[]>;

const docKey = (kind: unknown, name: unknown) => `${String(kind)}\u0000${typeof name === 'string' ? name : ''}`;

/**
 * For a rendered unit, the manifest files a person edits, by kind and name: what the kustomization lists
 * under `resources` and `components` (following directories into their own kustomizations) and the files
 * it applies as `patches`, in kustomize's order, so findings can point at a file and line instead of at
 * kustomize's output. Generated resources and remote bases have no entry.
 */
async function sourceDocs(root: string, abs: string): Promise<SourceIndex> {
  const index: SourceIndex = new Map();
  const seen = new Set<string>();
  const addFile = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    let text: string;
    try {
      text = await readText(file);
    } catch {
      return;
    }
    const parsed = parseManifests(text, display(root, file));
    for (const [r, doc] of docsOf(text, display(root, file), parsed.resources)) {
      const key = docKey(r.object.kind, r.object.metadata?.name);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(doc);
    }
  };
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8 || seen.has(dir)) return;
    seen.add(dir);
    const listed = listedSources(dir);
    for (const entry of listed.inputs) {
      const child = resolve(dir, entry);
      let isDir: boolean;
      try {
        isDir = statSync(child).isDirectory();
      } catch {
        continue;
      }
      if (isDir) await visit(child, depth + 1);
      else await addFile(child);
    }
    for (const entry of listed.patches) await addFile(resolve(dir, entry));
  };
  await visit(abs, 0);
  return index;
}

/**
 * Of the documents that write a resource, the one in which most of the finding's pointer is written (the
 * key of an unknown field, the field of a wrong value); on a tie the later-applied one, a patch over the
 * resource it patches.
 */
function pickDoc(docs: readonly SourceDoc[], pointer: string | undefined): { doc: SourceDoc; line: number | undefined } | undefined {
  let best: { doc: SourceDoc; line: number | undefined; depth: number } | undefined;
  for (const doc of docs) {
    const m = pointerMatch(doc, pointer);
    if (!best || m.depth >= best.depth) best = { doc, ...m };
  }
  return best;
}

/** A unit's source documents, read once for all the findings that need them. */
interface UnitSources {
  sources?: Promise<SourceIndex>;
  docs?: Map<SourcedResource, SourceDoc>;
}

const cache = new WeakMap<Loaded, UnitSources>();

/**
 * Points findings at the line of their field: in the file for file and stdin units, and for a rendered
 * kustomization in the source file that writes the resource (see sourceDocs and pickDoc). A finding on a
 * rendered resource that cannot be traced keeps the directory and loses any line, which would be a line
 * of kustomize's output.
 */
export async function attachLines(root: string, loaded: Loaded, findings: Finding[]): Promise<void> {
  const { unit } = loaded;
  let cached = cache.get(loaded);
  if (!cached) cache.set(loaded, (cached = {}));
  const byRef = new Map<string, SourcedResource>();
  for (const r of unit.resources) byRef.set(resourceRef(r.object), r);
  if (unit.kind !== 'kustomization') {
    if (loaded.text === undefined) return;
    const docs = (cached.docs ??= docsOf(loaded.text, unit.source, unit.resources));
    for (const f of findings) {
      const r = f.resource ? byRef.get(f.resource) : undefined;
      const doc = r ? docs.get(r) : undefined;
      if (doc) f.line = pointerMatch(doc, f.pointer).line ?? f.line;
    }
    return;
  }
  if (!loaded.abs) return;
  const index = await (cached.sources ??= sourceDocs(root, loaded.abs));
  for (const f of findings) {
    if (f.file !== unit.source) continue;
    const r = f.resource ? byRef.get(f.resource) : undefined;
    const docs = r ? index.get(docKey(r.object.kind, r.object.metadata?.name)) : undefined;
    const pick = docs ? pickDoc(docs, f.pointer) : undefined;
    if (!pick) {
      delete f.line;
      continue;
    }
    f.file = pick.doc.file;
    f.line = pick.line ?? pick.doc.start + 1;
  }
}
