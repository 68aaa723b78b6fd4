// `npm run verify` on a Canary exercise: Flagger's own objects and changes are not differences, and the Canary's
// phase and weight are judged against the simulator's predicted timeline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tooling/src/cli/verify.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { renderTarget, resolveTarget } from '../../tooling/src/lib/targets.ts';
import type { TestRepo } from '../helpers/git-repo.ts';
import { captureIo } from '../helpers/io.ts';
import { fluxKustomization, startKubeApi, startProductpage, verifyRepo, withServerDefaults, type KubeApi, type Obj } from './support.ts';

describe('npm run verify on canary-v2', () => {
  let dir: string;
  let api: KubeApi;
  let repo: TestRepo;
  let canary: Obj;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-canary-'));
    api = await startKubeApi(dir);
    const made = await verifyRepo('canary-v2');
    repo = made.repo;
    const target = await resolveTarget(repo.work, 'workshop');
    const rendered = parseManifests(await renderTarget(repo.work, target), target.dir).resources.map((r) => r.object as Obj);
    for (const o of rendered.filter((o) => ['VirtualService', 'DestinationRule', 'Deployment'].includes(o.kind))) api.put(withServerDefaults(o));
    canary = rendered.find((o) => o.kind === 'Canary')!;
    // What Flagger does with the Canary: the target scaled to zero, a primary and the routing generated and owned by it.
    const owner = [{ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'reviews', controller: true, blockOwnerDeletion: true }];
    const target_ = withServerDefaults(rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'reviews')!);
    target_.spec.replicas = 0;
    api.put(target_);
    const primary = withServerDefaults(rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'reviews')!);
    primary.metadata = { ...primary.metadata, name: 'reviews-primary', ownerReferences: owner };
    api.put(primary);
    api.put({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'bookinfo', ownerReferences: owner }, spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews-primary' }, weight: 80 }, { destination: { host: 'reviews-canary' }, weight: 20 }] }] } });
    api.put(fluxKustomization(`main@sha1:${made.after}`, { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision' }));
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const withStatus = (status: Obj) => api.put({ ...canary, status });

  async function run(args: string[]) {
    const io = captureIo(repo.work, { KUBECONFIG: api.kubeconfig });
    const code = await main(['--interval', '50ms', '--timeout', '2s', ...args], io);
    return { code, out: io.stdoutText };
  }

  it('follows a rollout that is on the predicted timeline and leaves the pages alone while it moves', async () => {
    withStatus({ phase: 'Progressing', canaryWeight: 20, failedChecks: 0, iterations: 0 });
    const page = await startProductpage({ mix: { anonymous: ['no-stars', 'black-stars'] } });
    try {
      const { code, out } = await run(['workshop', '--url', page.url, '--requests', '5']);
      expect(out).toMatch(/PASS {2}live equals rendered: \d+ objects compared\n/);
      expect(out).toContain('PASS  canary: Canary bookinfo/reviews is Progressing at 20% with 0 failed checks, on the predicted timeline (10% -> 20% -> 30% -> 40% -> 50% -> 0%, 5 min).');
      expect(out).toContain('SKIP  pages: Canary bookinfo/reviews is Progressing at 20%');
      expect(page.served.size).toBe(0);
      expect(code).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('fails a rollback where the prediction promotes', async () => {
    withStatus({ phase: 'Failed', canaryWeight: 0, failedChecks: 5 });
    const { code, out } = await run(['workshop', '--output', 'json']);
    const report = JSON.parse(out);
    expect(code).toBe(1);
    expect(report.canaries).toEqual([
      { name: 'bookinfo/reviews', ok: false, phase: 'Failed', weight: 0, failedChecks: 5, inProgress: false, message: 'Canary bookinfo/reviews failed and was rolled back, where the prediction promotes it.' },
    ]);
    expect(report.live.ok).toBe(true);
    expect(report.live.flaggerOwned).toEqual(['VirtualService bookinfo/reviews', 'Deployment bookinfo/reviews-primary']);
  });
});
