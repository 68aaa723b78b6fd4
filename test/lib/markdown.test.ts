// The one Markdown escaping: inline text, table cells, code spans and fences; and the same exercise.yaml text
// rendered the same in the promotion PR body and in the post-merge comment.
import { describe, expect, it } from 'vitest';
import { postMergeMessage } from '../../tooling/src/lib/ci/post-merge.ts';
import type { Exercise } from '../../tooling/src/lib/exercises.ts';
import { cell, code, fenced, md, oneLine, table } from '../../tooling/src/lib/markdown.ts';
import { composeBody } from '../../tooling/src/lib/promote/body.ts';
import { summarize } from '../../tooling/src/lib/promote/gate.ts';
import type { PlanDraft } from '../../tooling/src/lib/promote/plan.ts';

describe('markdown escaping', () => {
  it('escapes every inline construct outside code spans, and HTML as entities', () => {
    expect(md('*em* _em_ **b** ~~s~~ # h [l](u) ![i](u) <b>&amp; a\\b | c')).toBe(
      '\\*em\\* \\_em\\_ \\*\\*b\\*\\* \\~\\~s\\~\\~ \\# h \\[l\\](u) \\!\\[i\\](u) &lt;b&gt;&amp;amp; a\\\\b \\| c',
    );
  });

  it('keeps a table cell one cell, pipes inside code spans included', () => {
    expect(cell('a | b `x | y`\nz')).toBe('a \\| b `x \\| y` z');
    expect(md('a | b `x | y`')).toBe('a \\| b `x | y`');
  });

  it('makes one line, a code span that cannot be closed early, and a fence longer than any run inside', () => {
    expect(oneLine(' a\r\n\tb\u0007 c ')).toBe('a b c');
    expect(code('a`b\nc')).toBe("`a'b c`");
    expect(fenced('x ```` y', 'diff')).toBe('`````diff\nx ```` y\n`````');
    expect(fenced('plain\n', '')).toBe('```\nplain\n```');
    expect(table(['A', 'B'], [['1', '2']])).toEqual(['| A | B |', '| --- | --- |', '| 1 | 2 |']);
  });
});

describe('exercise.yaml text in the PR body and in the post-merge comment', () => {
  const tricky = {
    section: '2.1 *Routing*',
    title: 'Route _jason_ to `reviews-v2` <b>now</b>',
    summary: 'Sends **jason** to [v2](https://example.org) & keeps the rest | on v1; see `kubectl get vs | grep reviews`.',
    do: 'Run `kubectl get vs -n bookinfo` then ![img](x) #1',
    observe: 'Black stars ~~maybe~~ & <script>alert(1)</script>',
  };
  const exercise: Exercise = {
    id: 'route-jason', order: 2, title: tricky.title, section: tricky.section, summary: tricky.summary,
    afterMerge: { do: [tricky.do], observe: [tricky.observe] }, expect: [], dir: 'exercises/route-jason',
  };
  const draft: PlanDraft = {
    exercise,
    clusters: [{
      name: 'workshop', file: 'clusters/workshop/exercise/kustomization.yaml', before: 'baseline', after: 'route-jason', oldText: 'a\n', newText: 'b\n',
      diff: '--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n', resources: { added: [], changed: [], removed: [] }, renderedDiff: '',
    }],
    allClusters: false, branch: 'promote/workshop/route-jason', title: 't', labels: ['promotion'], draft: false, base: 'main', baseCommit: 'f'.repeat(40), noop: false,
  };

  it('renders each field with the same Markdown in both', () => {
    const body = composeBody(draft, summarize(['clusters/workshop/exercise'], []));
    const comment = postMergeMessage([{ cluster: 'workshop', file: 'clusters/workshop/exercise/kustomization.yaml', from: 'baseline', to: 'route-jason' }], [exercise]).markdown;
    const expected = Object.fromEntries(Object.entries(tricky).map(([k, v]) => [k, md(v)])) as Record<keyof typeof tricky, string>;
    // What md gives, spelled out once, so a change to the escaping shows here.
    expect(expected.title).toBe('Route \\_jason\\_ to `reviews-v2` &lt;b&gt;now&lt;/b&gt;');
    expect(expected.summary).toBe('Sends \\*\\*jason\\*\\* to \\[v2\\](https://example.org) &amp; keeps the rest \\| on v1; see `kubectl get vs | grep reviews`.');

    const bodyLines = body.split('\n');
    const commentLines = comment.split('\n');
    expect(bodyLines).toContain(`## ${expected.section} ${expected.title}`);
    expect(commentLines).toContain(`## 🚀 \`workshop\` now runs \`route-jason\`: ${expected.section} ${expected.title}`);
    expect(bodyLines).toContain(`Moves \`workshop\` to exercise \`route-jason\`. ${expected.summary}`);
    expect(commentLines).toContain(`Moved from \`baseline\`. ${expected.summary}`);
    expect(bodyLines).toContain(`- ${expected.do}`);
    expect(commentLines).toContain(`1. ${expected.do}`);
    expect(bodyLines).toContain(`- ${expected.observe}`);
    expect(commentLines).toContain(`- ${expected.observe}`);
    for (const text of [body, comment]) {
      expect(text).not.toMatch(/<(b|script)>/);
      expect(text).not.toMatch(/(?<!\\)\[v2\]/);
    }
  });
});
