// Unreachable rules and ineffective matches in a VirtualService's `http`, `tcp` and `tls` routes, as istiod's
// validation finds them (pkg/config/validation analyzeUnreachable{HTTP,TCP,TLS}Rules): a rule after one
// without matches, a rule whose matches all repeat earlier ones, a match that repeats an earlier one, and
// an HTTP URI prefix match that an earlier, shorter prefix with the same other conditions already covers.
import type { SourcedResource } from '../manifests.ts';
import { arr, rec, ref, str, type Collector, type Obj } from './model.ts';

export type RouteKind = 'http' | 'tcp' | 'tls';

/**
 * Key-order independent text of a match without its name, as Go's JSON of the match message compares
 * them: fields left at their zero value (false, 0, "", empty lists and maps) are left out.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const r = rec(value);
  if (!r) return JSON.stringify(value) ?? 'null';
  const parts: string[] = [];
  for (const k of Object.keys(r).sort()) {
    const v = r[k];
    if (k === 'name' || zero(v)) continue;
    parts.push(`${JSON.stringify(k)}:${canonical(v)}`);
  }
  return `{${parts.join(',')}}`;
}

function zero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  const r = rec(v);
  return r !== undefined && Object.keys(r).every((k) => zero(r[k]));
}

/** `exact:<v>` or `prefix:<v>` of a StringMatch, as istiod's assignExactOrPrefix; `` for anything else. */
function exactOrPrefix(value: unknown): string {
  const m = rec(value);
  const exact = str(m?.exact);
  if (exact) return `exact:${exact}`;
  const prefix = str(m?.prefix);
  return prefix ? `prefix:${prefix}` : '';
}

function exactOrPrefixMap(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(rec(value) ?? {})) out.set(k, exactOrPrefix(v));
  return out;
}

/** An HTTP match with a URI prefix, reduced to what istiod compares for prefix overlap (genMatchHTTPRoutes). */
interface PrefixMatch {
  rule: number;
  match: number;
  prefix: string;
  port: unknown;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

function prefixMatch(m: Obj, rule: number, match: number): PrefixMatch | undefined {
  const prefix = str(rec(m.uri)?.prefix);
  if (!prefix) return undefined;
  return {
    rule,
    match,
    prefix,
    port: m.port ?? 0,
    // No method means GET, as istiod assumes.
    method: exactOrPrefix(m.method) || 'exact:GET',
    authority: exactOrPrefix(m.authority),
    headers: exactOrPrefixMap(m.headers),
    queryParams: exactOrPrefixMap(m.queryParams),
    withoutHeaders: exactOrPrefixMap(m.withoutHeaders),
  };
}

/** Both values equal, or the earlier one starts with the later one (istiod's rule, verbatim). */
function covers(a: string, b: string): boolean {
  return a === b || a.startsWith(b);
}

function mapsCover(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !covers(v, w)) return false;
  }
  return true;
}

/** Whether earlier match `a` takes every request later match `b` would (istiod's coveredValidation). */
function prefixCovers(a: PrefixMatch, b: PrefixMatch): boolean {
  return (
    b.prefix.startsWith(a.prefix) &&
    b.port === a.port &&
    covers(a.method, b.method) &&
    covers(a.authority, b.authority) &&
    mapsCover(a.headers, b.headers) &&
    mapsCover(a.queryParams, b.queryParams) &&
    mapsCover(a.withoutHeaders, b.withoutHeaders)
  );
}

function ruleName(kind: RouteKind, rule: unknown, i: number): string {
  const name = kind === 'http' ? str(rec(rule)?.name) : undefined;
  return name ? `"${name}"` : `#${i}`;
}

function matchName(kind: RouteKind, match: unknown, k: number): string {
  const name = kind === 'http' ? str(rec(match)?.name) : undefined;
  return name ? `"${name}"` : `#${k}`;
}

/** A match object that sets nothing but its name matches every request, as a rule without matches does. */
function matchesEverything(match: unknown): boolean {
  return canonical(match) === '{}';
}

/** The shadowing findings of one route list of a VirtualService. */
export function checkShadowing(out: Collector, vs: SourcedResource, kind: RouteKind, rules: readonly unknown[]): void {
  // A single rule with at most one match has nothing to repeat or cover.
  if (rules.length === 0 || (rules.length === 1 && arr(rec(rules[0])?.match).length < 2)) return;
  const seen = new Map<string, number>();
  const prefixes: PrefixMatch[] = [];
  let catchAll = -1;
  const unreachable = (i: number, reason: string): void => {
    out.add('vs-unreachable-rule', vs, `/spec/${kind}/${i}`, `${ref(vs)} ${kind} rule ${ruleName(kind, rules[i], i)} can never match: ${reason}.`);
  };
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule === null || rule === undefined) continue;
    const matches = arr(rec(rule)?.match);
    if (matches.length === 0) {
      if (catchAll >= 0) unreachable(i, `rule ${ruleName(kind, rules[catchAll], catchAll)} before it has no matches, so only the last rule may have none`);
      catchAll = i;
      continue;
    }
    if (catchAll >= 0) {
      unreachable(i, `rule ${ruleName(kind, rules[catchAll], catchAll)} before it has no matches and takes every request`);
      continue;
    }
    let repeats = 0;
    let broad = -1;
    for (let k = 0; k < matches.length; k++) {
      const m = matches[k];
      const key = canonical(m);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        repeats++;
        out.add(
          'vs-ineffective-match',
          vs,
          `/spec/${kind}/${i}/match/${k}`,
          `${ref(vs)} ${kind} rule ${ruleName(kind, rule, i)} match ${matchName(kind, m, k)} repeats a match of rule ${ruleName(kind, rules[earlier], earlier)}, so it never applies.`,
        );
        continue;
      }
      seen.set(key, i);
      if (broad < 0 && matchesEverything(m)) broad = k;
      const p = kind === 'http' ? prefixMatch(rec(m) ?? {}, i, k) : undefined;
      if (p) prefixes.push(p);
    }
    if (repeats === matches.length) unreachable(i, 'every match it has repeats one of an earlier rule');
    // An extension of istiod's check: a match that sets nothing takes every request, as no match does.
    else if (broad >= 0) catchAll = i;
  }
  for (let a = 0; a < prefixes.length; a++) {
    const first = prefixes[a] as PrefixMatch;
    for (let b = a + 1; b < prefixes.length; b++) {
      const later = prefixes[b] as PrefixMatch;
      if (later.prefix === first.prefix || !prefixCovers(first, later)) continue;
      out.add(
        'vs-ineffective-match',
        vs,
        `/spec/http/${later.rule}/match/${later.match}`,
        `${ref(vs)} http rule ${ruleName(kind, rules[later.rule], later.rule)} match ${matchName(kind, arr(rec(rules[later.rule])?.match)[later.match], later.match)} (prefix ${later.prefix}) is covered by match ${matchName(kind, arr(rec(rules[first.rule])?.match)[first.match], first.match)} (prefix ${first.prefix}) of rule ${ruleName(kind, rules[first.rule], first.rule)}, so it never applies.`,
      );
    }
  }
}
