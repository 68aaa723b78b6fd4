// The engine objects: Flux and Argo CD must install the same charts with the same values, in the same
// order, and must not change when the exercise does. Every image and chart version must be pinned.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests, type KubeObject } from '../../tooling/src/lib/manifests.ts';
import { readPointer } from '../../tooling/src/lib/rewriters/pointer.ts';
import { ROOT, kustomizationDirs, named, ofKind, render } from './support.ts';

const APPS = ['istio', 'prometheus', 'kiali', 'flagger'];
// Every cluster folder, as `npm run cluster -- add` leaves them; the seed's two must be among them.
const CLUSTERS = readdirSync(join(ROOT, 'clusters'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'clusters', e.name, 'exercise/kustomization.yaml')))
  .map((e) => e.name)
  .sort();
/** Whether the cluster has that engine's folder (`cluster add --engine` writes one or both). */
const has = (cluster: string, ...engines: string[]) => engines.every((e) => existsSync(join(ROOT, 'clusters', cluster, e)));
const EXERCISE_IDS = readdirSync(join(ROOT, 'exercises')).filter((id) => existsSync(join(ROOT, 'exercises', id, 'exercise.yaml')));
const EXACT_VERSION = /^\d+\.\d+\.\d+$/;

interface HelmReleaseSpec {
  releaseName?: string;
  targetNamespace?: string;
  chart: { spec: { chart: string; version: string; sourceRef: { kind: string; name: string } } };
  values?: unknown;
  dependsOn?: { name: string }[];
}
interface ApplicationSpec {
  project: string;
  source: { repoURL: string; chart?: string; path?: string; targetRevision: string; helm?: { releaseName?: string; valuesObject?: unknown } };
  destination: { server: string; namespace: string };
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } };
}

const specOf = <T>(o: KubeObject | undefined): T => {
  if (!o) throw new Error('object not rendered');
  return o.spec as T;
};

/** One chart installation as each engine describes it, for comparison. */
function fromFlux(objects: KubeObject[]) {
  return ofKind(objects, 'HelmRelease').map((hr) => {
    const spec = specOf<HelmReleaseSpec>(hr);
    const repo = named(objects, 'HelmRepository', spec.chart.spec.sourceRef.name);
    return {
      release: spec.releaseName ?? hr.metadata.name,
      namespace: spec.targetNamespace ?? hr.metadata.namespace,
      repoURL: specOf<{ url: string }>(repo).url,
      chart: spec.chart.spec.chart,
      version: spec.chart.spec.version,
      values: spec.values ?? {},
    };
  });
}

function fromArgo(objects: KubeObject[]) {
  return ofKind(objects, 'Application').map((app) => {
    const spec = specOf<ApplicationSpec>(app);
    return {
      release: spec.source.helm?.releaseName ?? app.metadata.name,
      namespace: spec.destination.namespace,
      repoURL: spec.source.repoURL,
      chart: spec.source.chart,
      version: spec.source.targetRevision,
      values: spec.source.helm?.valuesObject ?? {},
    };
  });
}

const byRelease = <T extends { release: string | undefined }>(list: T[]) =>
  [...list].sort((a, b) => String(a.release).localeCompare(String(b.release)));

describe('Flux and Argo CD install the same charts', () => {
  for (const app of APPS) {
    it(`apps/${app}: same charts, versions, repositories, namespaces and values in both engines`, async () => {
      const [flux, argo] = await Promise.all([render(`apps/${app}/flux`), render(`apps/${app}/argocd`)]);
      const f = byRelease(fromFlux(flux));
      expect(f.length).toBeGreaterThan(0);
      expect(byRelease(fromArgo(argo))).toEqual(f);
    });
  }

  it('notices drift: a changed value on one side makes the comparison fail', async () => {
    const flux = structuredClone(await render('apps/flagger/flux'));
    const argo = await render('apps/flagger/argocd');
    (specOf<HelmReleaseSpec>(named(flux, 'HelmRelease', 'flagger')).values as Record<string, unknown>).meshProvider = 'linkerd';
    expect(fromFlux(flux)).not.toEqual(fromArgo(argo));
  });

  it('points Flagger and Kiali at the Prometheus that apps/prometheus deploys', async () => {
    const prom = fromFlux(await render('apps/prometheus/flux'))[0];
    const server = (prom?.values as { server: { fullnameOverride: string; service: { servicePort: number } } }).server;
    const address = `http://${server.fullnameOverride}.${prom?.namespace}:${server.service.servicePort}`;
    const flagger = fromFlux(await render('apps/flagger/flux'))[0]?.values as Record<string, unknown>;
    expect(flagger).toMatchObject({ meshProvider: 'istio', metricsServer: address });
    const kiali = fromFlux(await render('apps/kiali/flux'))[0]?.values as { external_services: { prometheus: { url: string } } };
    expect(kiali.external_services.prometheus.url).toBe(address);
  });

  it('labels the ingress gateway the way the Bookinfo Gateway selects it', async () => {
    const gateway = fromFlux(await render('apps/istio/flux')).find((r) => r.chart === 'gateway');
    const selector = (named(await render('apps/bookinfo/base'), 'Gateway', 'bookinfo-gateway')?.spec as { selector: Record<string, string> }).selector;
    expect(selector).toEqual({ istio: 'ingressgateway' });
    expect((gateway?.values as { labels: Record<string, string> }).labels).toMatchObject(selector);
  });

  it('opens every Bookinfo Gateway port on the ingress gateway\u2019s Service, in both engines', async () => {
    // The `gateway` chart's default `service.ports` (status 15021, http2 80, https 443), used when the
    // values leave them out. Istio binds a Gateway server only on a port of the selected gateway Service.
    const CHART_DEFAULT_PORTS = [15021, 80, 443];
    const servicePorts = (values: unknown) =>
      (values as { service?: { ports?: { port: number }[] } }).service?.ports?.map((p) => p.port) ?? CHART_DEFAULT_PORTS;
    const gatewayPorts = (objects: KubeObject[]) =>
      ofKind(objects, 'Gateway').flatMap((g) => (g.spec as { servers: { port: { number: number } }[] }).servers.map((s) => s.port.number));
    const bookinfo = gatewayPorts(await render('apps/bookinfo/base'));
    expect(bookinfo.length).toBeGreaterThan(0);
    const [flux, argo] = await Promise.all([render('apps/istio/flux'), render('apps/istio/argocd')]);
    const gateways = [...fromFlux(flux), ...fromArgo(argo)].filter((r) => r.chart === 'gateway');
    expect(gateways).toHaveLength(2);
    for (const release of gateways) {
      for (const port of bookinfo) expect(servicePorts(release.values), `Gateway port ${port} on ${release.release}`).toContain(port);
    }
  });

  it('orders the Istio releases base -> istiod -> gateway in Flux', async () => {
    const flux = await render('apps/istio/flux');
    const deps = Object.fromEntries(
      ofKind(flux, 'HelmRelease').map((hr) => [hr.metadata.name, specOf<HelmReleaseSpec>(hr).dependsOn?.map((d) => d.name) ?? []]),
    );
    expect(deps).toEqual({ 'istio-base': [], istiod: ['istio-base'], 'istio-ingressgateway': ['istiod'] });
  });
});

it('covers the seed\u2019s clusters', () => {
  expect(CLUSTERS).toEqual(expect.arrayContaining(['workshop', 'workshop-b']));
});

describe.each(CLUSTERS)('cluster %s', (cluster) => {
  it('has the folder of at least one engine', () => {
    expect(has(cluster, 'flux') || has(cluster, 'argocd')).toBe(true);
  });

  it('has a pointer file whose one line names an exercise, explained by a leading comment', () => {
    const file = `clusters/${cluster}/exercise/kustomization.yaml`;
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text.startsWith('#')).toBe(true);
    expect(text).toContain('npm run promote');
    // Promotions move it, so any exercise of the catalog is right; the seed starts every cluster at baseline.
    expect(EXERCISE_IDS).toContain(readPointer(text, file).exerciseId);
  });

  if (has(cluster, 'flux')) it('chains the Flux Kustomizations istio -> mesh-addons / bookinfo -> exercise', async () => {
    const objects = await render(`clusters/${cluster}/flux`);
    expect(ofKind(objects, 'GitRepository').map((g) => g.metadata.name)).toEqual(['flux-system']);
    type KsSpec = { path: string; prune: boolean; dependsOn?: { name: string }[]; sourceRef: { name: string } };
    const ks: Record<string, KsSpec> = Object.fromEntries(ofKind(objects, 'Kustomization').map((k) => [k.metadata.name, specOf<KsSpec>(k)]));
    const deps = (name: string) => (ks[name]?.dependsOn ?? []).map((d) => d.name).sort();
    expect(deps('istio')).toEqual([]);
    expect(deps('mesh-addons')).toEqual(['istio']);
    expect(deps('bookinfo')).toEqual(['istio']);
    expect(deps('exercise')).toEqual(['bookinfo', 'mesh-addons']);
    expect(ks.istio?.path).toBe('./apps/istio/flux');
    expect(ks.bookinfo?.path).toBe('./apps/bookinfo/namespace');
    expect(ks.exercise?.path).toBe(`./clusters/${cluster}/exercise`);
    expect(ks.exercise?.prune).toBe(true);
    // mesh-addons must cover the three add-on apps.
    const addons = await render(ks['mesh-addons']?.path.replace(/^\.\//, '') ?? '');
    expect(ofKind(addons, 'HelmRelease').map((h) => h.metadata.name).sort()).toEqual(['flagger', 'kiali', 'prometheus']);
    for (const k of Object.values(ks)) {
      expect(k.sourceRef.name).toBe('flux-system');
      expect(kustomizationDirs(k.path.replace(/^\.\//, '').split('/')[0] ?? '')).toContain(k.path.replace(/^\.\//, ''));
    }
  });

  if (has(cluster, 'argocd')) it('orders the Argo CD Applications by sync wave: Istio, add-ons, bookinfo, exercise last', async () => {
    const objects = await render(`clusters/${cluster}/argocd`);
    const apps = ofKind(objects, 'Application').filter((a) => a.metadata.name !== 'workshop');
    const wave = (name: string) => Number(named(apps, 'Application', name)?.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    const istio = ['istio-base', 'istiod', 'istio-ingressgateway'].map(wave);
    const addons = ['prometheus', 'kiali', 'flagger'].map(wave);
    expect(istio).toEqual([...istio].sort((a, b) => a - b));
    expect(Math.max(...istio)).toBeLessThan(Math.min(...addons));
    expect(wave('prometheus')).toBeLessThan(wave('flagger'));
    expect(Math.max(...addons)).toBeLessThan(wave('bookinfo'));
    const last = Math.max(...apps.map((a) => wave(a.metadata.name ?? '')));
    expect(wave('exercise')).toBe(last);
    expect(apps.filter((a) => wave(a.metadata.name ?? '') === last).map((a) => a.metadata.name)).toEqual(['exercise']);

    const exercise = specOf<ApplicationSpec>(named(apps, 'Application', 'exercise'));
    expect(exercise.source.path).toBe(`clusters/${cluster}/exercise`);
    expect(exercise.destination.namespace).toBe('bookinfo');
    expect(exercise.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true });
    expect(specOf<ApplicationSpec>(named(apps, 'Application', 'bookinfo')).source.path).toBe('apps/bookinfo/namespace');
    expect(specOf<ApplicationSpec>(named(objects, 'Application', 'workshop')).source.path).toBe(`clusters/${cluster}/argocd`);

    const projects = ofKind(objects, 'AppProject').map((p) => p.metadata.name);
    for (const app of ofKind(objects, 'Application')) expect(projects).toContain(specOf<ApplicationSpec>(app).project);
  });

  if (has(cluster, 'argocd')) it('bootstraps Argo CD with only the project and the app of apps, which then owns the rest', async () => {
    const bootstrap = await render(`clusters/${cluster}/argocd/bootstrap`);
    expect(bootstrap.map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual(['AppProject workshop', 'Application workshop']);
    // The app of apps syncs the whole folder, bootstrap included, so nothing applied by hand drifts.
    const all = await render(`clusters/${cluster}/argocd`);
    for (const o of bootstrap) expect(all).toContainEqual(o);
    expect(specOf<ApplicationSpec>(named(bootstrap, 'Application', 'workshop')).source.path).toBe(`clusters/${cluster}/argocd`);
  });

  if (has(cluster, 'argocd')) it('ships the argocd-cm Application health check that makes sync waves wait', () => {
    const file = `clusters/${cluster}/argocd/bootstrap/argocd-cm-health.yaml`;
    const { resources, findings } = parseManifests(readFileSync(join(ROOT, file), 'utf8'), file);
    expect(findings).toEqual([]);
    expect(resources.map((r) => r.object)).toMatchObject([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' } }]);
    const data = (resources[0]?.object.data ?? {}) as Record<string, string>;
    // Only the one key: the file is merged into the live argocd-cm and must not reset other settings.
    expect(Object.keys(data)).toEqual(['resource.customizations.health.argoproj.io_Application']);
    const lua = data['resource.customizations.health.argoproj.io_Application'] ?? '';
    expect(lua).toMatch(/status\s*=\s*"Progressing"/); // not yet reported: keep the next wave waiting
    expect(lua).toMatch(/hs\.status\s*=\s*obj\.status\.health\.status/);
    expect(lua.trim().split('\n').at(-1)?.trim()).toBe('return hs');
  });

  if (has(cluster, 'flux', 'argocd')) it('reads the same Git repository in both engines, allowed by the Argo CD project', async () => {
    const [flux, argo] = await Promise.all([render(`clusters/${cluster}/flux`), render(`clusters/${cluster}/argocd`)]);
    const url = specOf<{ url: string }>(named(flux, 'GitRepository', 'flux-system')).url;
    const gitApps = ofKind(argo, 'Application').filter((a) => specOf<ApplicationSpec>(a).source.path !== undefined);
    expect(gitApps.length).toBe(3);
    for (const app of gitApps) expect(specOf<ApplicationSpec>(app).source.repoURL).toBe(url);
    const repos = specOf<{ sourceRepos: string[] }>(ofKind(argo, 'AppProject')[0]).sourceRepos;
    for (const app of ofKind(argo, 'Application')) expect(repos).toContain(specOf<ApplicationSpec>(app).source.repoURL);
  });

  it('keeps the engine objects free of exercise ids, so promotion only ever changes the pointer', async () => {
    for (const engine of ['flux', 'argocd'].filter((e) => has(cluster, e))) {
      const text = JSON.stringify(await render(`clusters/${cluster}/${engine}`));
      expect(text).not.toMatch(/exercises\//);
    }
  });
});

describe('pinning', () => {
  const ALL = ['apps', 'exercises', 'clusters'].flatMap((top) => kustomizationDirs(top));

  function images(o: KubeObject): string[] {
    const template = (o.spec as { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } })?.template;
    return [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])].map((c) => c.image);
  }

  it('pins every container image to a real tag (never latest, never untagged)', async () => {
    let seen = 0;
    for (const dir of ALL) {
      for (const o of await render(dir)) {
        for (const image of images(o)) {
          seen++;
          expect(image, `${dir}: ${o.kind} ${o.metadata.name}`).toMatch(/^[\w.-]+(?:\/[\w.-]+)+:(?!latest$)[\w][\w.-]*$|@sha256:[0-9a-f]{64}$/);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('uses one Bookinfo release for every Bookinfo image', async () => {
    const tags = new Set<string>();
    for (const dir of ALL.filter((d) => d.startsWith('exercises/') || d.startsWith('apps/bookinfo'))) {
      for (const o of await render(dir)) {
        for (const image of images(o).filter((i) => i.includes('examples-bookinfo-'))) tags.add(image.split(':')[1] ?? '');
      }
    }
    expect([...tags]).toEqual(['1.20.3']);
  });

  it('pins every chart to an exact version (no ranges, no wildcards)', async () => {
    let seen = 0;
    for (const dir of ALL) {
      for (const o of await render(dir)) {
        if (o.kind === 'HelmRelease') {
          seen++;
          expect(specOf<HelmReleaseSpec>(o).chart.spec.version, `${dir}: HelmRelease ${o.metadata.name}`).toMatch(EXACT_VERSION);
        }
        if (o.kind === 'Application' && specOf<ApplicationSpec>(o).source.chart) {
          seen++;
          expect(specOf<ApplicationSpec>(o).source.targetRevision, `${dir}: Application ${o.metadata.name}`).toMatch(EXACT_VERSION);
        }
      }
    }
    expect(seen).toBeGreaterThanOrEqual(12);
  });

  it('installs the three Istio charts at one version', async () => {
    const versions = new Set(fromFlux(await render('apps/istio/flux')).map((r) => r.version));
    expect(versions.size).toBe(1);
  });
});
