// The cluster as `npm run verify` reads it: the user's kubeconfig (KUBECONFIG, else ~/.kube/config, else the
// in-cluster service account, as kubectl and the client's loadFromDefault choose), one context, and read-only GETs through the official client. Every kind is read
// through the client's generic path API (CustomObjectsApi: `/apis/<group>/<version>/namespaces/<ns>/<plural>`),
// which returns the API server's JSON as it is, so live objects compare with rendered YAML without the typed
// models' renaming and Date conversion. Nothing here writes to the cluster.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ToolkitError, UsageError } from '../errors.ts';

/** A kind verify reads: its API group (empty for core), version and resource plural. */
export interface KindRef {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

export const KINDS = {
  Kustomization: { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
  Application: { kind: 'Application', group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' },
  VirtualService: { kind: 'VirtualService', group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' },
  DestinationRule: { kind: 'DestinationRule', group: 'networking.istio.io', version: 'v1', plural: 'destinationrules' },
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
  Canary: { kind: 'Canary', group: 'flagger.app', version: 'v1beta1', plural: 'canaries' },
} as const satisfies Record<string, KindRef>;

export type LiveObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; apiVersion?: string }[] };
};

/** What verify needs from a cluster; tests may hand in their own, the CLI uses `connect`. */
export interface KubeReader {
  /** The kubeconfig context in use and its API server, for messages. */
  context: string;
  server: string;
  /** One object, or undefined when the API answers 404 (no such object, or the kind is not installed). */
  get(kind: KindRef, namespace: string, name: string): Promise<LiveObject | undefined>;
  /** Every object of a kind in a namespace ([] when the kind is not installed). */
  list(kind: KindRef, namespace: string): Promise<LiveObject[]>;
}

export interface ConnectOptions {
  env: NodeJS.ProcessEnv;
  /** kubeconfig context; default: the kubeconfig's current-context. */
  context?: string;
}

/** Loads the kubeconfig the way kubectl does (KUBECONFIG may list several files, merged in order). */
export async function connect(options: ConnectOptions): Promise<KubeReader> {
  // Loaded on demand: the generated client is large, and only verify needs it.
  const k8s = await import('@kubernetes/client-node');
  const config = new k8s.KubeConfig();
  const paths = (options.env.KUBECONFIG ?? '').split(process.platform === 'win32' ? ';' : ':').filter(Boolean);
  if (paths.length === 0) {
    const home = join(options.env.HOME || homedir(), '.kube', 'config');
    if (existsSync(home)) paths.push(home);
    else if (!options.env.KUBERNETES_SERVICE_HOST) {
      throw new ToolkitError('No kubeconfig: KUBECONFIG is not set and ~/.kube/config does not exist.', {
        hint: 'Point KUBECONFIG at the kubeconfig of the workshop cluster (kind, k3d and the cloud CLIs write one), e.g. KUBECONFIG=~/.kube/workshop npm run verify.',
      });
    }
  }
  try {
    if (paths.length === 0) config.loadFromCluster();
    for (const [i, path] of paths.entries()) {
      if (i === 0) config.loadFromFile(path);
      else {
        const more = new k8s.KubeConfig();
        more.loadFromFile(path);
        config.mergeConfig(more, true);
      }
    }
  } catch (error) {
    // Only the parser's first line (what and where): the lines after it quote the file, tokens and keys included.
    const reason = String((error as Error).message).split('\n')[0];
    throw new ToolkitError(`Cannot read the kubeconfig${paths.length ? ` ${paths.join(', ')}` : ''}: ${reason}`, {
      hint: 'Point KUBECONFIG at a valid kubeconfig, or check ~/.kube/config (`kubectl config view` shows what kubectl reads).',
    });
  }
  if (options.context !== undefined) {
    const names = config.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new UsageError(`No context ${JSON.stringify(options.context)} in the kubeconfig.`, `Contexts: ${names.join(', ') || '(none)'}. \`kubectl config get-contexts\` lists them.`);
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new ToolkitError('The kubeconfig has no current context with a cluster.', { hint: 'Pass --context <name>, or run `kubectl config use-context <name>`.' });
  }
  const context = config.getCurrentContext();
  const api = config.makeApiClient(k8s.CustomObjectsApi);
  const fail = (error: unknown, what: string): never => {
    throw apiError(error, what, context, cluster.server);
  };
  return {
    context,
    server: cluster.server,
    async get(kind, namespace, name) {
      try {
        return (await api.getNamespacedCustomObject({ group: kind.group, version: kind.version, namespace, plural: kind.plural, name })) as LiveObject;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        return fail(error, `get ${kind.kind} ${namespace}/${name}`);
      }
    },
    async list(kind, namespace) {
      try {
        const list = (await api.listNamespacedCustomObject({ group: kind.group, version: kind.version, namespace, plural: kind.plural })) as { items?: LiveObject[] };
        return (list.items ?? []).map((item) => ({ apiVersion: `${kind.group ? `${kind.group}/` : ''}${kind.version}`, kind: kind.kind, ...item }));
      } catch (error) {
        if (statusOf(error) === 404) return [];
        return fail(error, `list ${kind.plural} in ${namespace}`);
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** An API failure as a ToolkitError that says what to check; the response body is reduced to its message. */
export function apiError(error: unknown, what: string, context: string, server: string): ToolkitError {
  const status = statusOf(error);
  const body = (error as { body?: unknown })?.body;
  let detail = (error as Error)?.message ?? String(error);
  // The client's message repeats the response headers; keep the API's own message (a v1 Status) or its summary.
  const fromClient = /Message:\s*(.*?)\s+Body:/s.exec(detail)?.[1];
  if (fromClient) detail = fromClient;
  if (typeof body === 'string') {
    try {
      detail = (JSON.parse(body) as { message?: string }).message ?? detail;
    } catch {
      /* not JSON: keep the client's message */
    }
  } else if (typeof (body as { message?: unknown })?.message === 'string') detail = (body as { message: string }).message;
  detail = detail.replace(/\s+/g, ' ').slice(0, 300);
  const where = `context ${context} (${server})`;
  if (status === 401 || status === 403) {
    return new ToolkitError(`The cluster refused to ${what} (HTTP ${status}) on ${where}: ${detail}`, {
      hint: 'verify only reads: it needs get and list on kustomizations or applications, virtualservices, destinationrules, deployments and canaries (docs/verify.md lists the Role).',
      cause: error,
    });
  }
  return new ToolkitError(`Could not ${what} on ${where}: ${status ? `HTTP ${status} ` : ''}${detail}`, {
    hint: 'Check that the cluster is reachable with this context (`kubectl --context <name> get ns`), or pass --context.',
    cause: error,
  });
}

export function nameOf(object: LiveObject): string {
  return `${object.kind ?? '?'} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
}
