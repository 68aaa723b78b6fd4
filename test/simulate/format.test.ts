// Output formats: the JSON shape issue 7 fixes, text, a Mermaid flowchart, and the Markdown section.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../tooling/src/lib/simulate/engine.ts';
import { formatMermaid, formatText, simulateMarkdown, toJson } from '../../tooling/src/lib/simulate/format.ts';
import { bookinfo, callGraph, fixture } from './helpers.ts';

async function faultDelay() {
  return simulate(bookinfo('all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-delay-7s.yaml'), await callGraph(), { target: 'fault-delay' });
}

describe('formats', () => {
  // Updated by the review: reason, warnings and canaries were missing from the JSON a script reads.
  it('json has target, users[{user, outcomes[{outcome, probability, latencyMs, path, reason?}]}], warnings and canaries', async () => {
    expect(toJson(await faultDelay())).toEqual({
      target: 'fault-delay',
      users: [
        { user: null, outcomes: [{ outcome: 'no-stars', probability: 1, latencyMs: 0, path: ['productpage v1', 'reviews v1'] }] },
        {
          user: 'jason',
          outcomes: [{
            outcome: 'reviews-error',
            probability: 1,
            latencyMs: 6000,
            path: ['productpage v1', 'reviews v2', 'ratings v1 (delay 7s)'],
            reason: 'productpage gave reviews 3s x 2 attempts; ratings answered after 7s',
          }],
        },
      ],
      warnings: [],
      canaries: [],
    });
  });

  it('json carries the warnings', async () => {
    const json = toJson(simulate(bookinfo('unmodelled.yaml'), await callGraph(), { target: 't', users: [null] }));
    expect(json.warnings).toHaveLength(3);
    expect((json.warnings as string[])[1]).toMatch(/^VirtualService bookinfo\/reviews rule http\[0\] changes the end-user request header/);
  });

  it('json adds the canary timeline when there is a Canary, and every Canary under canaries', async () => {
    const resources = fixture('canary.yaml');
    const second = resources.find((r) => r.object.kind === 'Canary')!;
    const both = [...resources, { ...second, object: { ...second.object, metadata: { ...second.object.metadata, name: 'reviews-b' } } }];
    const json = toJson(simulate(both, await callGraph(), { target: 'canary-v2', failFrom: 2 }));
    expect(json.canary).toEqual({
      name: 'bookinfo/reviews',
      steps: [10, 20, 20, 20, 20, 20, 20, 0].map((weight, atMinute) => ({ atMinute, weight })),
      result: 'rolled-back',
      // Checks fail at minutes 2..6; the tick at minute 7 finds 5 failures and rolls back.
      totalMinutes: 7,
    });
    expect((json.canaries as { name: string }[]).map((c) => c.name)).toEqual(['bookinfo/reviews', 'bookinfo/reviews-b']);
    expect((json.canaries as unknown[])[0]).toEqual(json.canary);
  });

  it('text shows each outcome with probability, latency, path and the reason', async () => {
    const text = formatText(await faultDelay());
    expect(text).toContain('jason\n    100%  reviews-error       6s       productpage v1 -> reviews v2 -> ratings v1 (delay 7s)\n');
    expect(text).toContain('why: productpage gave reviews 3s x 2 attempts; ratings answered after 7s');
  });

  it('text and markdown show the warnings', async () => {
    const r = simulate(bookinfo('unmodelled.yaml'), await callGraph(), { target: 't', users: [null] });
    expect(formatText(r)).toContain('\nwarning: VirtualService bookinfo/reviews rule http[0] mirrors requests (mirror)');
    expect(simulateMarkdown(r)).toContain('\n> VirtualService bookinfo/bookinfo rule http\\[0\\] rewrites the request (rewrite)');
  });

  it('mermaid draws one box per user with percentages and dotted, marked fault edges', async () => {
    const m = formatMermaid(await faultDelay());
    expect(m.startsWith('flowchart LR\n')).toBe(true);
    expect(m).toContain('subgraph u1["jason"]');
    expect(m).toMatch(/u1_\d+ -\.->\|"100% · delay 7s"\| u1_\d+/);
    expect(m).toContain('classDef fault');
    const baseline = formatMermaid(simulate(bookinfo(), await callGraph(), { target: 'baseline' }));
    expect(baseline.match(/-->\|"33\.3%"\|/g)).toHaveLength(3);
  });

  it('mermaid escapes quotes and angle brackets from manifest names', async () => {
    const r = await faultDelay();
    r.users[1]!.user = 'x"]; click u0 "https://evil"<b>';
    const m = formatMermaid(r);
    expect(m).not.toContain('"https://evil"');
    expect(m).toContain('#quot;');
    expect(m).not.toContain('<b>');
  });

  it('simulateMarkdown embeds the mermaid graph and a per-user table', async () => {
    const md = simulateMarkdown(await faultDelay());
    expect(md).toContain('```mermaid\nflowchart LR');
    expect(md).toContain('| jason | `reviews-error` | 100% | 6s | productpage v1 → reviews v2 → ratings v1 (delay 7s)<br>productpage gave reviews 3s x 2 attempts; ratings answered after 7s |');
    expect(md).toContain('| anonymous | `no-stars` | 100% | 0ms |');
  });
});
