// The engine from first principles on fixtures: the seed's 6s and 2.5s cases, weights, fault percentages,
// Istio timeouts and retries, header propagation, unreachable subsets, replicas and default users.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../tooling/src/lib/simulate/engine.ts';
import type { SimulationResult } from '../../tooling/src/lib/simulate/types.ts';
import { defaultUsers } from '../../tooling/src/lib/simulate/users.ts';
import { parseCallGraph, type CallGraph } from '../../tooling/src/lib/simulate/callgraph.ts';
import { bookinfo, callGraph, fixture } from './helpers.ts';

type Row = [string, number, number];

/** Outcome, probability, latency per user, summed over paths, sorted. */
function table(result: SimulationResult, user: string | null): Row[] {
  const u = result.users.find((x) => x.user === user);
  if (!u) throw new Error(`no user ${user}`);
  const rows = new Map<string, Row>();
  for (const o of u.outcomes) {
    const key = `${o.outcome}@${o.latencyMs}`;
    const row = rows.get(key) ?? [o.outcome, 0, o.latencyMs];
    row[1] += o.probability;
    rows.set(key, row);
  }
  return [...rows.values()].map(([o, p, l]): Row => [o, Math.round(p * 1e6) / 1e6, l]).sort((a, b) => a[2] - b[2] || a[0].localeCompare(b[0]));
}

async function run(files: string[], users?: (string | null)[], graph?: CallGraph): Promise<SimulationResult> {
  return simulate(bookinfo(...files), graph ?? (await callGraph()), { target: 'test', ...(users ? { users } : {}) });
}

describe('the seed exercises on fixtures', () => {
  it('baseline: no VirtualService spreads reviews evenly over v1, v2, v3', async () => {
    const r = await run([]);
    expect(table(r, null)).toEqual([['black-stars', 0.333333, 0], ['no-stars', 0.333333, 0], ['red-stars', 0.333333, 0]]);
  });

  it('route-jason: jason gets v2, everyone else v1', async () => {
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml']);
    expect(r.users.map((u) => u.user)).toEqual([null, 'jason']);
    expect(table(r, 'jason')).toEqual([['black-stars', 1, 0]]);
    expect(table(r, null)).toEqual([['no-stars', 1, 0]]);
  });

  it('fault-delay: the 7s delay makes jason\'s page fail after 6s (3s x 2 attempts), from first principles', async () => {
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-delay-7s.yaml']);
    expect(table(r, 'jason')).toEqual([['reviews-error', 1, 6000]]);
    const [only] = r.users.find((u) => u.user === 'jason')!.outcomes;
    expect(only!.path).toEqual(['productpage v1', 'reviews v2', 'ratings v1 (delay 7s)']);
    expect(only!.reason).toBe('productpage gave reviews 3s x 2 attempts; ratings answered after 7s');
    expect(table(r, null)).toEqual([['no-stars', 1, 0]]);
  });

  it('the 6s comes from the call graph: one productpage attempt gives 3s', async () => {
    const graph = structuredClone(await callGraph());
    graph.services.productpage!.v1!.calls.find((c) => c.service === 'reviews')!.attempts = 1;
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-delay-7s.yaml'], ['jason'], graph);
    expect(table(r, 'jason')).toEqual([['reviews-error', 1, 3000]]);
  });

  it('three productpage attempts add up: 3s x 3 = 9s', async () => {
    const graph = structuredClone(await callGraph());
    graph.services.productpage!.v1!.calls.find((c) => c.service === 'reviews')!.attempts = 3;
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-delay-7s.yaml'], ['jason'], graph);
    expect(table(r, 'jason')).toEqual([['reviews-error', 1, 9000]]);
  });

  it('fault-delay-fixed: reviews v3 gives ratings 2.5s, so jason sees ratings unavailable after 2.5s', async () => {
    const r = await run(['all-v1.yaml', 'reviews-all-v3.yaml', 'ratings-delay-7s.yaml'], [null, 'jason']);
    expect(table(r, 'jason')).toEqual([['ratings-unavailable', 1, 2500]]);
    expect(r.users[1]!.outcomes[0]!.reason).toBe('reviews gave ratings 2.5s x 1 attempt; ratings answered after 7s');
    expect(table(r, null)).toEqual([['red-stars', 1, 0]]);
  });

  it('fault-abort: jason sees ratings unavailable at once', async () => {
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml', 'ratings-abort-500.yaml']);
    expect(table(r, 'jason')).toEqual([['ratings-unavailable', 1, 0]]);
    expect(r.users[1]!.outcomes[0]!.path).toEqual(['productpage v1', 'reviews v2', 'ratings (abort 500)']);
    expect(table(r, null)).toEqual([['no-stars', 1, 0]]);
  });

  it('baseline paths name every hop taken: reviews v2 and v3 call ratings v1', async () => {
    const r = await run([]);
    expect(r.users[0]!.outcomes.map((o) => [o.outcome, o.path.join(' -> ')])).toEqual([
      ['black-stars', 'productpage v1 -> reviews v2 -> ratings v1'],
      ['no-stars', 'productpage v1 -> reviews v1'],
      ['red-stars', 'productpage v1 -> reviews v3 -> ratings v1'],
    ]);
  });

  it('shift-50-v3: weights give exactly half and half', async () => {
    const r = await run(['all-v1.yaml', 'reviews-50-v3.yaml']);
    expect(table(r, null)).toEqual([['no-stars', 0.5, 0], ['red-stars', 0.5, 0]]);
  });
});

describe('faults, timeouts and retries', () => {
  it('a 50% delay is drawn again on productpage\'s retry, giving three exact outcomes', async () => {
    const r = await run(['ratings-delay-50.yaml']);
    expect(table(r, null)).toEqual([['black-stars', 0.5, 0], ['black-stars', 0.25, 3000], ['reviews-error', 0.25, 6000]]);
  });

  it('an Istio route timeout of 0.5s fails each productpage attempt, so the page fails after 1s', async () => {
    const r = await run(['istio-timeout.yaml']);
    expect(table(r, null)).toEqual([['reviews-error', 1, 1000]]);
    expect(r.users[0]!.outcomes[0]!.reason).toBe('Istio timeout 500ms on reviews (VirtualService bookinfo/reviews); ratings answered after 2s (2 attempts)');
  });

  it('perTryTimeout retries re-draw the downstream fault on every try', async () => {
    // Each reviews try is slow with p=1/2; 3 tries of 1s each, then productpage's own 2 attempts.
    const r = await run(['istio-retries.yaml']);
    expect(table(r, null)).toEqual([
      ['black-stars', 0.5, 0],
      ['black-stars', 0.25, 1000],
      ['black-stars', 0.125, 2000],
      ['black-stars', 0.0625, 3000],
      ['black-stars', 0.03125, 4000],
      ['black-stars', 0.015625, 5000],
      ['reviews-error', 0.015625, 6000],
    ]);
  });

  it('perTryTimeout reasons count tries in plain English', async () => {
    const r = await run(['istio-retries.yaml']);
    const failed = r.users[0]!.outcomes.find((o) => o.outcome === 'reviews-error')!;
    expect(failed.reason).toBe('Istio perTryTimeout 1s x 3 tries on reviews (VirtualService bookinfo/reviews); ratings answered after 7s (2 attempts)');
  });

  it('a fault on a rule with its own timeout and retries: the fault bypasses them, spared requests still get them, with a warning', async () => {
    // Per productpage attempt: the abort (p 1/2) fails at once and is not retried; the spared half waits for
    // ratings' 2s and hits the rule's 1s timeout. Were the timeout disabled, the spared half would show black stars.
    const r = await run(['fault-with-timeout.yaml']);
    expect(table(r, null)).toEqual([['reviews-error', 0.25, 0], ['reviews-error', 0.5, 1000], ['reviews-error', 0.25, 2000]]);
    expect(r.warnings).toEqual([
      'VirtualService bookinfo/reviews rule http[0] combines a fault with its own timeout and retries. The VirtualService reference says ' +
        '"timeouts or retries will not be enabled when faults are enabled on the client side"; the simulator follows the Envoy route Istio ' +
        'generates: injected faults bypass the timeout and retries, requests the fault spares still get them (docs/simulate.md). ' +
        'Put the fault in its own rule to test one thing at a time.',
    ]);
    expect((await run(['istio-timeout.yaml'])).warnings).toEqual([]);
  });

  it('fault aborts are not retried by the route\'s retry policy', async () => {
    const r = await run(['abort-retried.yaml']);
    expect(table(r, null)).toEqual([['ratings-unavailable', 0.5, 0], ['red-stars', 0.5, 0]]);
  });

  it('a delay without a percentage is never injected; a details abort shows details-error', async () => {
    const r = await run(['faults-edge.yaml'], [null, 'jason']);
    expect(table(r, null)).toEqual([['black-stars', 1, 0]]);
    expect(table(r, 'jason')).toEqual([['details-error', 1, 0]]);
    expect(r.users[1]!.outcomes[0]!.path).toEqual(['productpage v1', 'details (abort 500)', 'reviews v2', 'ratings v1']);
  });

  it('an unknown subset, an abort on reviews and a missing rule all end in reviews-error', async () => {
    const r = await run(['faults-edge.yaml'], ['kim', 'ann', 'lee']);
    expect(table(r, 'kim')).toEqual([['reviews-error', 1, 0]]);
    expect(r.users[0]!.outcomes[0]!.reason).toBe('reviews is unreachable: subset v9 of reviews is not in DestinationRule bookinfo/reviews, the one Istio applies (2 attempts)');
    expect(table(r, 'ann')).toEqual([['reviews-error', 1, 0]]);
    expect(table(r, 'lee')).toEqual([['reviews-error', 1, 0]]);
    expect(r.users[2]!.outcomes[0]!.path).toEqual(['productpage v1', 'reviews (no route)']);
  });

  it('an abort on the gateway route is a page error', async () => {
    const resources = bookinfo();
    const gw = resources.find((r) => r.object.kind === 'VirtualService')!;
    const spec = structuredClone(gw.object.spec) as { http: Record<string, unknown>[] };
    spec.http[0]!.fault = { abort: { httpStatus: 503, percentage: { value: 25 } } };
    const r = simulate(resources.map((x) => (x === gw ? { ...x, object: { ...x.object, spec } } : x)), await callGraph(), { target: 't', users: [null] });
    expect(table(r, null)).toEqual([['black-stars', 0.25, 0], ['no-stars', 0.25, 0], ['page-error', 0.25, 0], ['red-stars', 0.25, 0]]);
  });
});

describe('headers and users', () => {
  it('end-user travels productpage -> reviews -> ratings, so a ratings match on it sees jason', async () => {
    const r = await run(['all-v1.yaml', 'reviews-all-v3.yaml', 'ratings-abort-500.yaml'], [null, 'jason']);
    expect(table(r, 'jason')).toEqual([['ratings-unavailable', 1, 0]]);
  });

  it('a service that does not forward end-user hides the user from the next hop', async () => {
    const raw = structuredClone(await callGraph());
    for (const v of Object.values(raw.services.reviews!)) for (const c of v.calls) c.forwardHeaders = [];
    const graph = parseCallGraph({ spec: raw });
    const r = await run(['all-v1.yaml', 'reviews-all-v3.yaml', 'ratings-abort-500.yaml'], ['jason'], graph);
    expect(table(r, 'jason')).toEqual([['red-stars', 1, 0]]);
  });

  it('the entry hop itself carries no user header (productpage adds it from the login)', async () => {
    const r = await run(['all-v1.yaml', 'reviews-jason-v2.yaml'], ['jason']);
    const entry = r.users[0]!.edges.find((e) => e.from === 'user');
    expect(entry).toEqual({ from: 'user', to: 'productpage v1', probability: 1 });
  });

  it('default users are anonymous plus every name an end-user match spells out', async () => {
    expect(defaultUsers(bookinfo('faults-edge.yaml'), await callGraph())).toEqual([null, 'jason', 'kim', 'ann', 'bob', 'le']);
    expect(defaultUsers(bookinfo(), await callGraph())).toEqual([null]);
  });

  it('--user anonymous and duplicates collapse', async () => {
    const r = await run([], ['anonymous', null, 'jason', 'jason']);
    expect(r.users.map((u) => u.user)).toEqual([null, 'jason']);
  });
});

describe('rule fields the model does not apply', () => {
  it('warns about a rewrite, a user-header change and a mirror on the path, and not about rules off it', async () => {
    const r = await run(['unmodelled.yaml'], [null]);
    expect(r.warnings).toEqual([
      'VirtualService bookinfo/bookinfo rule http[0] rewrites the request (rewrite), which the simulator does not apply: later uri and authority matches are predicted on the original request.',
      'VirtualService bookinfo/reviews rule http[0] changes the end-user request header (headers.request.set), which the simulator does not apply: routing after this hop is predicted with the original end-user, so the per-user results may be wrong.',
      'VirtualService bookinfo/reviews rule http[0] mirrors requests (mirror), which the simulator does not model: Envoy discards mirrored responses, so pages are unaffected, but the mirror\'s load and faults are not shown.',
    ]);
    // The prediction itself still comes from the rules as written.
    expect(table(r, null)).toEqual([['black-stars', 1, 0]]);
  });

  it('warns about per-destination header operations once the rule is reached', async () => {
    const r = await run(['unmodelled.yaml'], ['jason']);
    expect(r.warnings).toContain(
      'VirtualService bookinfo/ratings rule http[0] uses route[0].headers.response.add, which the simulator does not apply: the prediction treats the request and response as unchanged.',
    );
  });

  it('nothing behind a weight-0 destination is simulated or warned about', async () => {
    const resources = bookinfo('unmodelled.yaml').map((x) => {
      if (x.object.kind !== 'VirtualService' || x.object.metadata.name !== 'reviews') return x;
      const spec = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 0 }] }] };
      return { ...x, object: { ...x.object, spec } };
    });
    const r = simulate(resources, await callGraph(), { target: 't', users: ['jason'] });
    expect(table(r, 'jason')).toEqual([['no-stars', 1, 0]]);
    expect(r.warnings.filter((w) => w.includes('bookinfo/ratings'))).toEqual([]);
  });
});

describe('workloads', () => {
  it('weights pods by replicas', async () => {
    const resources = bookinfo().map((r) =>
      r.object.metadata.name === 'reviews-v1' ? { ...r, object: { ...r.object, spec: { ...(r.object.spec as object), replicas: 2 } } } : r,
    );
    const r = simulate(resources, await callGraph(), { target: 't' });
    expect(table(r, null)).toEqual([['black-stars', 0.25, 0], ['no-stars', 0.5, 0], ['red-stars', 0.25, 0]]);
  });

  it('routes a Canary\'s generated Service to the target Deployment and reports its timeline', async () => {
    const r = simulate(fixture('canary.yaml'), await callGraph(), { target: 'canary' });
    expect(table(r, null)).toEqual([['black-stars', 1, 0]]);
    expect(r.canaries.map((c) => [c.name, c.result, c.totalMinutes])).toEqual([['bookinfo/reviews', 'promoted', 5]]);
  });

  it('warns when a running version is missing from the call graph', async () => {
    const resources = bookinfo().map((r) =>
      r.object.metadata.name === 'reviews-v3'
        ? { ...r, object: { ...r.object, spec: { template: { metadata: { labels: { app: 'reviews', version: 'v4' } } } } } }
        : r,
    );
    const r = simulate(resources, await callGraph(), { target: 't' });
    expect(r.warnings.some((w) => w.includes('reviews v4 (Deployment bookinfo/reviews-v3) is not in the call graph'))).toBe(true);
    expect(table(r, null).find((row) => row[0] === 'page-error')?.[1]).toBeCloseTo(1 / 3, 5);
  });
});
