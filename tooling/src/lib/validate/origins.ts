// The origin of each resource kustomize renders: the manifest file a person edits that writes it, found by
// following the kustomization's `resources`, `components` and patches, and the line of a field in it.
//
// Measured against kustomize's own `buildMetadata: [originAnnotations, transformerAnnotations]`: those name
// the file a resource was first read from, but a patch only as the kustomization that applies it (not the
// patch file), never a line, and they must be added to the kustomization being built (a wrapper around the
// user's, which changes kustomize's error messages) and stripped again before the checks. A finding on a field
// a patch writes belongs to the patch, so the toolkit reads the kustomization tree itself.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { parseManifests, type SourcedResource } from '../manifests.ts';
import { unitOrigin, type DocumentOrigin, type Origin, type Place } from '../origin.ts';
import { decodeText } from '../read-text.ts';
import { display, readKustomization } from './discover.ts';

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
type SourceIndex = Map<string, DocumentOrigin[]>;

const docKey = (kind: unknown, name: unknown) => `${String(kind)}\u0000${typeof name === 'string' ? name : ''}`;

/**
 * The manifest files a kustomization is built from, by kind and name: what it lists under `resources` and
 * `components` (following directories into their own kustomizations) and the files it applies as
 * `patches`, in kustomize's order. Generated resources and remote bases have no entry.
 */
function sourceIndex(root: string, abs: string): SourceIndex {
  const index: SourceIndex = new Map();
  const seen = new Set<string>();
  const addFile = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    let text: string;
    try {
      text = decodeText(readFileSync(file));
    } catch {
      return;
    }
    for (const r of parseManifests(text, display(root, file)).resources) {
      const key = docKey(r.object.kind, r.object.metadata?.name);
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(r.origin as DocumentOrigin);
    }
  };
  const visit = (dir: string, depth: number): void => {
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
      if (isDir) visit(child, depth + 1);
      else addFile(child);
    }
    for (const entry of listed.patches) addFile(resolve(dir, entry));
  };
  visit(abs, 0);
  return index;
}

/**
 * Of the documents that write a resource, the one in which most of the pointer is written (the key of an
 * unknown field, the field of a wrong value); on a tie the later-applied one, a patch over what it patches.
 */
function pick(docs: readonly DocumentOrigin[], pointer: string | undefined): Place | undefined {
  let best: { doc: DocumentOrigin; line: number | undefined; depth: number } | undefined;
  for (const doc of docs) {
    const m = doc.match(pointer);
    if (!best || m.depth >= best.depth) best = { doc, line: m.line, depth: m.depth };
  }
  return best && { file: best.doc.file, line: best.line ?? best.doc.firstLine };
}

/**
 * Origins for the resources kustomize rendered from the kustomization in `abs` (shown as `source`). The
 * source files are read once, when the first finding asks; a resource that cannot be traced is placed at the
 * kustomization directory with no line, since a line of kustomize's output means nothing in the repository.
 */
export function renderedOrigins(root: string, abs: string, source: string): (r: SourcedResource) => Origin {
  let index: SourceIndex | undefined;
  const untraced = unitOrigin(source);
  return (r) => {
    const key = docKey(r.object.kind, r.object.metadata?.name);
    return {
      at(pointer) {
        const docs = (index ??= sourceIndex(root, abs)).get(key);
        return (docs && pick(docs, pointer)) ?? untraced.at(pointer);
      },
    };
  };
}
