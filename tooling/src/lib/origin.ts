// Where a field of a resource is written, so a finding names its file and line when it is created. The line
// comes from the `yaml` package's source ranges, block and flow style alike; a document is parsed for them
// only when a finding first asks, since most resources have none.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/** A file, and the line in it when one means something to the user. */
export interface Place {
  file: string;
  line?: number;
}

/** Where a resource is written; `at` is asked for each finding on it. */
export interface Origin {
  /** The line of the field at `pointer` (else of its deepest parent written there, else the document's). */
  at(pointer: string | undefined): Place;
}

/** The deepest part of a pointer written in a document: its line, and how many segments deep it is (0: none). */
export interface PointerMatch {
  line?: number;
  depth: number;
}

// Loaded on first use: most runs create no finding, and the parser is a noticeable share of start-up.
let yamlModule: typeof Yaml | undefined;
const yamlLib = () => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

/** RFC 6901: the unescaped segments of a pointer ('' is the whole document). */
export function pointerSegments(pointer: string | undefined): string[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function keyText(key: unknown): string | undefined {
  const { isScalar } = yamlLib();
  return isScalar(key) ? String(key.value) : undefined;
}

const keyIndex = new WeakMap<Yaml.YAMLMap, Map<string, Yaml.Pair>>();

/** The pair for `key` in a mapping, looking through `<<` merge keys as Kubernetes' YAML reader does. */
function pairOf(doc: Yaml.Document, map: Yaml.YAMLMap, key: string, depth = 0): Yaml.Pair | undefined {
  const { isAlias, isMap, isSeq } = yamlLib();
  let keys = keyIndex.get(map);
  if (!keys) {
    // Indexed once per mapping: one document can carry thousands of findings (a ConfigMap of unknown fields).
    keyIndex.set(map, (keys = new Map()));
    for (const p of map.items) {
      const text = keyText(p.key);
      if (text !== undefined && !keys.has(text)) keys.set(text, p);
    }
  }
  const own = keys.get(key);
  if (own || depth > 8) return own;
  for (const p of map.items) {
    if (keyText(p.key) !== '<<') continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const source of sources) {
      const target = isAlias(source) ? source.resolve(doc) : source;
      const found = isMap(target) ? pairOf(doc, target, key, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * One YAML document of a file: `text` starts at line `firstLine` of `file`. `prefix` is where the resource
 * sits inside the document (`/items/3` for an item of a List).
 */
export class DocumentOrigin implements Origin {
  private doc: Yaml.Document | undefined;
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    private readonly text: string,
    readonly firstLine: number,
    private readonly prefix: readonly string[] = [],
  ) {}

  at(pointer: string | undefined): Place {
    return { file: this.file, line: this.match(pointer).line ?? this.firstLine };
  }

  /** The line of the deepest part of `pointer` written in this document (none for the empty pointer). */
  match(pointer: string | undefined): PointerMatch {
    const segments = pointerSegments(pointer);
    if (segments.length === 0) return { depth: 0 };
    const { isAlias, isMap, isSeq, parseDocument } = yamlLib();
    const doc = (this.doc ??= parseDocument(this.text, { uniqueKeys: false, keepSourceTokens: false }));
    let node: unknown = doc.contents;
    let line: number | undefined;
    let depth = 0;
    const path = [...this.prefix, ...segments];
    for (const [i, segment] of path.entries()) {
      if (isAlias(node)) node = node.resolve(doc);
      let start: number | undefined;
      if (isMap(node)) {
        const pair = pairOf(doc, node, segment);
        if (!pair) break;
        start = (pair.key as Yaml.Node | null)?.range?.[0];
        node = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(segment)) {
        const item = node.items[Number(segment)] as Yaml.Node | undefined;
        if (!item) break;
        start = item.range?.[0];
        node = item;
      } else {
        break;
      }
      if (start === undefined) break;
      if (i >= this.prefix.length) {
        line = this.lineAt(start);
        depth++;
      }
    }
    return line === undefined ? { depth: 0 } : { line, depth };
  }

  private lineAt(offset: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.firstLine + lo;
  }
}

/** A resource with no file a person edits behind it (a generated one, or one from a remote base): the unit, no line. */
export function unitOrigin(file: string): Origin {
  const place = { file };
  return { at: () => ({ ...place }) };
}
