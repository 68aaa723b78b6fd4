// Rewrites the `options:` list of the `exercise` input of promote.yml's `workflow_dispatch` from the catalog.
// String in, string out: only the list items change (their indentation and quoting style are kept); the
// comment above the list, the other inputs and the jobs are kept byte for byte. No such list is an error.
import { ToolkitError } from '../errors.ts';

export const PROMOTE_WORKFLOW = '.github/workflows/promote.yml';

const indentOf = (line: string) => /^ */.exec(line)?.[0].length ?? 0;
const meaningful = (line: string) => line.trim() !== '' && !line.trim().startsWith('#');

/** The [first, end) line range of the `exercise` input's options, and the indentation of its items. */
function optionsRange(lines: string[], file: string): { first: number; end: number; indent: string } {
  const fail = () =>
    new ToolkitError(`${file}: no \`on.workflow_dispatch.inputs.exercise.options\` list.`, {
      hint: 'The exercise input must be a `type: choice` with an `options:` list; see the seed repository\'s promote.yml.',
    });
  const path = ['on', 'workflow_dispatch', 'inputs', 'exercise', 'options'];
  let from = 0;
  let parentIndent = -1;
  for (const key of path) {
    const pattern = new RegExp(`^( *)["']?${key}["']?:\\s*(#.*)?$`);
    let found = -1;
    for (let i = from; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!meaningful(line)) continue;
      if (indentOf(line) <= parentIndent) break;
      if (pattern.test(line)) {
        found = i;
        break;
      }
    }
    if (found < 0) throw fail();
    parentIndent = indentOf(lines[found] as string);
    from = found + 1;
  }
  let end = from;
  let indent: string | undefined;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!meaningful(line)) continue;
    const m = /^( *)- /.exec(line);
    if (!m || (m[1] as string).length < parentIndent) break;
    indent ??= m[1];
    end = i + 1;
  }
  if (indent === undefined) throw fail();
  return { first: from, end, indent };
}

export function readPromoteChoices(text: string, file: string): string[] {
  const lines = text.split('\n');
  const { first, end } = optionsRange(lines, file);
  return lines.slice(first, end).filter(meaningful).map((l) => l.trim().replace(/^- /, '').replace(/\s+#.*$/, '').replace(/^(["'])(.*)\1$/, '$2'));
}

export function rewritePromoteChoices(text: string, file: string, ids: readonly string[]): string {
  const lines = text.split('\n');
  const { first, end, indent } = optionsRange(lines, file);
  const cr = (lines[first] as string).endsWith('\r') ? '\r' : '';
  return [...lines.slice(0, first), ...ids.map((id) => `${indent}- ${id}${cr}`), ...lines.slice(end)].join('\n');
}
