// Rewrites the top-level `order: <n>` line of an exercise.yaml. String in, string out: only the number
// changes (comments, quoting of other fields and line endings are kept); no such line is an error.
import { ToolkitError } from '../errors.ts';

const ORDER_LINE = /^(order\s*:\s*)(\d+)(\s*(?:#.*)?\r?)$/;

export function rewriteOrder(text: string, file: string, order: number): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => ORDER_LINE.test(l));
  if (at < 0) throw new ToolkitError(`${file}: no top-level \`order: <number>\` line to renumber.`, { hint: 'Write `order:` as a plain number on a line of its own.' });
  lines[at] = (lines[at] as string).replace(ORDER_LINE, (_all, pre: string, _n: string, post: string) => `${pre}${order}${post}`);
  return lines.join('\n');
}
