// Test helpers for the GitOps content: render a folder with the real kustomize binary, and a tiny
// first-match evaluator that says where Istio sends one request, so routing tests read as tables.
import { readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kustomizeBuild } from '../../tooling/src/lib/kustomize.ts';
import { parseManifests, type KubeObject } from '../../tooling/src/lib/manifests.ts';

/**
 * The repository the GitOps tests read: this one, or WORKSHOP_ROOT (test/catalog runs the catalog-reading
 * tests on a copy with an added exercise, to show they need no edit when the catalog grows).
 */
export const ROOT = process.env.WORKSHOP_ROOT ?? fileURLToPath(new URL('../../', import.meta.url));

/** Repository-relative folders under `top` that hold a kustomization.yaml, sorted. */
export function kustomizationDirs(top: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    if (existsSync(join(abs, 'kustomization.yaml'))) found.push(relative(ROOT, abs));
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(join(abs, entry.name));
    }
  };
  walk(join(ROOT, top));
  return found.sort();
}

const cache = new Map<string, Promise<KubeObject[]>>();

/**
 * `kustomize build` of a repository-relative folder, parsed; throws with kustomize's message on failure.
 * Results are cached per test file (callers must not mutate them), since one build takes most of a second.
 */
export function render(dir: string): Promise<KubeObject[]> {
  let pending = cache.get(dir);
  if (!pending) {
    pending = build(dir);
    cache.set(dir, pending);
  }
  return pending;
}

async function build(dir: string): Promise<KubeObject[]> {
  const result = await kustomizeBuild(join(ROOT, dir));
  if (!result.ok) throw new Error(`kustomize build ${dir} failed: ${result.error}`);
  const parsed = parseManifests(result.yaml, dir);
  if (parsed.findings.length > 0) throw new Error(`${dir}: ${parsed.findings.map((f) => f.message).join('; ')}`);
  return parsed.resources.map((r) => r.object);
}

export function ofKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: readonly KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export interface Request {
  headers?: Record<string, string>;
  uri?: string;
}

type StringMatch = { exact?: string; prefix?: string; regex?: string };

interface HttpRoute {
  match?: { headers?: Record<string, StringMatch>; uri?: StringMatch }[];
  route?: { destination: { host: string; subset?: string }; weight?: number }[];
  fault?: {
    delay?: { fixedDelay?: string; percentage?: { value?: number } };
    abort?: { httpStatus?: number; percentage?: { value?: number } };
  };
}

function matchString(m: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return new RegExp(`^(?:${m.regex})$`).test(value);
  return true;
}

function ruleMatches(rule: HttpRoute, req: Request): boolean {
  if (!rule.match || rule.match.length === 0) return true;
  // Entries of `match` are ORed; the conditions inside one entry are ANDed.
  return rule.match.some((m) => {
    const headersOk = Object.entries(m.headers ?? {}).every(([name, cond]) => matchString(cond, req.headers?.[name]));
    const uriOk = m.uri === undefined || matchString(m.uri, req.uri ?? '/');
    return headersOk && uriOk;
  });
}

/** Mesh-internal VirtualServices for `host` (short name or FQDN in namespace bookinfo). */
export function virtualServicesFor(objects: readonly KubeObject[], host: string): KubeObject[] {
  const names = new Set([host, `${host}.bookinfo`, `${host}.bookinfo.svc`, `${host}.bookinfo.svc.cluster.local`]);
  return ofKind(objects, 'VirtualService').filter((vs) => {
    const spec = vs.spec as { hosts?: string[]; gateways?: string[] };
    const inMesh = !spec.gateways || spec.gateways.length === 0 || spec.gateways.includes('mesh');
    return inMesh && (spec.hosts ?? []).some((h) => names.has(h));
  });
}

/**
 * Where a request to `host` goes, as one readable string:
 * `default` (no VirtualService: Kubernetes spreads it over every pod of the Service),
 * `v1` (one subset), `v1=50 v3=50` (weights), plus ` delay=7s@100` or ` abort=500@100` for faults.
 */
export function routeOf(objects: readonly KubeObject[], host: string, req: Request = {}): string {
  const services = virtualServicesFor(objects, host);
  if (services.length === 0) return 'default';
  if (services.length > 1) {
    throw new Error(`${services.length} VirtualServices route ${host}: ${services.map((s) => s.metadata.name).join(', ')}`);
  }
  const rules = ((services[0] as KubeObject).spec as { http?: HttpRoute[] }).http ?? [];
  const rule = rules.find((r) => ruleMatches(r, req));
  if (!rule) return 'no-route';
  const route = rule.route ?? [];
  for (const d of route) {
    if (d.destination.host !== host && !d.destination.host.startsWith(`${host}.`)) {
      throw new Error(`VirtualService for ${host} sends traffic to another host, ${d.destination.host}`);
    }
  }
  let text =
    route.length === 1
      ? `${route[0]?.destination.subset ?? 'any'}${route[0]?.weight !== undefined && route[0].weight !== 100 ? `=${route[0].weight}` : ''}`
      : route.map((d) => `${d.destination.subset ?? 'any'}=${d.weight ?? 0}`).join(' ');
  const delay = rule.fault?.delay;
  if (delay) text += ` delay=${delay.fixedDelay}@${delay.percentage?.value ?? 100}`;
  const abort = rule.fault?.abort;
  if (abort) text += ` abort=${abort.httpStatus}@${abort.percentage?.value ?? 100}`;
  return text;
}

/** Subsets referenced by mesh VirtualServices that no DestinationRule defines, as `host/subset`. */
export function missingSubsets(objects: readonly KubeObject[]): string[] {
  const defined = new Set<string>();
  for (const dr of ofKind(objects, 'DestinationRule')) {
    const spec = dr.spec as { host: string; subsets?: { name: string }[] };
    for (const s of spec.subsets ?? []) defined.add(`${spec.host}/${s.name}`);
  }
  const missing: string[] = [];
  for (const vs of ofKind(objects, 'VirtualService')) {
    for (const rule of ((vs.spec as { http?: HttpRoute[] }).http ?? [])) {
      for (const d of rule.route ?? []) {
        const key = `${d.destination.host}/${d.destination.subset}`;
        if (d.destination.subset && !defined.has(key)) missing.push(key);
      }
    }
  }
  return missing;
}

type SecurityContext = { runAsNonRoot?: boolean; runAsUser?: unknown };
type Container = { name: string; securityContext?: SecurityContext };
export type PodSpec = { securityContext?: SecurityContext; containers?: Container[]; initContainers?: Container[] };

/** The pod spec of a Pod, a workload (`spec.template`) or a CronJob (`spec.jobTemplate`), if it has one. */
export function podSpecOf(o: KubeObject): PodSpec | undefined {
  if (o.kind === 'Pod') return o.spec as PodSpec;
  const spec = o.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * Names of the containers that must run as non-root but give kubelet no numeric UID to prove it with
 * (runAsUser at container or pod level). Kubelet refuses such a container when the image's USER is a name.
 */
export function unprovableNonRoot(o: KubeObject): string[] {
  const pod = podSpecOf(o);
  if (!pod) return [];
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])]
    .filter((c) => {
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const uid = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      return nonRoot === true && !(Number.isInteger(uid) && (uid as number) > 0);
    })
    .map((c) => c.name);
}
