// Finds the line of a JSON pointer inside a block-style YAML document by following indentation, so a
// finding can say `file.yaml:23` instead of only where the document starts. Best effort: flow style,
// anchors or multi-line keys make it return undefined and the caller keeps the document's first line.

interface Line {
  /** Column of the key (after any `- ` prefixes), or -1 when the line has no `key:`. */
  keyCol: number;
  key: string;
  /** Columns of the `- ` sequence markers at the start of the line. */
  dashes: number[];
  blank: boolean;
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{[][^:#]*?))\s*:(?:\s|$)/;

function analyse(text: string): Line {
  let col = 0;
  while (text[col] === ' ') col++;
  if (col >= text.length || text[col] === '#') return { keyCol: -1, key: '', dashes: [], blank: true };
  const dashes: number[] = [];
  while (text[col] === '-' && (text[col + 1] === ' ' || col + 1 === text.length)) {
    dashes.push(col);
    col += 1;
    while (text[col] === ' ') col++;
  }
  const m = KEY.exec(text.slice(col));
  if (!m) return { keyCol: -1, key: '', dashes, blank: false };
  const key = m[1] ?? (m[2] !== undefined ? m[2].replace(/''/g, "'") : (m[3] as string).trim());
  return { keyCol: col, key, dashes, blank: false };
}

/** First column of content on the line: its first dash or its key. */
function startCol(line: Line): number {
  return line.dashes[0] ?? line.keyCol;
}

/**
 * What one file's lines have taught, shared by every pointer looked up in them: findings on one document
 * often number thousands (a ConfigMap full of unknown fields), and looking each one up from scratch made
 * the lookups quadratic. Kept as long as the caller keeps the lines array.
 */
interface FileIndex {
  lines: (Line | undefined)[];
  /** By block (`start end column itemLine`): the first line of each key at the block's column. */
  keys: Map<string, Map<string, number>>;
  /** By block: the sequence items at the block's column, in order, as [line, dash column]. */
  items: Map<string, [number, number][]>;
  /** By `start limit column item`: where blockEnd stopped. */
  ends: Map<string, number>;
}

const indexes = new WeakMap<readonly string[], FileIndex>();

function indexOf(lines: readonly string[]): FileIndex {
  let index = indexes.get(lines);
  if (!index) indexes.set(lines, (index = { lines: [], keys: new Map(), items: new Map(), ends: new Map() }));
  return index;
}

/**
 * 1-based line of `pointer` in `lines[from..to)` (a document), or undefined when it cannot be followed.
 * `lines` are the raw lines of the whole file; `from` is the 0-based index of the document's first line.
 */
export function lineOfPointer(lines: readonly string[], from: number, to: number, pointer: string): number | undefined {
  if (pointer === '') return undefined;
  const index = indexOf(lines);
  const at = (i: number): Line => (index.lines[i] ??= analyse(lines[i] ?? ''));
  const segments = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  // The block being searched: lines [a, b), whose entries start at column `col`.
  let a = from;
  let b = to;
  let col = 0;
  let found: number | undefined;
  // A sequence item's first key shares the dash line: `- name: x` puts `name` on the item's own line.
  let itemLine: number | undefined;
  for (const segment of segments) {
    const isIndex = /^\d+$/.test(segment);
    found = undefined;
    const block = `${a} ${b} ${col} ${itemLine ?? -1}`;
    if (isIndex) {
      let items = index.items.get(block);
      if (!items) index.items.set(block, (items = itemsOf(at, a, b, col, itemLine)));
      const item = items[Number(segment)];
      if (item === undefined) return undefined;
      found = item[0];
      col = item[1];
      const l = at(found);
      const next = l.dashes.find((c) => c > col);
      itemLine = found;
      b = blockEnd(index, at, found, b, col, true);
      a = found;
      col = next ?? (l.keyCol >= 0 ? l.keyCol : col + 2);
      continue;
    }
    let keys = index.keys.get(block);
    if (!keys) index.keys.set(block, (keys = keysOf(at, a, b, col, itemLine)));
    found = keys.get(segment);
    if (found === undefined) return undefined;
    itemLine = undefined;
    b = blockEnd(index, at, found, b, col, false);
    a = found + 1;
    // The value's own indentation: the next content line's first column.
    let next = a;
    while (next < b && at(next).blank) next++;
    col = next < b ? startCol(at(next)) : col + 2;
    // Sequences may sit at the key's own column (`route:\n- destination:`), which blockEnd allowed.
  }
  return found === undefined ? undefined : found + 1;
}

/** The first line of each key at column `col` in [a, b), up to a line indented less (which ends the block). */
function keysOf(at: (i: number) => Line, a: number, b: number, col: number, itemLine: number | undefined): Map<string, number> {
  const keys = new Map<string, number>();
  for (let i = itemLine ?? a; i < b; i++) {
    const l = at(i);
    if (l.blank || l.keyCol < 0) continue;
    if (l.keyCol < col && i !== itemLine) break;
    if (l.keyCol === col && !keys.has(l.key)) keys.set(l.key, i);
  }
  return keys;
}

/** The sequence items at column `col` in [a, b), as [line, dash column], up to a line indented less. */
function itemsOf(at: (i: number) => Line, a: number, b: number, col: number, itemLine: number | undefined): [number, number][] {
  const items: [number, number][] = [];
  for (let i = itemLine ?? a; i < b; i++) {
    const l = at(i);
    if (l.blank) continue;
    const d = itemLine === i ? l.dashes.find((c) => c >= col) : l.dashes[0];
    if (d === undefined) {
      if (startCol(l) < col) break;
      continue;
    }
    if (d < col) break;
    if (d === col || (itemLine === i && d >= col)) items.push([i, d]);
  }
  return items;
}

/** End of the block that starts at line `start` whose entry is at column `col`. */
function blockEnd(index: FileIndex, at: (i: number) => Line, start: number, limit: number, col: number, item: boolean): number {
  const key = `${start} ${limit} ${col} ${item ? 1 : 0}`;
  let end = index.ends.get(key);
  if (end !== undefined) return end;
  end = limit;
  for (let i = start + 1; i < limit; i++) {
    const l = at(i);
    if (l.blank) continue;
    const c = startCol(l);
    if (c < col) {
      end = i;
      break;
    }
    if (c === col) {
      // A sibling key ends a mapping entry; a sequence at the key's column still belongs to it.
      if ((item && l.dashes[0] === col) || (!item && l.dashes[0] !== col)) {
        end = i;
        break;
      }
    }
  }
  index.ends.set(key, end);
  return end;
}
