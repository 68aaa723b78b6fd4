// The call graph file: the repository's copy states the Bookinfo facts, and bad shapes fail with the field.
import { describe, expect, it } from 'vitest';
import { parseCallGraph } from '../../tooling/src/lib/simulate/callgraph.ts';
import { callGraph } from './helpers.ts';

describe('call graph', () => {
  it('states the Bookinfo facts the simulator relies on', async () => {
    const g = await callGraph();
    const pp = g.services.productpage!.v1!;
    expect(pp.calls.map((c) => [c.service, c.timeoutMs, c.attempts, c.onFailure])).toEqual([
      ['details', 3000, 1, 'details-error'],
      ['reviews', 3000, 2, 'reviews-error'],
    ]);
    expect(g.services.reviews!.v1).toEqual({ calls: [], shows: 'no-stars' });
    expect(g.services.reviews!.v2!.calls[0]).toMatchObject({ service: 'ratings', timeoutMs: 10000, forwardHeaders: ['end-user'], onFailure: 'ratings-unavailable' });
    expect(g.services.reviews!.v3!.calls[0]).toMatchObject({ service: 'ratings', timeoutMs: 2500 });
    expect(g.entry).toMatchObject({ service: 'productpage', userHeader: 'end-user', onFailure: 'page-error' });
  });

  it.each([
    [
      { entry: { service: 'a' }, services: { a: { v1: { shows: 'gold-stars' } } } },
      'cg.yaml /spec/services/a/v1/shows: "shows" is "gold-stars": neither an outcome (no-stars, black-stars, red-stars, ratings-unavailable, reviews-error, details-error, page-error) nor `{from: <service>}`. Did you mean "no-stars"?',
    ],
    [
      { entry: { service: 'a' }, services: { a: { v1: { calls: [{ service: 'b', onFailure: 'page-error', attempts: 0 }] } } } },
      'cg.yaml /spec/services/a/v1/calls/0/attempts: "attempts" is number 0; it must be >= 1. Use a value that is >= 1, e.g. `attempts: 1`.',
    ],
    [{ entry: { service: 'a' }, services: { a: { v1: { shows: { from: 'b' } } } } }, 'cg.yaml: `spec.services.a.v1.shows.from` names "b", which this version does not call.'],
    [{ services: {} }, 'cg.yaml /spec/entry: missing required field "entry". Add `entry:` under /spec.'],
    [
      { entry: { service: 'a', onFailure: 'page-error' }, services: { a: { v1: { calls: [{ service: 'b', onFailure: 'page-error', timeoutMS: 10 }] } } } },
      'cg.yaml /spec/services/a/v1/calls/0/timeoutMS: unknown field "timeoutMS"; it would be ignored. Did you mean "timeoutMs"? Rename the field.',
    ],
  ])('rejects %j', (spec, message) => {
    expect(() => parseCallGraph({ spec }, 'cg.yaml')).toThrow(expect.objectContaining({ name: 'ToolkitError', message }));
  });
});
