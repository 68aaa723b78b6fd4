// The gateways a VirtualService binds to (istioctl's virtualservice GatewayAnalyzer), and VirtualServices
// on the mesh gateway that route the same host for one client (ConflictingMeshGatewayHostsAnalyzer).
import { exportedNamespaces } from '../mesh/visibility.ts';
import type { SourcedResource } from '../manifests.ts';
import { arr, hostsIntersect, nameOf, nsOf, qualify, rec, ref, specOf, str, type Collector, type Model, type Obj } from './model.ts';

const ISTIO_GROUP = 'networking.istio.io/';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io/';

function group(res: SourcedResource): string {
  return String(res.object.apiVersion ?? '');
}

/** The Gateway a VirtualService names, as { ns, name } (`ns/name`, `name.ns` or `name`); `mesh` is the sidecars. */
function gatewayRef(text: string, vsNs: string): { ns: string; name: string } | undefined {
  if (text === 'mesh') return undefined;
  if (text.includes('/')) {
    const [ns, name] = text.split('/', 2) as [string, string];
    return { ns, name };
  }
  const parts = text.split('.');
  if (parts.length > 1) return { name: parts[0] as string, ns: parts[1] as string };
  return { ns: vsNs, name: text };
}

/**
 * The hosts of an Istio Gateway's servers that a VirtualService of `vsNs` may bind (istioctl's
 * sanitizeServerHostNamespace and NamesForNamespace): `*∕host` and `host` for any namespace, `./host` for
 * the Gateway's own, `ns/host` for that one.
 */
function istioGatewayHosts(gw: SourcedResource, vsNs: string): string[] {
  const hosts: string[] = [];
  for (const server of arr(specOf(gw).servers)) {
    for (const raw of arr(rec(server)?.hosts)) {
      if (typeof raw !== 'string') continue;
      const slash = raw.indexOf('/');
      if (slash < 0) hosts.push(raw);
      else {
        const ns = raw.slice(0, slash);
        if (ns === '*' || (ns === '.' ? nsOf(gw) === vsNs : ns === vsNs)) hosts.push(raw.slice(slash + 1));
      }
    }
  }
  return hosts;
}

/** A Gateway API Gateway's listener hostnames; undefined when a listener has none (it serves every host). */
function gatewayApiHosts(gw: SourcedResource): string[] | undefined {
  const hosts: string[] = [];
  for (const listener of arr(specOf(gw).listeners)) {
    const hostname = str(rec(listener)?.hostname);
    if (!hostname) return undefined;
    hosts.push(hostname);
  }
  return hosts;
}

type GatewayFinder = (ns: string, name: string) => SourcedResource | undefined;

/** The first rendered Gateway of each namespace and name: Istio's first, then the Gateway API's, as istioctl looks. */
function gatewayFinder(model: Model): GatewayFinder {
  const byKey = new Map<string, SourcedResource>();
  const gateways = model.byKind('Gateway');
  for (const prefix of [ISTIO_GROUP, GATEWAY_API_GROUP]) {
    for (const gw of gateways) {
      const key = `${nsOf(gw)}/${nameOf(gw)}`;
      if (group(gw).startsWith(prefix) && !byKey.has(key)) byKey.set(key, gw);
    }
  }
  return (ns, name) => byKey.get(`${ns}/${name}`);
}

/**
 * Each Gateway a VirtualService names exists, and serves at least one of its hosts. Reported once per
 * gateway named, as istioctl does; a missing Gateway is reported once, as not found.
 */
function checkGateways(model: Model, out: Collector, vs: SourcedResource, findGateway: GatewayFinder): void {
  const spec = specOf(vs);
  const ns = nsOf(vs);
  const hosts = arr(spec.hosts).filter((h): h is string => typeof h === 'string');
  arr(spec.gateways).forEach((raw, k) => {
    if (typeof raw !== 'string') return;
    const target = gatewayRef(raw, ns);
    if (!target || !model.namespaces.has(target.ns)) return;
    const gw = findGateway(target.ns, target.name);
    if (!gw) {
      out.add('vs-gateway-not-found', vs, `/spec/gateways/${k}`, `${ref(vs)} is bound to gateway "${raw}", but no Gateway ${target.ns}/${target.name} is rendered.`);
      return;
    }
    const served = group(gw).startsWith(GATEWAY_API_GROUP) ? gatewayApiHosts(gw) : istioGatewayHosts(gw, ns);
    if (served === undefined || served.some((g) => hosts.some((h) => hostsIntersect(g, h)))) return;
    out.add(
      'vs-host-not-in-gateway',
      vs,
      `/spec/gateways/${k}`,
      `${ref(vs)} hosts ${hosts.map((h) => `"${h}"`).join(', ')}: none is served by ${ref(gw)} (it serves ${served.map((h) => `"${h}"`).join(', ') || 'no host'}).`,
    );
  });
}

function onMesh(spec: Obj): boolean {
  const gateways = arr(spec.gateways);
  return gateways.length === 0 || gateways.includes('mesh');
}

/** A host a mesh-bound VirtualService routes for the clients of one scope (`*`: every namespace). */
interface ScopedHost {
  scope: string;
  fqdn: string;
  vs: SourcedResource;
  index: number;
}

/** The scopes a VirtualService's `exportTo` gives (istioctl: `*` when unset or listed, else the namespaces). */
function scopesOf(spec: Obj, ns: string): string[] {
  const values = arr(spec.exportTo).filter((v): v is string => typeof v === 'string');
  return values.length === 0 || values.includes('*') ? ['*'] : exportedNamespaces(values, ns);
}

/**
 * VirtualServices on the mesh gateway that route one host for the same clients, as istioctl finds them:
 * the same host in the same scope, or a host of a namespace-scoped VirtualService that overlaps one
 * exported to every namespace (`*.productpage.d` and `*.d`). Reported once per VirtualService.
 */
function checkMeshHosts(model: Model, out: Collector): void {
  const byKey = new Map<string, ScopedHost[]>();
  const everywhere: ScopedHost[] = [];
  for (const vs of model.byKind('VirtualService')) {
    const spec = specOf(vs);
    if (!onMesh(spec)) continue;
    const ns = nsOf(vs);
    const hosts = arr(spec.hosts);
    for (const scope of scopesOf(spec, ns)) {
      hosts.forEach((h, index) => {
        if (typeof h !== 'string') return;
        const entry = { scope, fqdn: qualify(h, ns), vs, index };
        const key = `${scope}/${entry.fqdn}`;
        const list = byKey.get(key);
        if (list) list.push(entry);
        else byKey.set(key, [entry]);
        if (scope === '*') everywhere.push(entry);
      });
    }
  }
  const reported = new Set<SourcedResource>();
  byKey.forEach((list) => {
    const [first] = list as [ScopedHost];
    const conflicting = first.scope === '*' ? list : [...list, ...everywhere.filter((e) => hostsIntersect(first.fqdn, e.fqdn))];
    const vss = [...new Set(conflicting.map((e) => e.vs))];
    if (vss.length < 2) return;
    const names = vss.map(ref).sort().join(', ');
    for (const entry of conflicting) {
      if (reported.has(entry.vs)) continue;
      reported.add(entry.vs);
      const scope = first.scope === '*' ? 'every namespace' : `namespace ${first.scope}`;
      out.add('vs-conflicting-mesh-host', entry.vs, `/spec/hosts/${entry.index}`, `${ref(entry.vs)}: ${names} all route host ${first.fqdn} on the mesh gateway for ${scope}.`);
    }
  });
}

export function checkGatewayBindings(model: Model, out: Collector): void {
  const findGateway = gatewayFinder(model);
  for (const vs of model.byKind('VirtualService')) {
    if (group(vs).startsWith(ISTIO_GROUP) || group(vs) === '') checkGateways(model, out, vs, findGateway);
  }
  checkMeshHosts(model, out);
}
