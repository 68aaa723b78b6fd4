// The one Markdown escaping every Markdown output uses: the promotion PR body, the post-merge comment, CI job
// summaries and the simulator's tables. Text from exercise.yaml, manifests and findings can come from a pull
// request, so it can add no HTML, link, image, heading or table column; inline code spans (`kubectl get vs`)
// stay code, which GitHub shows literally. The same text therefore renders the same everywhere.

/** One line: control characters and runs of white space become one space. Also safe for commit and PR titles. */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** Markdown's inline syntax, escaped with a backslash; `&`, `<` and `>` become entities (no HTML, no entity tricks). */
function escapePlain(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]|!#~])/g, '\\$1');
}

/** Splits a line into plain text and CommonMark code spans (a span closes at the next backtick run of the same length). */
function spans(line: string): { text: string; code: boolean }[] {
  const out: { text: string; code: boolean }[] = [];
  let plainFrom = 0;
  let i = 0;
  while (i < line.length) {
    if (line[i] !== '`') {
      i++;
      continue;
    }
    let run = 1;
    while (line[i + run] === '`') run++;
    const fence = '`'.repeat(run);
    let close = line.indexOf(fence, i + run);
    while (close >= 0 && (line[close + run] === '`' || line[close - 1] === '`')) {
      let end = close;
      while (line[end] === '`') end++;
      close = line.indexOf(fence, end);
    }
    if (close < 0) {
      i += run;
      continue;
    }
    if (i > plainFrom) out.push({ text: line.slice(plainFrom, i), code: false });
    out.push({ text: line.slice(i, close + run), code: true });
    i = close + run;
    plainFrom = i;
  }
  if (plainFrom < line.length) out.push({ text: line.slice(plainFrom), code: false });
  return out;
}

/**
 * Untrusted text as one line of inline Markdown: code spans pass through as code; everything else has its
 * Markdown and HTML characters escaped, and so do backticks that open no span. Inside a code span `|` is
 * left alone, since a `\|` would show its backslash there; in a table, use `cell`.
 */
export function md(text: string): string {
  return spans(oneLine(text)).map((s) => (s.code ? s.text : escapePlain(s.text))).join('');
}

/** `md` for a table cell: a `|` inside a code span is escaped too (GitHub's tables remove that backslash). */
export function cell(text: string): string {
  return spans(oneLine(text)).map((s) => (s.code ? s.text.replace(/\|/g, '\\|') : escapePlain(s.text))).join('');
}

/** An inline code span for a name or id: one line, its backticks shown as `'` so it cannot close the span. */
export function code(text: string): string {
  return `\`${oneLine(text).replace(/`/g, "'")}\``;
}

/** A fenced block with a fence longer than any backtick run inside, so untrusted content cannot close it. */
export function fenced(text: string, lang: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}`;
}

/** A table of cells already escaped (with `cell`, `code` or a number). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
