// Inputs that no schema rejects but kustomize, the API server or etcd refuse: a resource without a name,
// the same resource twice in one unit, an object too large to store, a ConfigMap or Secret over its 1 MiB
// limit. Pure: the resources of one unit in, findings out (lines are attached by the caller).
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';

export const INPUT_RULES = [
  { id: 'no-input', severity: 'error', summary: 'A path given to validate holds no kustomization and no manifest file, so nothing was checked.' },
  { id: 'metadata-name-missing', severity: 'error', summary: 'A resource without `metadata.name`.' },
  { id: 'duplicate-resource', severity: 'error', summary: 'The same resource (group, kind, namespace, name) twice in one unit.' },
  { id: 'object-too-large', severity: 'error', summary: 'An object over etcd\'s request limit, or a ConfigMap or Secret whose data is over 1 MiB.' },
] as const;

/** etcd's default --max-request-bytes (1.5 MiB): a larger object cannot be stored ("request is too large"). */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
/** Kubernetes' MaxSecretSize, which ConfigMap validation applies too (data plus binaryData). */
export const MAX_DATA_BYTES = 1024 * 1024;

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function group(apiVersion: unknown): string {
  return typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Bytes of the values of a ConfigMap's data and binaryData, or a Secret's decoded data and stringData. */
function dataBytes(object: Record<string, unknown>): number {
  const values = (field: string): unknown[] => {
    const map = object[field];
    return map && typeof map === 'object' ? Object.values(map) : [];
  };
  const text = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  // base64 text decodes to three bytes per four characters, less the padding.
  const decoded = (v: unknown) => (typeof v === 'string' ? Math.floor((v.replace(/\s/g, '').length * 3) / 4) - (v.trimEnd().endsWith('==') ? 2 : v.trimEnd().endsWith('=') ? 1 : 0) : 0);
  if (object.kind === 'ConfigMap') return [...values('data').map(text), ...values('binaryData').map(decoded)].reduce((a, b) => a + b, 0);
  return [...values('data').map(decoded), ...values('stringData').map(text)].reduce((a, b) => a + b, 0);
}

function finding(r: SourcedResource, rule: string, pointer: string, message: string, hint: string): Finding {
  return { rule, severity: 'error', ...placeOf(r, pointer), resource: resourceRef(r.object), pointer, message, hint, source: 'toolkit' };
}

/**
 * Findings on the resources of one unit. `rendered`: kustomize built it, and refuses duplicates itself.
 * `textBytes`: the size of the text the unit was parsed from; below half a MiB no object can reach either
 * limit (JSON is at most about twice its YAML), so sizes are not computed at all.
 */
export function inputFindings(resources: readonly SourcedResource[], rendered: boolean, textBytes = Infinity): Finding[] {
  const out: Finding[] = [];
  const sizes = textBytes >= MAX_DATA_BYTES / 2;
  const seen = new Map<string, SourcedResource>();
  for (const r of resources) {
    const o = r.object as unknown as Record<string, unknown> & { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; generateName?: unknown } };
    if (typeof o.kind !== 'string') continue; // missing-kind's finding
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      out.push(
        finding(
          r,
          'metadata-name-missing',
          '/metadata/name',
          `${o.kind} has no metadata.name${o.metadata?.generateName ? ' (only generateName, which kubectl apply and the GitOps engines cannot track)' : ''}; kustomize and kubectl apply refuse it.`,
          `Add \`metadata: {name: <name>}\` (a DNS name, e.g. \`${o.kind.toLowerCase()}-1\`).`,
        ),
      );
    } else if (!rendered) {
      const key = JSON.stringify([group(o.apiVersion), o.kind, typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : '', name]);
      const first = seen.get(key);
      if (first) {
        out.push(
          finding(
            r,
            'duplicate-resource',
            '/metadata/name',
            `${resourceRef(r.object)} is defined twice (also at ${first.file}:${placeOf(first, '').line ?? first.line}); kustomize refuses the unit ("already registered id") and the second apply would overwrite the first.`,
            'Delete one of the two, or give them different names.',
          ),
        );
      } else {
        seen.set(key, r);
      }
    }
    if (!sizes) continue;
    const size = Buffer.byteLength(JSON.stringify(o), 'utf8');
    if (size > MAX_OBJECT_BYTES) {
      out.push(
        finding(
          r,
          'object-too-large',
          '',
          `${resourceRef(r.object)} is ${mib(size)} as JSON; etcd refuses requests over ${mib(MAX_OBJECT_BYTES)} by default, so the API server cannot store it.`,
          'Keep large content out of the object: mount it from an image or a volume, or split it.',
        ),
      );
    } else if ((o.kind === 'ConfigMap' && o.apiVersion === 'v1') || (o.kind === 'Secret' && o.apiVersion === 'v1')) {
      const bytes = dataBytes(o);
      if (bytes > MAX_DATA_BYTES) {
        out.push(
          finding(
            r,
            'object-too-large',
            '/data',
            `${resourceRef(r.object)} holds ${mib(bytes)} of data; the API server allows at most 1 MiB (1048576 bytes) in a ${o.kind}.`,
            `Split the data over several ${o.kind}s, or ship it another way (an image, a volume).`,
          ),
        );
      }
    }
  }
  return out;
}
