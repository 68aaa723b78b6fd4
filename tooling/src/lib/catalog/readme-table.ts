// Rewrites the README's exercise table, between `<!-- exercises:start -->` and `<!-- exercises:end -->`, from
// the catalog. String in, string out: everything outside the markers is kept byte for byte; a README without
// the markers is an error, not a silent no-op.
import { ToolkitError } from '../errors.ts';
import type { Exercise } from '../exercises.ts';

export const TABLE_START = '<!-- exercises:start -->';
export const TABLE_END = '<!-- exercises:end -->';

/** A Markdown table cell: pipes escaped, line breaks folded. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

export function exerciseTable(exercises: readonly Exercise[]): string {
  return [
    '| id | section | title | summary |',
    '|---|---|---|---|',
    ...exercises.map((e) => `| \`${e.id}\` | ${cell(e.section)} | ${cell(e.title)} | ${cell(e.summary)} |`),
  ].join('\n');
}

export function rewriteReadmeTable(text: string, file: string, exercises: readonly Exercise[]): string {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new ToolkitError(`${file}: no ${TABLE_START} ... ${TABLE_END} section.`, {
      hint: `Put the two marker lines where the exercise table belongs; \`npm run catalog -- write\` fills in what is between them.`,
    });
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${text.slice(0, start + TABLE_START.length)}${eol}${exerciseTable(exercises).split('\n').join(eol)}${eol}${text.slice(end)}`;
}
