// A small line-based unified diff (the `diff -u` format) for pull request bodies and --dry-run output.
// Longest-common-subsequence after trimming the common head and tail, which keeps rendered-manifest diffs cheap.

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// Above this many DP cells the middle is reported as one replaced block: correct, just less minimal.
const MAX_CELLS = 16_000_000;

function diffOps(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if (n * m > MAX_CELLS) {
    ops.push(...am.map((line) => ({ kind: '-' as const, line })), ...bm.map((line) => ({ kind: '+' as const, line })));
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..], stored row-major.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? (lcs[(i + 1) * w + j + 1] as number) + 1 : Math.max(lcs[(i + 1) * w + j] as number, lcs[i * w + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i] as string });
        i++;
        j++;
      } else if (j < m && (i >= n || (lcs[i * w + j + 1] as number) >= (lcs[(i + 1) * w + j] as number))) {
        ops.push({ kind: '+', line: bm[j] as string });
        j++;
      } else {
        ops.push({ kind: '-', line: am[i] as string });
        i++;
      }
    }
  }
  ops.push(...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })));
  // Within a changed run, print removals before additions, as diff -u does.
  return normalizeRuns(ops);
}

function normalizeRuns(ops: Op[]): Op[] {
  const out: Op[] = [];
  let i = 0;
  while (i < ops.length) {
    if ((ops[i] as Op).kind === ' ') {
      out.push(ops[i] as Op);
      i++;
      continue;
    }
    const run: Op[] = [];
    while (i < ops.length && (ops[i] as Op).kind !== ' ') run.push(ops[i++] as Op);
    out.push(...run.filter((o) => o.kind === '-'), ...run.filter((o) => o.kind === '+'));
  }
  return out;
}

/** `diff -u` style text from `a` to `b`, or '' when they are equal. */
export function unifiedDiff(a: string, b: string, aName: string, bName: string, context = 3): string {
  if (a === b) return '';
  const ops = diffOps(splitLines(a), splitLines(b));
  const out = [`--- ${aName}`, `+++ ${bName}`];
  // Positions (in ops) of changed lines, grouped into hunks whose context windows touch.
  const changed = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  let k = 0;
  while (k < changed.length) {
    let start = Math.max(0, (changed[k] as number) - context);
    let end = Math.min(ops.length, (changed[k] as number) + context + 1);
    k++;
    while (k < changed.length && (changed[k] as number) - context <= end) {
      end = Math.min(ops.length, (changed[k] as number) + context + 1);
      k++;
    }
    start = Math.max(0, start);
    let aLine = 1;
    let bLine = 1;
    for (let i = 0; i < start; i++) {
      if ((ops[i] as Op).kind !== '+') aLine++;
      if ((ops[i] as Op).kind !== '-') bLine++;
    }
    const slice = ops.slice(start, end);
    const aCount = slice.filter((o) => o.kind !== '+').length;
    const bCount = slice.filter((o) => o.kind !== '-').length;
    // diff -u leaves out a count of 1, and an empty side starts one line earlier.
    const range = (line: number, count: number) => (count === 1 ? `${line}` : `${count === 0 ? line - 1 : line},${count}`);
    out.push(`@@ -${range(aLine, aCount)} +${range(bLine, bCount)} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
