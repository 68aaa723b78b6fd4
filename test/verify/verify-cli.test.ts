// `npm run verify` end to end: the official Kubernetes client against a stand-in API server over TLS, a real
// git repository with a bare origin, the real kustomize render and simulator, and a stand-in product page.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../tooling/src/cli/verify.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { renderTarget, resolveTarget } from '../../tooling/src/lib/targets.ts';
import type { TestRepo } from '../helpers/git-repo.ts';
import { startGitHubStandIn } from '../helpers/github-stand-in.ts';
import { captureIo } from '../helpers/io.ts';
import { argoApplication, fluxKustomization, startKubeApi, startProductpage, verifyRepo, withServerDefaults, type KubeApi, type Obj } from './support.ts';

const SERVED_KINDS = new Set(['VirtualService', 'DestinationRule', 'Deployment', 'Canary']);

async function renderedObjects(root: string): Promise<Obj[]> {
  const target = await resolveTarget(root, 'workshop');
  return parseManifests(await renderTarget(root, target), target.dir).resources.map((r) => r.object as Obj).filter((o) => SERVED_KINDS.has(o.kind));
}

const READY = { status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:x' } as const;

describe('npm run verify', () => {
  let dir: string;
  let api: KubeApi;
  let repo: TestRepo;
  let before: string;
  let after: string;
  let live: Obj[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-cli-'));
    api = await startKubeApi(dir);
    ({ repo, before, after } = await verifyRepo('route-jason'));
    live = await renderedObjects(repo.work);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** The cluster as the engine leaves it after applying the render, with the API server's defaults. */
  function clusterRunsRender(): void {
    for (const o of live) api.put(withServerDefaults(o));
  }

  async function run(args: string[], fetchImpl?: typeof fetch, env: NodeJS.ProcessEnv = {}) {
    const io = captureIo(repo.work, { KUBECONFIG: api.kubeconfig, ...env });
    const code = await main(['--interval', '50ms', '--timeout', '400ms', ...args], io, fetchImpl ? { fetch: fetchImpl } : {});
    return { code, out: io.stdoutText, err: io.stderrText };
  }

  it('waits until Flux reports the pointer commit applied and Ready, with progress, then passes', async () => {
    clusterRunsRender();
    let polls = 0;
    api.put(() => {
      polls += 1;
      return polls <= 2
        ? fluxKustomization(`main@sha1:${before}`, { status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' }, `main@sha1:${after}`)
        : fluxKustomization(`main@sha1:${after}`, READY);
    });
    const { code, out, err } = await run(['workshop', '--timeout', '10s']);
    expect(err).toContain(`status.lastAppliedRevision ${before.slice(0, 12)} does not contain the pointer commit ${after.slice(0, 12)} yet`);
    expect(err).toContain('Ready is Unknown (Progressing: Reconciliation in progress)');
    expect(out).toContain(`PASS  synced: Kustomization flux-system/exercise applied ${after.slice(0, 12)}`);
    expect(out).toMatch(/PASS {2}live equals rendered: \d+ objects compared\n/);
    expect(out).toContain('SKIP  page checks: no --url');
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(code).toBe(0);
    // Only reads, through the generic paths, with list for the compared kinds.
    expect(api.requests.every((r) => r.startsWith('GET /apis/'))).toBe(true);
    expect(api.requests).toContain('GET /apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices');
    expect(api.requests).toContain('GET /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/exercise');
  });

  it('times out naming every unmet condition when the Kustomization is stuck', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${before}`, { status: 'False', reason: 'ReconciliationFailed', message: 'VirtualService/bookinfo/reviews dry-run failed: admission webhook denied' }, `main@sha1:${after}`));
    const { code, out } = await run(['workshop', '--output', 'json']);
    const report = JSON.parse(out);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.sync.ok).toBe(false);
    expect(report.sync.message).toMatch(/^Timed out after \d+s waiting for Kustomization flux-system\/exercise to apply [0-9a-f]{12}: /);
    expect(report.sync.unmet).toEqual([
      `status.lastAppliedRevision ${before.slice(0, 12)} does not contain the pointer commit ${after.slice(0, 12)} yet`,
      'Ready is False (ReconciliationFailed: VirtualService/bookinfo/reviews dry-run failed: admission webhook denied)',
    ]);
    expect(report.live).toBeUndefined();
    expect(report.skipped).toEqual(['live, canary and page checks: the engine has not applied the pointer commit']);
  });

  it('reads Argo CD when Flux is not installed, and waits for Synced and Healthy', async () => {
    clusterRunsRender();
    api.remove('Kustomization', 'flux-system', 'exercise');
    api.uninstalled.add('kustomize.toolkit.fluxcd.io');
    try {
      api.put(argoApplication(after, 'OutOfSync', 'Progressing', 'Waiting for rollout to finish: 0 of 1 updated replicas are available...'));
      const stuck = await run(['workshop']);
      expect(stuck.code).toBe(1);
      expect(stuck.out).toContain('unmet: status.sync.status is OutOfSync, not Synced');
      expect(stuck.out).toContain('unmet: status.health.status is Progressing, not Healthy (Waiting for rollout to finish: 0 of 1 updated replicas are available...)');
      expect(stuck.out).not.toContain('status.sync.revision');

      api.put(argoApplication(after, 'Synced', 'Healthy'));
      const synced = await run(['workshop']);
      expect(synced.out).toContain(`PASS  synced: Application argocd/exercise applied ${after.slice(0, 12)}`);
      expect(synced.code).toBe(0);
    } finally {
      api.uninstalled.delete('kustomize.toolkit.fluxcd.io');
      api.remove('Application', 'argocd', 'exercise');
    }
  });

  it('fails when neither engine object exists', async () => {
    const { code, out } = await run(['workshop']);
    expect(code).toBe(1);
    expect(out).toContain('FAIL  synced: Neither Kustomization flux-system/exercise or Application argocd/exercise exists on context workshop.');
  });

  it('lists live differences from the render and leftovers of the previous exercise', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${after}`, READY));
    const reviews = withServerDefaults(live.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews')!);
    reviews.spec.http[0].route[0].destination.subset = 'v3';
    api.put(reviews);
    api.put({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ratings-old', namespace: 'bookinfo', labels: { 'kustomize.toolkit.fluxcd.io/name': 'exercise', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } },
      spec: { hosts: ['ratings'], http: [{ fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: [{ destination: { host: 'ratings', subset: 'v1' } }] }] },
    });
    const productpage = live.find((o) => o.kind === 'Deployment' && o.metadata.name === 'productpage-v1')!;
    api.remove('Deployment', 'bookinfo', productpage.metadata.name);
    try {
      const { code, out } = await run(['workshop']);
      expect(code).toBe(1);
      expect(out).toMatch(/FAIL {2}live equals rendered: \d+ objects compared, 3 problem\(s\)/);
      expect(out).toContain('missing: Deployment bookinfo/productpage-v1');
      expect(out).toMatch(/differs: VirtualService bookinfo\/reviews spec\.http\[0\]\.route\[0\]\.destination\.subset: rendered "v\d", live "v3"/);
      expect(out).toContain('leftover: VirtualService bookinfo/ratings-old (applied by Kustomization flux-system/exercise; not in the render)');
    } finally {
      api.remove('VirtualService', 'bookinfo', 'ratings-old');
      clusterRunsRender();
    }
  });

  it('passes when each user sees the predicted mix', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${after}`, READY));
    const page = await startProductpage({ mix: { anonymous: ['no-stars'], jason: ['black-stars'] } });
    try {
      const { code, out } = await run(['workshop', '--url', page.url, '--requests', '30']);
      expect(out).toContain('PASS  pages at');
      expect(out).toMatch(/anonymous: 30 pages, p = 1\.00\n +no-stars +observed +30 \( {2}100%\) +predicted +100%/);
      expect(out).toMatch(/jason: 30 pages, p = 1\.00\n +black-stars +observed +30/);
      expect(code).toBe(0);
      expect(page.served.get('anonymous')).toBe(30);
      expect(page.served.get('jason')).toBe(30);
    } finally {
      await page.close();
    }
  });

  it('fails naming the user and the outcome when 50/50 is served where 100% reviews v1 is predicted', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${after}`, READY));
    const page = await startProductpage({ mix: { anonymous: ['no-stars', 'red-stars'], jason: ['black-stars'] } });
    try {
      const { code, out } = await run(['workshop', '--url', page.url, '--requests', '40', '--output', 'json']);
      const report = JSON.parse(out);
      expect(code).toBe(1);
      const anonymous = report.traffic.users.find((u: Obj) => u.user === null);
      expect(anonymous.ok).toBe(false);
      expect(anonymous.failures).toEqual([
        'anonymous: red-stars on 20 of 40 pages (50%), predicted 0%; exact multinomial test p = 0.00 < 0.005',
      ]);
      expect(report.traffic.users.find((u: Obj) => u.user === 'jason').ok).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('fails when signing in does not make the page show the user', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${after}`, READY));
    const page = await startProductpage({ mix: { anonymous: ['no-stars'], jason: ['black-stars'] } });
    // A gateway that drops cookies: the browser's session never reaches productpage.
    const dropCookies: typeof fetch = (input, init) => fetch(input, { ...init, headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).filter(([k]) => k !== 'cookie')) });
    try {
      const { code, out } = await run(['workshop', '--url', page.url, '--requests', '5'], dropCookies);
      expect(code).toBe(1);
      expect(out).toContain('FAIL jason: signing in as jason did not take: the page shows nobody signed in');
    } finally {
      await page.close();
    }
  });

  it('puts the result on the merged pull request with --comment, and edits it on a re-run', async () => {
    clusterRunsRender();
    api.put(fluxKustomization(`main@sha1:${after}`, READY));
    const github = await startGitHubStandIn({ owner: 'owner', repo: 'repo', token: 'ghs_verify' });
    github.pullsByCommit.set(after, [{ number: 7, merged_at: '2026-12-06T09:00:00Z', merge_commit_sha: after }]);
    const env = { GITHUB_TOKEN: 'ghs_verify', GITHUB_REPOSITORY: 'owner/repo', GITHUB_API_URL: github.url };
    try {
      const first = await run(['workshop', '--revision', after, '--comment'], undefined, env);
      expect(first.code).toBe(0);
      expect(first.err).toContain('comment: created (pull request #7)');
      const [comment] = github.comments.get(7) ?? [];
      expect(comment?.body).toBe(`<!-- mesh-workshop:verify:workshop -->\n### Verify \`workshop\`: passed\n\nCluster \`workshop\` runs exercise \`route-jason\`; \`npm run verify\` passed.\n\n\`\`\`text\n${first.out.trimEnd()}\n\`\`\`\n`);
      const again = await run(['workshop', '--revision', after, '--comment'], undefined, env);
      expect(again.err).toContain('comment: unchanged (pull request #7)');
      expect(github.comments.get(7)).toHaveLength(1);
      expect(github.requests.every((r) => r.authorization === 'token ghs_verify')).toBe(true);
      expect(first.out + first.err).not.toContain('ghs_verify');
      // --comment needs the merge commit's full SHA and a token, checked before any waiting.
      expect((await run(['workshop', '--comment'], undefined, env)).code).toBe(2);
      expect((await run(['workshop', '--revision', after, '--comment'])).code).toBe(2);
    } finally {
      await github.close();
    }
  });

  it('reports a refused request with the permissions it needs', async () => {
    const { code, err } = await run(['workshop', '--context', 'no-token']);
    expect(code).toBe(1);
    expect(err).toMatch(/error: The cluster refused to get Kustomization flux-system\/exercise \(HTTP 401\) on context no-token \(https:\/\/127\.0\.0\.1:\d+\): Unauthorized/);
    expect(err).toContain('hint: verify only reads');
  });

  it('says so when there is no kubeconfig at all', async () => {
    const io = captureIo(repo.work, { HOME: dir, KUBECONFIG: '' });
    expect(await main(['workshop'], io)).toBe(1);
    expect(io.stderrText).toBe('error: No kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist.\nhint: Point KUBECONFIG at the kubeconfig of the workshop cluster (kind, k3d and the cloud CLIs write one), e.g. KUBECONFIG=~/.kube/workshop npm run verify.');
  });

  it('rejects wrong usage with exit code 2', async () => {
    expect((await run(['workshop', '--timeout', 'soon'])).code).toBe(2);
    expect((await run(['workshop', '--requests', '0'])).code).toBe(2);
    expect((await run(['workshop', '--url', 'ftp://x/productpage'])).code).toBe(2);
    const unknown = await run(['workshopp']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('error: Unknown cluster "workshopp". Did you mean "workshop"?');
    const missing = await run(['workshop', '--context', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('No context "nope" in the kubeconfig.');
    expect(missing.err).toContain('Contexts: workshop, no-token.');
  });
});
