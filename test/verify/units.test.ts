// verify's pure parts: reading a Bookinfo page, the engines' status shapes, the live/render comparison,
// and the judgements of a user's pages and a Canary's rollout.
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '../../tooling/src/lib/exercises.ts';
import type { CanaryTimeline, UserResult } from '../../tooling/src/lib/simulate/index.ts';
import { judgeCanary, judgeUser } from '../../tooling/src/lib/verify/judge.ts';
import { compareLive } from '../../tooling/src/lib/verify/live.ts';
import { classifyPage } from '../../tooling/src/lib/verify/page.ts';
import { commitOfRevision, evaluateSync } from '../../tooling/src/lib/verify/sync.ts';
import { cookieJar } from '../../tooling/src/lib/verify/traffic.ts';
import { argoApplication, bookinfoPage, fluxKustomization, withServerDefaults, type Obj } from './support.ts';

const SHA = 'a'.repeat(40);

describe('classifyPage', () => {
  it.each(OUTCOMES.filter((o) => o !== 'page-error'))('reads a Bookinfo page showing %s', (outcome) => {
    expect(classifyPage(200, bookinfoPage(outcome, undefined))).toEqual({ outcome });
  });

  it('reads the signed-in user from the navigation bar', () => {
    expect(classifyPage(200, bookinfoPage('black-stars', 'jason'))).toEqual({ outcome: 'black-stars', signedInAs: 'jason' });
  });

  it('reads the older Bootstrap template (font colour, "!" after the errors)', () => {
    const page = (body: string) => `<title>Simple Bookstore App</title><p class="navbar-text navbar-right">signed in as <b>jason</b></p>${body}`;
    expect(classifyPage(200, page('<font color="red"><span class="glyphicon glyphicon-star"></span></font>'))).toEqual({ outcome: 'red-stars', signedInAs: 'jason' });
    expect(classifyPage(200, page('<h3>Error fetching product reviews!</h3>')).outcome).toBe('reviews-error');
    expect(classifyPage(200, page('<h3>Error fetching product details!</h3>')).outcome).toBe('details-error');
  });

  it('lets the first failing call decide, as the simulator does: details before reviews', () => {
    const both = bookinfoPage('details-error', undefined).replace('<h4 class="text-3xl font-semibold">Book Reviews</h4>', '<p class="text-2xl text-red-500">Error fetching product reviews</p>');
    expect(classifyPage(200, both).outcome).toBe('details-error');
  });

  it('counts an HTTP error or a page that is not Bookinfo as page-error', () => {
    expect(classifyPage(503, 'no healthy upstream')).toEqual({ outcome: 'page-error' });
    expect(classifyPage(200, '<html><title>Welcome to nginx!</title></html>')).toEqual({ outcome: 'page-error' });
    expect(classifyPage(500, bookinfoPage('no-stars', undefined))).toEqual({ outcome: 'page-error' });
  });
});

describe('cookieJar', () => {
  it('keeps name=value pairs and drops a cookie Flask deletes', () => {
    const jar = cookieJar(['session=abc; HttpOnly; Path=/', 'user=jason; Path=/']);
    expect([...jar]).toEqual([['session', 'abc'], ['user', 'jason']]);
    cookieJar(['session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'], jar);
    expect([...jar]).toEqual([['user', 'jason']]);
  });
});

describe('evaluateSync', () => {
  it('reads the commit from every revision format', () => {
    expect(commitOfRevision(`main@sha1:${SHA}`)).toBe(SHA);
    expect(commitOfRevision(`main/${SHA}`)).toBe(SHA);
    expect(commitOfRevision(`sha1:${SHA}`)).toBe(SHA);
    expect(commitOfRevision(SHA)).toBe(SHA);
    expect(commitOfRevision('main@sha256:abc')).toBeUndefined();
    expect(commitOfRevision(undefined)).toBeUndefined();
  });

  it('is synced when Flux applied a commit containing the pointer and is Ready', () => {
    const ready = fluxKustomization(`main@sha1:${SHA}`, { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied' });
    expect(evaluateSync('flux', ready, SHA, true)).toEqual({ revision: SHA, unmet: [] });
    expect(evaluateSync('flux', ready, SHA, false).unmet).toEqual([`status.lastAppliedRevision ${SHA.slice(0, 12)} does not contain the pointer commit ${SHA.slice(0, 12)} yet`]);
    expect(evaluateSync('flux', ready, SHA, undefined).unmet[0]).toContain('is not in this clone');
  });

  it('names a spec change Flux has not observed yet and a missing Ready condition', () => {
    const k = fluxKustomization(`main@sha1:${SHA}`, { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied' });
    k.metadata.generation = 4;
    k.status.conditions = [];
    expect(evaluateSync('flux', k, SHA, true).unmet).toEqual(['status.observedGeneration 3 is behind metadata.generation 4', 'no Ready condition yet']);
  });

  it('needs Synced, Healthy and the revision from Argo CD, and names a failed operation', () => {
    expect(evaluateSync('argocd', argoApplication(SHA, 'Synced', 'Healthy'), SHA, true).unmet).toEqual([]);
    const degraded = argoApplication(SHA, 'Synced', 'Degraded', 'Deployment bookinfo/reviews-v2 has timed out progressing.');
    degraded.status.operationState = { phase: 'Failed', message: 'one or more objects failed to apply' };
    expect(evaluateSync('argocd', degraded, SHA, true).unmet).toEqual([
      'status.health.status is Degraded, not Healthy (Deployment bookinfo/reviews-v2 has timed out progressing.)',
      'the last sync operation failed: one or more objects failed to apply',
    ]);
    const fresh = argoApplication(SHA, 'Unknown', 'Missing');
    delete fresh.status.sync.revision;
    expect(evaluateSync('argocd', fresh, SHA, false).unmet[0]).toBe(`status.sync.revision is none, not a commit containing ${SHA.slice(0, 12)}`);
  });
});

const deployment = (name: string, replicas?: number): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'bookinfo' },
  spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: 9080 }] }] } } },
});

function liveMap(objects: Obj[]): Map<string, Obj[]> {
  return new Map([['all', objects]]);
}

describe('compareLive', () => {
  it('ignores what the API server defaults and compares what the render sets', () => {
    const rendered = [deployment('details-v1', 1)];
    expect(compareLive(rendered, liveMap(rendered.map(withServerDefaults)))).toMatchObject({ ok: true, differences: [], leftovers: [], missing: [] });
    const changed = withServerDefaults(rendered[0]!);
    changed.spec.template.spec.containers[0].image = 'details-v1:2';
    expect(compareLive(rendered, liveMap([changed])).differences).toEqual([
      { resource: 'Deployment bookinfo/details-v1', path: 'spec.template.spec.containers[0].image', rendered: 'details-v1:1', live: 'details-v1:2' },
    ]);
  });

  it('ignores the Canary target replicas Flagger scales to zero and the objects Flagger generates', () => {
    const canary: Obj = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' }, service: { port: 9080 } } };
    const rendered = [deployment('reviews', 1), canary];
    const scaled = withServerDefaults(deployment('reviews', 1));
    scaled.spec.replicas = 0;
    const primary = { ...withServerDefaults(deployment('reviews-primary', 1)), metadata: { name: 'reviews-primary', namespace: 'bookinfo', ownerReferences: [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', controller: true }] } };
    const report = compareLive(rendered, liveMap([scaled, canary, primary]));
    expect(report).toMatchObject({ ok: true, differences: [], leftovers: [], flaggerOwned: ['Deployment bookinfo/reviews-primary'] });
    // Without the Canary, replicas 0 is a difference.
    expect(compareLive([deployment('reviews', 1)], liveMap([scaled])).differences.map((d) => d.path)).toEqual(['spec.replicas']);
  });

  it('names leftovers with the engine that applied them', () => {
    const vs = (name: string, metadata: Obj): Obj => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'bookinfo', ...metadata }, spec: { hosts: [name] } });
    const report = compareLive([deployment('details-v1')], liveMap([
      withServerDefaults(deployment('details-v1')),
      vs('reviews', { annotations: { 'argocd.argoproj.io/tracking-id': 'exercise:networking.istio.io/VirtualService:bookinfo/reviews' } }),
      vs('ratings', {}),
    ]));
    expect(report.ok).toBe(false);
    expect(report.leftovers).toEqual([
      { resource: 'VirtualService bookinfo/reviews', managedBy: 'Application exercise' },
      { resource: 'VirtualService bookinfo/ratings', managedBy: 'unknown' },
    ]);
  });
});

const predicted = (outcomes: [string, number, number][]): UserResult => ({
  user: 'jason',
  edges: [],
  outcomes: outcomes.map(([outcome, probability, latencyMs]) => ({ outcome, probability, latencyMs, path: [] })) as UserResult['outcomes'],
});

describe('judgeUser', () => {
  const sample = (outcome: string, latencyMs: number, n: number) => ({ user: 'jason', observations: Array.from({ length: n }, () => ({ outcome, latencyMs, status: 200 })) }) as never;

  it('passes the predicted outcome at the predicted latency', () => {
    const verdict = judgeUser(sample('reviews-error', 6100, 20), predicted([['reviews-error', 1, 6000]]), { alpha: 0.01, latencySlackMs: 1000 });
    expect(verdict).toMatchObject({ ok: true, failures: [], rows: [{ outcome: 'reviews-error', observed: 20, predicted: 1, medianMs: 6100, predictedMs: 6000 }] });
  });

  it('fails a page faster or much slower than predicted, naming user and outcome', () => {
    expect(judgeUser(sample('reviews-error', 40, 20), predicted([['reviews-error', 1, 6000]]), { alpha: 0.01, latencySlackMs: 1000 }).failures).toEqual([
      'jason: reviews-error pages took 40ms (median), predicted 6000ms to 7000ms',
    ]);
    expect(judgeUser(sample('no-stars', 2500, 20), predicted([['no-stars', 1, 0]]), { alpha: 0.01, latencySlackMs: 1000 }).ok).toBe(false);
  });

  it('fails an outcome that is predicted but never seen', () => {
    const verdict = judgeUser(sample('no-stars', 5, 30), predicted([['no-stars', 0.5, 0], ['red-stars', 0.5, 0]]), { alpha: 0.01, latencySlackMs: 1000 });
    expect(verdict.failures).toHaveLength(1);
    expect(verdict.failures[0]).toMatch(/^jason: (no-stars on 30 of 30 pages \(100%\)|red-stars on 0 of 30 pages \(0%\)), predicted 50%; exact multinomial test p = /);
  });
});

describe('judgeCanary', () => {
  const timeline: CanaryTimeline = {
    name: 'bookinfo/reviews',
    intervalMinutes: 1,
    threshold: 5,
    steps: [10, 20, 30, 40, 50, 0].map((weight, i) => ({ atMinute: i, weight })),
    result: 'promoted',
    totalMinutes: 5,
    events: [],
  };
  const canary = (status: Obj): Obj => ({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'reviews', namespace: 'bookinfo' }, status });

  it('follows a rollout on the timeline and flags one off it', () => {
    expect(judgeCanary(canary({ phase: 'Progressing', canaryWeight: 30, failedChecks: 0 }), timeline)).toMatchObject({ ok: true, inProgress: true, weight: 30 });
    expect(judgeCanary(canary({ phase: 'Progressing', canaryWeight: 25, failedChecks: 0 }), timeline).message).toContain('a weight the predicted timeline never uses (10, 20, 30, 40, 50%)');
    expect(judgeCanary(canary({ phase: 'Progressing', canaryWeight: 20, failedChecks: 5 }), timeline)).toMatchObject({ ok: false, message: expect.stringContaining('Flagger will roll back') });
  });

  it('passes Succeeded or Initialized when promotion is predicted and fails a rollback', () => {
    expect(judgeCanary(canary({ phase: 'Succeeded', canaryWeight: 0 }), timeline)).toMatchObject({ ok: true, inProgress: false });
    expect(judgeCanary(canary({ phase: 'Initialized', canaryWeight: 0 }), timeline).ok).toBe(true);
    expect(judgeCanary(canary({ phase: 'Failed', canaryWeight: 0, failedChecks: 5 }), timeline)).toMatchObject({ ok: false, message: 'Canary bookinfo/reviews failed and was rolled back, where the prediction promotes it.' });
    expect(judgeCanary(canary({ phase: 'Failed' }), { ...timeline, result: 'rolled-back' }).ok).toBe(true);
    expect(judgeCanary(undefined, timeline)).toMatchObject({ ok: false, message: 'Canary bookinfo/reviews is not in the cluster.' });
  });
});
