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
 * 1-based line of `pointer` in `lines[from..to)` (a document), or undefined when it cannot be followed.
 * `lines` are the raw lines of the whole file; `from` is the 0-based index of the document's first line.
 */
export function lineOfPointer(lines: readonly string[], from: number, to: number, pointer: string): number | undefined {
  if (pointer === '') return undefined;
  const parsed = new Map<number, Line>();
  const at = (i: number): Line => {
    let l = parsed.get(i);
    if (!l) parsed.set(i, (l = analyse(lines[i] ?? '')));
    return l;
  };
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
    if (isIndex) {
      let n = Number(segment);
      for (let i = itemLine ?? a; i < b; i++) {
        const l = at(i);
        if (l.blank) continue;
        const d = itemLine === i ? l.dashes.find((c) => c >= col) : l.dashes[0];
        if (d === undefined) {
          if (startCol(l) < col) return undefined;
          continue;
        }
        if (d < col) return undefined;
        if (d === col || (itemLine === i && d >= col)) {
          if (n === 0) {
            found = i;
            col = d;
            break;
          }
          n--;
        }
      }
      if (found === undefined) return undefined;
      const l = at(found);
      const next = l.dashes.find((c) => c > col);
      itemLine = found;
      b = blockEnd(at, found, b, col, true);
      a = found;
      col = next ?? (l.keyCol >= 0 ? l.keyCol : col + 2);
      continue;
    }
    for (let i = itemLine ?? a; i < b; i++) {
      const l = at(i);
      if (l.blank || l.keyCol < 0) continue;
      if (l.keyCol < col && i !== itemLine) return undefined;
      if (l.keyCol === col && l.key === segment) {
        found = i;
        break;
      }
    }
    if (found === undefined) return undefined;
    itemLine = undefined;
    b = blockEnd(at, found, b, col, false);
    a = found + 1;
    // The value's own indentation: the next content line's first column.
    let next = a;
    while (next < b && at(next).blank) next++;
    col = next < b ? startCol(at(next)) : col + 2;
    // Sequences may sit at the key's own column (`route:\n- destination:`), which blockEnd allowed.
  }
  return found === undefined ? undefined : found + 1;
}

/** End of the block that starts at line `start` whose entry is at column `col`. */
function blockEnd(at: (i: number) => Line, start: number, limit: number, col: number, item: boolean): number {
  for (let i = start + 1; i < limit; i++) {
    const l = at(i);
    if (l.blank) continue;
    const c = startCol(l);
    if (c < col) return i;
    if (c === col) {
      // A sibling key ends a mapping entry; a sequence at the key's column still belongs to it.
      if (item && l.dashes[0] === col) return i;
      if (!item && l.dashes[0] !== col) return i;
    }
  }
  return limit;
}
