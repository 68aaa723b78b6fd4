// A fast path in front of js-yaml for the plainest YAML: block mappings and sequences of one-line scalars,
// the style kustomize and most hand-written manifests use. js-yaml reads a character at a time and costs about
// 0.3 s for 10,000 VirtualServices, most of the validate speed budget (docs/validate.md#speed); this reads a
// line at a time and costs a fraction of that.
//
// It is not a YAML parser of its own. It accepts a document only when every line is one it fully understands,
// and returns undefined for anything else (anchors, tags, block or multi-line scalars, flow collections,
// escapes, comments after content, duplicate keys, odd indentation, any error), which then goes to js-yaml.
// Plain scalars are typed by js-yaml's own resolvers of the same schema, so `90`, `true`, `~` and `0o17` mean
// what js-yaml says. test/lib/block-yaml.test.ts compares the two on every manifest of this repository and
// on thousands of randomly damaged documents.
import yaml from 'js-yaml';

interface ScalarType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

/** Not a value: the document is outside the fast path. */
const OUTSIDE: unique symbol = Symbol('outside');
type Outside = typeof OUTSIDE;

/** Characters js-yaml refuses anywhere in a stream (its PATTERN_NON_PRINTABLE). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** Anything that makes a line more than indentation, a key and a one-line scalar: tabs, CR, BOM. */
const UNUSUAL = /[\t\r\uFEFF]/;
/** A plain key: no quoting, no indicator first, no spaces, colons or comment signs inside. */
const PLAIN_KEY = /^[A-Za-z0-9_$./][^\s:#]*$/;

const SPACE = 32;
const DASH = 45;
const HASH = 35;

/** True when `text` as a whole may go through the fast path (checked once, not per document). */
export function blockYamlEligible(text: string): boolean {
  return !UNUSUAL.test(text) && !NON_PRINTABLE.test(text);
}

/** The implicit types of js-yaml's core schema plus merge, the ones `mayBeTyped` knows the first characters of. */
const CORE_TAGS = ['null', 'bool', 'int', 'float', 'merge'].map((t) => `tag:yaml.org,2002:${t}`).join(' ');

/**
 * Whether a core-schema implicit type could resolve `raw`: null is `~` or null/Null/NULL, bool is four or five
 * letters starting t/T/f/F, int and float start with a digit, a sign or a dot, merge is `<<`. Everything else
 * (most keys and values: `name`, `reviews`, `v1`) is a string without asking the five resolvers.
 */
function mayBeTyped(raw: string): boolean {
  const c = raw.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x7e || c === 0x3c) return true;
  if (c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54) return raw.length === 4; // n N t T
  if (c === 0x66 || c === 0x46) return raw.length === 5; // f F
  return false;
}

export class BlockYaml {
  private readonly implicit: ScalarType[];
  /** False when the schema's implicit types are not the core ones, so the `mayBeTyped` shortcut does not apply. */
  private readonly core: boolean;
  /**
   * Keys already checked and typed, by length and first character, then text: a few dozen distinct keys make
   * up most manifests, and a key found here is never sliced out of its line (one string fewer per line).
   */
  private readonly keys = new Map<number, { raw: string; key: string | null }[]>();
  // One entry per content line of the current document: indentation and the content's start and end.
  private indent: number[] = [];
  private from: number[] = [];
  private to: number[] = [];
  private count = 0;
  private at = 0;
  private text = '';

  /** False when the schema does not expose its implicit types: every document then goes to js-yaml. */
  readonly enabled: boolean;

  /**
   * @param schema the js-yaml schema the slow path uses; its implicit types type the plain scalars. They are
   * read from js-yaml 4's `compiledImplicit`, which is not public API (js-yaml 5 has none): package.json pins
   * js-yaml to major 4, and test/lib/block-yaml.test.ts fails when the pin or the field goes away. Without it
   * the fast path turns itself off rather than type scalars wrongly.
   */
  constructor(schema: yaml.Schema) {
    const implicit = (schema as unknown as { compiledImplicit?: unknown }).compiledImplicit;
    this.enabled = Array.isArray(implicit) && implicit.every((t) => typeof (t as ScalarType).resolve === 'function' && typeof (t as ScalarType).construct === 'function');
    this.implicit = this.enabled ? (implicit as ScalarType[]) : [];
    this.core = this.implicit.map((t) => (t as { tag?: string }).tag).join(' ') === CORE_TAGS;
  }

  /**
   * The document's value, or undefined when it is not in the fast path's subset (parse it with js-yaml).
   * Call only on text for which blockYamlEligible() holds.
   */
  parse(text: string): unknown {
    if (!this.enabled) return undefined;
    this.lines(text);
    if (this.count === 0) return undefined;
    this.at = 0;
    const value = this.node(this.indent[0] as number);
    if (value === OUTSIDE || this.at !== this.count) return undefined;
    return value;
  }

  /** Records the content lines, skipping blank and whole-line comment lines. */
  private lines(text: string): void {
    this.text = text;
    this.count = 0;
    let start = 0;
    const length = text.length;
    while (start <= length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = length;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) !== HASH) {
        let last = end;
        while (last > i && text.charCodeAt(last - 1) === SPACE) last--;
        const n = this.count++;
        this.indent[n] = i - start;
        this.from[n] = i;
        this.to[n] = last;
      }
      start = end + 1;
    }
  }

  /** Whether content line `n` is a sequence item (`- x` or a lone `-`). */
  private isItem(n: number): boolean {
    return this.isItemAt(this.from[n] as number, this.to[n] as number);
  }

  private node(indent: number): unknown {
    return this.isItem(this.at) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): unknown[] | Outside {
    const items: unknown[] = [];
    while (this.at < this.count && this.indent[this.at] === indent && this.isItem(this.at)) {
      const n = this.at;
      const from = this.from[n] as number;
      const to = this.to[n] as number;
      let content = from + 1;
      while (content < to && this.text.charCodeAt(content) === SPACE) content++;
      // `-` alone (the item on the next lines) and `- - x` (a sequence in a sequence) are left to js-yaml.
      if (content === to) return OUTSIDE;
      if (this.isItemAt(content, to)) return OUTSIDE;
      if (this.keyEnd(content, to) !== -1) {
        // `- key: value`: a mapping whose keys line up with the first one's column.
        const column = (this.indent[n] as number) + (content - from);
        this.indent[n] = column;
        this.from[n] = content;
        const value = this.mapping(column);
        if (value === OUTSIDE) return OUTSIDE;
        items.push(value);
        continue;
      }
      const value = this.scalar(content, to);
      if (value === OUTSIDE) return OUTSIDE;
      items.push(value);
      this.at++;
    }
    return items;
  }

  private isItemAt(from: number, to: number): boolean {
    return this.text.charCodeAt(from) === DASH && (from + 1 === to || this.text.charCodeAt(from + 1) === SPACE);
  }

  /** Where the key of a `key: value` or `key:` line ends, or -1 when the content is not one. */
  private keyEnd(from: number, to: number): number {
    const text = this.text;
    for (let i = text.indexOf(':', from); i !== -1 && i < to; i = text.indexOf(':', i + 1)) {
      if (i + 1 === to || text.charCodeAt(i + 1) === SPACE) return i;
    }
    return -1;
  }

  private mapping(indent: number): Record<string, unknown> | Outside {
    const result: Record<string, unknown> = {};
    while (this.at < this.count && this.indent[this.at] === indent) {
      const n = this.at;
      const from = this.from[n] as number;
      const to = this.to[n] as number;
      const colon = this.keyEnd(from, to);
      if (colon === -1) return OUTSIDE;
      const key = this.key(from, colon);
      if (key === null || Object.prototype.hasOwnProperty.call(result, key)) return OUTSIDE;
      let start = colon + 1;
      while (start < to && this.text.charCodeAt(start) === SPACE) start++;
      this.at++;
      let value: unknown;
      if (start < to) {
        value = this.scalar(start, to);
      } else if (this.at < this.count && (this.indent[this.at] as number) > indent) {
        value = this.node(this.indent[this.at] as number);
      } else if (this.at < this.count && this.indent[this.at] === indent && this.isItem(this.at)) {
        // A sequence written at the key's own indentation, as kustomize does.
        value = this.sequence(indent);
      } else {
        value = null;
      }
      if (value === OUTSIDE) return OUTSIDE;
      result[key] = value;
    }
    return result;
  }

  private scalar(from: number, to: number): unknown {
    const text = this.text;
    const first = text.charCodeAt(from);
    const last = text.charCodeAt(to - 1);
    if (first === 0x22 /* " */ || first === 0x27 /* ' */) {
      // One-line quoted strings without escapes: `"`, `\` or `''` inside are for js-yaml.
      if (to - from < 2 || last !== first) return OUTSIDE;
      const inner = text.slice(from + 1, to - 1);
      if (inner.includes(first === 0x22 ? '"' : "'") || (first === 0x22 && inner.includes('\\'))) return OUTSIDE;
      return inner;
    }
    const raw = text.slice(from, to);
    if (raw === '{}') return {};
    if (raw === '[]') return [];
    // Indicators that start something other than a plain scalar, comments after content, and `: ` (a mapping
    // where a scalar was expected) are all outside.
    if ('[]{}#&*!|>%@`,?:'.includes(raw[0] as string) || this.isItemAt(from, to)) return OUTSIDE;
    if (raw.includes(' #') || raw.includes(': ') || last === 0x3a /* : */) return OUTSIDE;
    if (raw === '<<') return OUTSIDE;
    return this.typed(raw);
  }

  /** The property name js-yaml makes of the plain key text[from, to) (`True` is "true", `0x10` is "16"), or null when outside. */
  private key(from: number, to: number): string | null {
    const text = this.text;
    const bucket = (to - from) * 256 + (text.charCodeAt(from) & 255);
    let known = this.keys.get(bucket);
    if (known) {
      // Same length, so a match at `from` is the whole key.
      for (const entry of known) if (text.startsWith(entry.raw, from)) return entry.key;
    }
    const raw = text.slice(from, to);
    const key = !PLAIN_KEY.test(raw) || raw === '__proto__' || raw === '<<' ? null : String(this.typed(raw));
    // Bounded, so that a ConfigMap of a million distinct keys neither keeps them all nor scans long lists.
    if (!known) {
      if (this.keys.size >= 4096) return key;
      this.keys.set(bucket, (known = []));
    }
    if (known.length < 8) known.push({ raw, key });
    return key;
  }

  /** A plain scalar typed as js-yaml types it: the first implicit type of the schema that resolves it. */
  private typed(raw: string): unknown {
    if (this.core && !mayBeTyped(raw)) return raw;
    for (const type of this.implicit) {
      if (type.resolve(raw)) return type.construct(raw);
    }
    return raw;
  }
}
