// Stand-ins for `npm run verify`'s tests, all on 127.0.0.1:
// - a Kubernetes API server over TLS (a throw-away self-signed certificate made with openssl, handed to the
//   client as the kubeconfig's certificate-authority-data) that answers the paths the official client calls for
//   get and list as the API server does: the object or a `v1 Status` 404 (`reason: NotFound`) for a known kind,
//   a plain-text `404 page not found` for a group/version it does not serve (a CRD that is not installed),
//   list responses `<Kind>List` with `metadata.resourceVersion` (built-in kinds' items without apiVersion/kind,
//   as the API server returns them), and 401 without the kubeconfig's bearer token;
// - Bookinfo's product page with a configurable mix of outcomes per user, delays per outcome, and the login form
//   that sets a session cookie the way Flask does (302 to the referrer);
// - a real git repository (and bare origin) holding this repository's apps/, clusters/ and exercises/.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import yaml from 'js-yaml';
import type { Outcome } from '../../tooling/src/lib/exercises.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';
import { ROOT } from '../gitops/support.ts';

// Test objects are read and written deep inside (spec.http[0].route...), so they are loosely typed on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** kind -> (group, plural, listKind, builtIn) for the kinds the stand-in serves. */
const SERVED: Record<string, { group: string; versions: string[]; kind: string; builtIn: boolean }> = {
  kustomizations: { group: 'kustomize.toolkit.fluxcd.io', versions: ['v1'], kind: 'Kustomization', builtIn: false },
  applications: { group: 'argoproj.io', versions: ['v1alpha1'], kind: 'Application', builtIn: false },
  virtualservices: { group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'VirtualService', builtIn: false },
  destinationrules: { group: 'networking.istio.io', versions: ['v1', 'v1beta1', 'v1alpha3'], kind: 'DestinationRule', builtIn: false },
  deployments: { group: 'apps', versions: ['v1'], kind: 'Deployment', builtIn: true },
  canaries: { group: 'flagger.app', versions: ['v1beta1'], kind: 'Canary', builtIn: false },
};

export interface KubeApi {
  server: string;
  kubeconfig: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Replace, add (`put`) or remove objects; a function is called per request (a status that changes over time). */
  put(object: Obj | (() => Obj)): void;
  remove(kind: string, namespace: string, name: string): void;
  /** Groups the stand-in pretends are not installed (their paths answer `404 page not found`). */
  uninstalled: Set<string>;
  close(): Promise<void>;
}

const TOKEN = 'stand-in-token';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, plural: string, group: string, name: string): void {
  send(res, 404, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${plural}${group ? `.${group}` : ''} "${name}" not found`,
    reason: 'NotFound',
    details: { name, group, kind: plural },
    code: 404,
  });
}

export async function startKubeApi(dir: string): Promise<KubeApi> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const objects = new Map<string, Obj | (() => Obj)>();
  const requests: string[] = [];
  const uninstalled = new Set<string>();
  const keyOf = (plural: string, namespace: string, name: string) => `${plural}/${namespace}/${name}`;
  const pluralOf = (kind: string) => Object.entries(SERVED).find(([, s]) => s.kind === kind)?.[0];
  const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      send(res, 401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      return;
    }
    const m = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const served = m ? SERVED[m[4]!] : undefined;
    if (req.method !== 'GET' || !m || !served || served.group !== m[1] || !served.versions.includes(m[2]!) || uninstalled.has(m[1]!)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
      return;
    }
    const [, group, version, namespace, plural, name] = m as unknown as string[];
    const materialise = (o: Obj | (() => Obj)) => (typeof o === 'function' ? o() : o);
    if (name) {
      const found = objects.get(keyOf(plural!, namespace!, name));
      if (!found) return notFound(res, plural!, group!, name);
      return send(res, 200, { ...materialise(found), apiVersion: `${group}/${version}` });
    }
    const items = [...objects.entries()]
      .filter(([k]) => k.startsWith(`${plural}/${namespace}/`))
      .map(([, o]) => {
        const { apiVersion: _a, kind: _k, ...rest } = materialise(o);
        return served.builtIn ? rest : { apiVersion: `${group}/${version}`, kind: served.kind, ...rest };
      });
    send(res, 200, { apiVersion: `${group}/${version}`, kind: `${served.kind}List`, metadata: { resourceVersion: '4242' }, items });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: url, 'certificate-authority-data': Buffer.from(await readFile(cert)).toString('base64') } }],
      users: [{ name: 'facilitator', user: { token: TOKEN } }, { name: 'nobody', user: {} }],
      contexts: [
        { name: 'workshop', context: { cluster: 'stand-in', user: 'facilitator' } },
        { name: 'no-token', context: { cluster: 'stand-in', user: 'nobody' } },
      ],
      'current-context': 'workshop',
    }),
  );
  const putObject = (o: Obj | (() => Obj)) => {
    const sample = typeof o === 'function' ? o() : o;
    const plural = pluralOf(sample.kind);
    if (!plural) throw new Error(`stand-in does not serve ${sample.kind}`);
    objects.set(keyOf(plural, sample.metadata.namespace, sample.metadata.name), o);
  };
  return {
    server: url,
    kubeconfig,
    requests,
    uninstalled,
    put: putObject,
    remove: (kind, namespace, name) => objects.delete(keyOf(pluralOf(kind)!, namespace, name)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the API server adds to a Deployment the render leaves out, so the comparison must ignore defaults. */
export function withServerDefaults(object: Obj): Obj {
  const o = structuredClone(object);
  o.metadata = { ...o.metadata, uid: `uid-${o.metadata.name}`, resourceVersion: '7', generation: 1, creationTimestamp: '2026-12-06T09:00:00Z', annotations: { ...o.metadata.annotations, 'kustomize.toolkit.fluxcd.io/checksum': 'x' } };
  if (o.kind === 'Deployment') {
    o.spec = { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...o.spec };
    o.spec.template.spec = { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30, securityContext: {}, ...o.spec.template.spec };
    o.spec.template.spec.containers = o.spec.template.spec.containers.map((c: Obj) => ({
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
      resources: {},
      ...c,
      ...(c.ports ? { ports: c.ports.map((p: Obj) => ({ protocol: 'TCP', ...p })) } : {}),
    }));
    o.status = { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1 };
  }
  return o;
}

/** Flux's Kustomization as kustomize-controller reports it (kustomize.toolkit.fluxcd.io/v1 status). */
export function fluxKustomization(revision: string, ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string }, attempted = revision): Obj {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'exercise', namespace: 'flux-system', generation: 3 },
    spec: { interval: '5m', path: './clusters/workshop/exercise', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    status: {
      observedGeneration: 3,
      lastAppliedRevision: revision,
      lastAttemptedRevision: attempted,
      conditions: [{ type: 'Ready', status: ready.status, reason: ready.reason, message: ready.message, observedGeneration: 3, lastTransitionTime: '2026-12-06T09:00:00Z' }],
      inventory: { entries: [] },
    },
  };
}

/** Argo CD's Application as the application controller reports it (argoproj.io/v1alpha1 status). */
export function argoApplication(revision: string, sync: string, health: string, healthMessage?: string): Obj {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'exercise', namespace: 'argocd', generation: 5 },
    spec: { project: 'workshop', source: { repoURL: 'https://github.com/example-org/mesh-workshop-gitops.git', path: 'clusters/workshop/exercise', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'bookinfo' } },
    status: {
      sync: { status: sync, revision, comparedTo: { source: { path: 'clusters/workshop/exercise', targetRevision: 'main' } } },
      health: { status: health, ...(healthMessage ? { message: healthMessage } : {}) },
      operationState: { phase: 'Succeeded', message: 'successfully synced (all tasks run)', syncResult: { revision } },
      reconciledAt: '2026-12-06T09:00:00Z',
    },
  };
}

export interface Productpage {
  url: string;
  /** Page loads served, per user ('' for anonymous). */
  served: Map<string, number>;
  close(): Promise<void>;
}

export interface PageMix {
  /** Per user ('anonymous' or a name): the outcomes to serve, in turn (a deterministic mix). */
  mix: Record<string, Outcome[]>;
}

const STAR = '<svg class="h-5 w-5 flex-none" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><path d="M10 2z"/></svg>';

/** A page shaped like Bookinfo's Tailwind productpage.html for one outcome. */
export function bookinfoPage(outcome: Outcome, user: string | undefined): string {
  const nav = user
    ? `<div class="ml-4"><p class="text-base font-medium text-gray-50">${user}</p><a href="logout" class="text-xs">Sign out</a></div>`
    : '<button type="button" id="sign-in-button" class="rounded-md">Sign in</button>';
  const details = outcome === 'details-error'
    ? '<p class="text-2xl text-red-500">Error fetching product details</p><p class="text-lg text-gray-600">Sorry, product details are currently unavailable for this book.</p>'
    : '<h4 class="text-3xl font-semibold">Book Details</h4><table><tr><td>1234567890</td></tr></table>';
  const rating = (n: number) =>
    outcome === 'black-stars' || outcome === 'red-stars'
      ? `<div class="flex gap-x-1 text-${outcome === 'red-stars' ? 'red' : 'black'}-500">${STAR.repeat(n)}</div>`
      : outcome === 'ratings-unavailable'
        ? '<p class="text-red-500">Ratings service is currently unavailable</p>'
        : '';
  const reviews = outcome === 'reviews-error'
    ? '<p class="text-2xl text-red-500">Error fetching product reviews</p><p class="text-lg text-gray-600">Sorry, product reviews are currently unavailable for this book.</p>'
    : `<h4 class="text-3xl font-semibold">Book Reviews</h4><section>${rating(5)}<blockquote><p>"An extremely entertaining play by Shakespeare."</p></blockquote></section><section>${rating(4)}<blockquote><p>"Absolutely fun and entertaining."</p></blockquote></section>`;
  return `<meta charset="utf-8">\n<title>Simple Bookstore App</title>\n<nav class="bg-gray-800">${nav}</nav>\n<form method="post" action='login' name="login_form"><input id="username" name="username"><input id="password" name="passwd" type="password"></form>\n<h1 class="text-5xl">The Comedy of Errors</h1>\n<div class="flow-root">${details}</div>\n<div class="max-w-2xl">${reviews}</div>\n`;
}

export async function startProductpage(config: PageMix): Promise<Productpage> {
  const served = new Map<string, number>();
  const sessions = new Map<string, string>();
  let nextSession = 0;
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cookies = Object.fromEntries((req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=') as [string, string]).filter(([k]) => k));
    if (req.method === 'POST' && url.pathname === '/login') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const user = new URLSearchParams(body).get('username') ?? '';
        const id = `s${++nextSession}`;
        sessions.set(id, user);
        // Flask's redirect(request.referrer) plus its signed session cookie.
        res.writeHead(302, { location: req.headers.referer ?? '/', 'set-cookie': `session=${id}; HttpOnly; Path=/` });
        res.end();
      });
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/productpage') {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<title>404 Not Found</title><h1>Not Found</h1>');
      return;
    }
    const user = cookies.session ? sessions.get(cookies.session) : undefined;
    const who = user ?? 'anonymous';
    const mix = config.mix[who] ?? config.mix.anonymous ?? ['no-stars'];
    const count = served.get(who) ?? 0;
    served.set(who, count + 1);
    const outcome = mix[count % mix.length]!;
    if (outcome === 'page-error') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('no healthy upstream');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(bookinfoPage(outcome, user));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/productpage`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A clone of this repository's GitOps folders, pushed to its bare origin in two commits: `clusters/workshop` at
 * baseline, then the promotion to `exercise`. Returns the repository and both commits.
 */
export async function verifyRepo(exercise: string): Promise<{ repo: TestRepo; before: string; after: string }> {
  const stage = await mkdtemp(join(tmpdir(), 'verify-stage-'));
  for (const dir of ['apps', 'clusters', 'exercises']) await cp(join(ROOT, dir), join(stage, dir), { recursive: true });
  const pointer = 'clusters/workshop/exercise/kustomization.yaml';
  const setPointer = async (root: string, id: string) => {
    const file = join(root, pointer);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/exercises\/[a-z0-9-]+/, `exercises/${id}`));
  };
  await setPointer(stage, 'baseline');
  const repo = await createTestRepo(stage);
  await rm(stage, { recursive: true, force: true });
  const before = await repo.git(['rev-parse', 'HEAD']);
  await setPointer(repo.work, exercise);
  await repo.git(['commit', '--quiet', '-am', `Promote workshop to ${exercise} (#7)`]);
  await repo.git(['push', '--quiet', 'origin', 'main']);
  return { repo, before, after: await repo.git(['rev-parse', 'HEAD']) };
}
