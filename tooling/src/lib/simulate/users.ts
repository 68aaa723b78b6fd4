// Which users a prediction covers by default: anonymous plus everyone a header match names.
import type { SourcedResource } from '../manifests.ts';
import type { CallGraph } from './callgraph.ts';
import { specOf } from '../mesh/objects.ts';

function literalNames(match: { exact?: unknown; prefix?: unknown; regex?: unknown } | null | undefined): string[] {
  if (!match || typeof match !== 'object') return [];
  if (typeof match.exact === 'string') return [match.exact];
  if (typeof match.prefix === 'string' && match.prefix) return [match.prefix];
  if (typeof match.regex === 'string') {
    // Only regexes that are plain names or alternations of names name a user; anything else is skipped.
    const body = match.regex.replace(/^\^/, '').replace(/\$$/, '').replace(/^\((?:\?:)?(.*)\)$/, '$1');
    const parts = body.split('|');
    if (parts.every((p) => /^[A-Za-z0-9_.@-]+$/.test(p))) return parts;
  }
  return [];
}

/** Anonymous plus every user a header match on the user header names, in order of appearance. */
export function defaultUsers(resources: readonly SourcedResource[], graph: CallGraph): (string | null)[] {
  const header = graph.entry.userHeader;
  const names: string[] = [];
  for (const res of resources) {
    if (res.object.kind !== 'VirtualService') continue;
    const spec = specOf(res);
    const rules = Array.isArray(spec.http) ? (spec.http as { match?: unknown }[]) : [];
    for (const rule of rules) {
      const blocks = Array.isArray(rule?.match) ? (rule.match as Record<string, unknown>[]) : [];
      for (const block of blocks) {
        for (const key of ['headers', 'withoutHeaders']) {
          const map = (block?.[key] ?? {}) as Record<string, { exact?: unknown; prefix?: unknown; regex?: unknown }>;
          for (const [name, m] of Object.entries(map)) {
            if (name.toLowerCase() !== header) continue;
            for (const n of literalNames(m)) if (!names.includes(n)) names.push(n);
          }
        }
      }
    }
  }
  return [null, ...names];
}
