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
    [{ entry: { service: 'a' }, services: { a: { v1: { shows: 'gold-stars' } } } }, /spec\.services\.a\.v1\.shows` must be one of no-stars/],
    [{ entry: { service: 'a' }, services: { a: { v1: { calls: [{ service: 'b', onFailure: 'page-error', attempts: 0 }] } } } }, /calls\[0\]\.attempts` must be an integer from 1 to 10/],
    [{ entry: { service: 'a' }, services: { a: { v1: { shows: { from: 'b' } } } } }, /names "b", which this version does not call/],
    [{ services: {} }, /spec\.entry` must name the service/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseCallGraph({ spec }, 'cg.yaml')).toThrow(message);
  });
});
