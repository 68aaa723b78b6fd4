// The regexes of a VirtualService as istiod validates them (validateStringMatchRegexp, validateStringRegexp):
// not empty, at most 1,024 bytes, and accepted by Go's regexp package, which `re2js` (a port of RE2 with
// Go's error text) stands in for. Envoy runs them with RE2, so what Perl, PCRE or JavaScript add (lookaround,
// backreferences) is rejected; for those two the finding says how to do without.
import { RE2JS } from 're2js';
import type { SourcedResource } from '../manifests.ts';
import { arr, rec, ref, seg, str, type Collector, type Obj } from './model.ts';

/** Envoy's program-size limit, approximated by istiod as a length in bytes. */
export const MAX_REGEX_BYTES = 1024;

/** What istiod says about `pattern`, or undefined when it accepts it. */
export function regexProblem(pattern: string, mayBeEmpty = false): string | undefined {
  if (pattern === '' && !mayBeEmpty) return 'regex string match should not be empty';
  if (Buffer.byteLength(pattern, 'utf8') > MAX_REGEX_BYTES) return `regex is too large, max length allowed is ${MAX_REGEX_BYTES}`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const HINTS = {
  lookaround:
    'Rewrite the regex without lookaround, which RE2 does not have: match the wanted text directly, or move a "must not match" condition into `withoutHeaders` or an earlier `http` rule (see the RE2 Syntax reference).',
  backreference:
    'Rewrite the regex without the backreference, which RE2 does not have: spell out the alternatives it stands for (see the RE2 Syntax reference).',
} as const;

/**
 * The hint for a construct RE2 leaves out on purpose, from Go's error text: a lookahead `(?=` `(?!` or
 * lookbehind `(?<=` `(?<!`; a backreference `\1` `\k<name>`, or `(?P=name)`, of which Go quotes only `(?P`.
 */
function hintFor(problem: string, pattern: string): string | undefined {
  if (/: `\(\?<?[=!]/.test(problem)) return HINTS.lookaround;
  if (/invalid escape sequence: `\\[1-9k]/.test(problem) || (problem.endsWith('`(?P`') && pattern.includes('(?P='))) return HINTS.backreference;
  return undefined;
}

/** The regex as a message shows it: at most 80 characters, then quoted. */
function shown(pattern: string): string {
  const cps = [...pattern];
  return JSON.stringify(cps.length > 80 ? `${cps.slice(0, 79).join('')}…` : pattern);
}

function checkRegex(out: Collector, vs: SourcedResource, pattern: string, at: string, mayBeEmpty = false): void {
  const problem = regexProblem(pattern, mayBeEmpty);
  if (problem === undefined) return;
  out.add('vs-regex-invalid', vs, at, `${ref(vs)} regex ${shown(pattern)} at ${at} is rejected by istiod: ${problem}.`, hintFor(problem, pattern));
}

/** A StringMatch's `regex`, checked when it is one. */
function checkStringMatch(out: Collector, vs: SourcedResource, value: unknown, pointer: string): void {
  const pattern = rec(value)?.regex;
  if (typeof pattern === 'string') checkRegex(out, vs, pattern, `${pointer}/regex`);
}

const SINGLE_FIELDS = ['uri', 'scheme', 'method', 'authority'] as const;
const MAP_FIELDS = ['headers', 'queryParams', 'withoutHeaders'] as const;

/** Every regex of HTTP rule `index`: its matches, `corsPolicy.allowOrigins` and `rewrite.uriRegexRewrite.match`. */
export function checkMatchRegexes(out: Collector, vs: SourcedResource, rule: Obj, index: number): void {
  const at = `/spec/http/${index}`;
  arr(rule.match).forEach((raw, k) => {
    const match = rec(raw);
    if (!match) return;
    for (const field of SINGLE_FIELDS) checkStringMatch(out, vs, match[field], `${at}/match/${k}/${field}`);
    for (const field of MAP_FIELDS) {
      for (const [name, value] of Object.entries(rec(match[field]) ?? {})) checkStringMatch(out, vs, value, `${at}/match/${k}/${field}/${seg(name)}`);
    }
  });
  arr(rec(rule.corsPolicy)?.allowOrigins).forEach((origin, k) => checkStringMatch(out, vs, origin, `${at}/corsPolicy/allowOrigins/${k}`));
  const rewrite = str(rec(rec(rule.rewrite)?.uriRegexRewrite)?.match);
  // istiod does not ask this one to be non-empty.
  if (rewrite !== undefined) checkRegex(out, vs, rewrite, `${at}/rewrite/uriRegexRewrite/match`, true);
}
