// Markdown helpers for text that ends up in job summaries and PR comments. Finding messages and file
// names can come from a pull request, so they are escaped so they cannot add links, images, HTML or columns.

/** Escapes text for a table cell or a line of prose: no HTML, no links or images, no column breaks. */
export function md(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|!#~])/g, '\\$1')
    .trim();
}

/** An inline code span for ids that already passed a strict pattern (exercise ids, cluster names). */
export function code(id: string): string {
  return `\`${id.replace(/`/g, '')}\``;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/**
 * For reviewed repository text (exercise.yaml) that may use Markdown on purpose, such as `code`:
 * HTML is neutralised and the text is kept on one line, everything else is left as written.
 */
export function prose(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').trim();
}
