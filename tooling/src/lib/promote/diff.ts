// Unified diffs (the `diff -u` format) for pull request bodies and --dry-run output, computed by jsdiff
// (the `diff` package, Myers' algorithm): only the changed hunks, however large the render, and a change of
// the final newline alone is a hunk with git's and diff's `\ No newline at end of file` marker.
import { structuredPatch } from 'diff';

/** `diff -u` leaves out a count of 1, and an empty side starts one line before the change. */
function range(start: number, count: number): string {
  if (count === 1) return `${start}`;
  return `${count === 0 ? start - 1 : start},${count}`;
}

/** `diff -u` style text from `a` to `b` with `context` lines around each change, or '' when they are equal. */
export function unifiedDiff(a: string, b: string, aName: string, bName: string, context = 3): string {
  if (a === b) return '';
  const patch = structuredPatch(aName, bName, a, b, undefined, undefined, { context });
  const out = [`--- ${aName}`, `+++ ${bName}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines);
  }
  return `${out.join('\n')}\n`;
}
