// RE2 syntax check for VirtualService HTTP match regexes. istiod validates every `regex` StringMatch with
// Go's regexp package and Envoy runs it with Google RE2, so what Perl, PCRE or JavaScript add to that
// syntax is rejected: lookaround, backreferences, atomic groups, possessive quantifiers. The scanner reads
// escapes, character classes, group openers and repeat counts the way Go's regexp/syntax parser does, and
// leaves the structure (balanced groups, a quantifier with something to repeat) to the JavaScript RegExp
// parser, which it hands a skeleton of the pattern that keeps that structure and nothing else.
import type { SourcedResource } from '../manifests.ts';
import { rec, ref, seg, type Collector, type Obj } from './model.ts';

export type Re2Problem =
  | { kind: 'unsupported'; construct: string; token: string; family: 'lookaround' | 'backreference' | 'possessive' }
  | { kind: 'invalid'; reason: string };

class Re2Error extends Error {
  constructor(readonly problem: Re2Problem) {
    super(problem.kind === 'invalid' ? problem.reason : problem.construct);
  }
}

function invalid(reason: string): never {
  throw new Re2Error({ kind: 'invalid', reason });
}

function unsupported(construct: string, token: string, family: 'lookaround' | 'backreference' | 'possessive'): never {
  throw new Re2Error({ kind: 'unsupported', construct, token, family });
}

/** `(?…` openers RE2 does not support, longest first. */
const UNSUPPORTED_GROUPS: [string, string, 'lookaround' | 'backreference' | 'possessive'][] = [
  ['(?<=', 'a lookbehind', 'lookaround'],
  ['(?<!', 'a negative lookbehind', 'lookaround'],
  ['(?=', 'a lookahead', 'lookaround'],
  ['(?!', 'a negative lookahead', 'lookaround'],
  ['(?>', 'an atomic group', 'possessive'],
  ['(?P=', 'a named backreference', 'backreference'],
];

const PERL_CLASSES = new Set(['d', 'D', 's', 'S', 'w', 'W']);
const CONTROL_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
const POSIX_CLASSES = new Set(['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit']);
const OCTAL = /^[0-7]$/;
const HEX = /^[0-9A-Fa-f]$/;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A `\p` class name Go knows: `Any`, a general category (`L`, `Lu`) or a script (`Greek`). */
function unicodeClassKnown(name: string): boolean {
  if (name === 'Any') return true;
  if (/^[A-Z][a-z]?$/.test(name) && compiles(`\\p{${name}}`)) return true;
  return /^[A-Z][A-Za-z_]*$/.test(name) && compiles(`\\p{Script=${name}}`);
}

type Escape = { type: 'char'; value: number } | { type: 'class' } | { type: 'assertion' } | { type: 'quote' };

class Scanner {
  private i = 0;
  private readonly names = new Set<string>();
  private out = '';

  constructor(private readonly cp: string[]) {}

  private at(k = 0): string | undefined {
    return this.cp[this.i + k];
  }

  private startsWith(text: string): boolean {
    return this.cp.slice(this.i, this.i + text.length).join('') === text;
  }

  /** The escape at `\`, consumed. Perl classes, `\p` and (outside a class) assertions and `\Q` included. */
  private escape(inClass: boolean): Escape {
    const c = this.at(1);
    if (c === undefined) invalid('trailing backslash at end of expression');
    this.i += 2;
    if (c >= '1' && c <= '9') {
      // Go and RE2 read `\1`..`\7` followed by an octal digit as an octal code; alone it is a backreference.
      if (c > '7' || !OCTAL.test(this.at() ?? '')) unsupported('a backreference', `\\${c}`, 'backreference');
      return { type: 'char', value: this.octal(c) };
    }
    if (c === '0') return { type: 'char', value: this.octal(c) };
    if (c === 'x') return { type: 'char', value: this.hex() };
    if (c in CONTROL_ESCAPES) return { type: 'char', value: CONTROL_ESCAPES[c] as number };
    if (c === 'k' && ['<', '{', "'"].includes(this.at() ?? '')) unsupported('a named backreference', `\\k${this.at()}`, 'backreference');
    const code = c.codePointAt(0) as number;
    if (code < 128 && !/[A-Za-z0-9]/.test(c)) return { type: 'char', value: code };
    if (PERL_CLASSES.has(c)) return { type: 'class' };
    if (c === 'p' || c === 'P') {
      this.unicodeClass();
      return { type: 'class' };
    }
    if (!inClass && ['A', 'z', 'b', 'B'].includes(c)) return { type: 'assertion' };
    if (!inClass && c === 'Q') return { type: 'quote' };
    return invalid(`invalid escape sequence \`\\${c}\``);
  }

  private octal(first: string): number {
    let digits = first;
    while (digits.length < 3 && OCTAL.test(this.at() ?? '')) {
      digits += this.at();
      this.i++;
    }
    return parseInt(digits, 8);
  }

  private hex(): number {
    let digits = '';
    if (this.at() === '{') {
      this.i++;
      while (HEX.test(this.at() ?? '')) digits += this.cp[this.i++];
      if (this.at() !== '}' || digits === '') invalid('invalid escape sequence `\\x{`');
      this.i++;
    } else {
      for (let k = 0; k < 2; k++) {
        if (!HEX.test(this.at() ?? '')) invalid('invalid escape sequence `\\x`');
        digits += this.cp[this.i++];
      }
    }
    const value = parseInt(digits, 16);
    if (value > 0x10ffff) invalid(`invalid escape sequence \`\\x{${digits}}\``);
    return value;
  }

  private unicodeClass(): void {
    let name: string;
    if (this.at() === '{') {
      const end = this.cp.indexOf('}', this.i);
      if (end < 0) invalid('invalid character class range `\\p{`');
      name = this.cp.slice(this.i + 1, end).join('');
      this.i = end + 1;
    } else {
      if (this.at() === undefined) invalid('invalid character class range `\\p`');
      name = this.cp[this.i++] as string;
    }
    const bare = name.startsWith('^') ? name.slice(1) : name;
    if (!unicodeClassKnown(bare)) invalid(`invalid character class range \`\\p{${name}}\``);
  }

  /** One character of a class (a literal or an escape that stands for one character), as a code point. */
  private classChar(): number {
    if (this.at() === '\\') {
      const start = this.i;
      const esc = this.escape(true);
      if (esc.type !== 'char') invalid(`invalid character class range \`${this.cp.slice(start, this.i).join('')}\``);
      return esc.value;
    }
    return (this.cp[this.i++] as string).codePointAt(0) as number;
  }

  private charClass(): void {
    const open = this.i;
    this.i++;
    if (this.at() === '^') this.i++;
    let first = true;
    for (;;) {
      const c = this.at();
      if (c === undefined) invalid(`missing closing ]: \`${this.cp.slice(open).join('')}\``);
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.at(1) === ':') {
        const close = this.cp.slice(this.i + 2).join('').indexOf(':]');
        if (close >= 0) {
          const name = this.cp.slice(this.i + 2, this.i + 2 + close).join('');
          if (!POSIX_CLASSES.has(name.replace(/^\^/, ''))) invalid(`invalid character class range \`[:${name}:]\``);
          this.i += close + 4;
          continue;
        }
      }
      if (c === '\\' && (PERL_CLASSES.has(this.at(1) ?? '') || this.at(1) === 'p' || this.at(1) === 'P')) {
        this.escape(true);
        continue;
      }
      const start = this.i;
      const lo = this.classChar();
      if (this.at() === '-' && this.at(1) !== undefined && this.at(1) !== ']') {
        this.i++;
        const hi = this.classChar();
        if (hi < lo) invalid(`invalid character class range \`${this.cp.slice(start, this.i).join('')}\``);
      }
    }
    this.i++;
    this.out += '[a]';
  }

  private group(): void {
    for (const [opener, construct, family] of UNSUPPORTED_GROUPS) {
      if (this.startsWith(opener)) unsupported(construct, opener, family);
    }
    if (this.startsWith('(?:')) {
      this.i += 3;
      this.out += '(?:';
      return;
    }
    if (this.startsWith('(?P<') || this.startsWith('(?<')) {
      this.i += this.startsWith('(?P<') ? 4 : 3;
      const end = this.cp.indexOf('>', this.i);
      const name = end < 0 ? '' : this.cp.slice(this.i, end).join('');
      if (!/^[A-Za-z0-9_]+$/.test(name)) invalid(`invalid named capture \`${this.cp.slice(this.i - 3, end < 0 ? undefined : end + 1).join('')}\``);
      if (this.names.has(name)) invalid(`duplicate capture group name \`${name}\``);
      this.names.add(name);
      this.i = end + 1;
      this.out += '(';
      return;
    }
    if (this.at(1) === '?') {
      // Flags: `(?i)` sets them for the rest of the group, `(?i:re)` for `re` only.
      const rest = this.cp.slice(this.i).join('');
      const m = /^\(\?([imsU]*)(-[imsU]*)?([):])/.exec(rest);
      if (!m || (m[1] === '' && (m[2] ?? '') === '') || m[2] === '-') {
        invalid(`invalid or unsupported Perl syntax \`${rest.slice(0, 3)}\``);
      }
      this.i += [...m[0]].length;
      if (m[3] === ':') this.out += '(?:';
      return;
    }
    this.i++;
    this.out += '(';
  }

  /** After a repetition operator: a `?` makes it lazy, a `+` would make it possessive. */
  private afterRepeat(op: string): void {
    if (this.at() === '?') {
      this.i++;
      this.out += '?';
    } else if (this.at() === '+') {
      unsupported('a possessive quantifier', `${op}+`, 'possessive');
    }
  }

  run(): string {
    while (this.i < this.cp.length) {
      const c = this.cp[this.i] as string;
      if (c === '(') {
        this.group();
      } else if (c === '[') {
        this.charClass();
      } else if (c === '\\') {
        const esc = this.escape(false);
        if (esc.type === 'quote') {
          while (this.i < this.cp.length && !this.startsWith('\\E')) {
            this.i++;
            this.out += 'a';
          }
          if (this.startsWith('\\E')) this.i += 2;
        } else {
          this.out += esc.type === 'class' ? '\\d' : esc.type === 'assertion' ? '(?:^)' : 'a';
        }
      } else if (c === '*' || c === '+' || c === '?') {
        this.i++;
        this.out += c;
        this.afterRepeat(c);
      } else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.cp.slice(this.i, this.i + 16).join(''));
        const counts = m ? [m[1], m[3]].filter((n): n is string => n !== undefined && n !== '') : [];
        if (!m || counts.some((n) => n.length > 1 && n.startsWith('0'))) {
          // Not a repeat count, so a literal brace, as in Go.
          this.i++;
          this.out += 'a';
          continue;
        }
        const [min, max] = [Number(m[1]), m[3] ? Number(m[3]) : undefined];
        if (min > 1000 || (max !== undefined && (max > 1000 || max < min))) invalid(`invalid repeat count \`${m[0]}\``);
        this.i += m[0].length;
        this.out += m[0];
        this.afterRepeat(m[0]);
      } else {
        this.i++;
        this.out += c === '^' || c === '$' ? `(?:${c})` : c === '.' || c === '|' || c === ')' ? c : 'a';
      }
    }
    return this.out;
  }
}

/** Why RE2 (as istiod and Envoy use it) rejects `pattern`, or undefined when it accepts it. */
export function re2Problem(pattern: string): Re2Problem | undefined {
  let skeleton: string;
  try {
    skeleton = new Scanner([...pattern]).run();
  } catch (err) {
    if (err instanceof Re2Error) return err.problem;
    throw err;
  }
  try {
    new RegExp(skeleton, 'u');
  } catch (err) {
    const text = (err as Error).message;
    const reason = text.slice(text.lastIndexOf(': ') + 2);
    return { kind: 'invalid', reason: reason.charAt(0).toLowerCase() + reason.slice(1) };
  }
  return undefined;
}

const HINTS = {
  lookaround:
    'Rewrite the regex without lookaround, which RE2 does not have: match the wanted text directly, or move a "must not match" condition into `withoutHeaders` or an earlier `http` rule (see the RE2 Syntax reference).',
  backreference:
    'Rewrite the regex without the backreference, which RE2 does not have: spell out the alternatives it stands for (see the RE2 Syntax reference).',
  possessive:
    'Use a plain group `(?:...)` or quantifier (`*`, `+`, `?`) instead: RE2 never backtracks, so it has no atomic groups or possessive quantifiers (see the RE2 Syntax reference).',
} as const;

/** The regex as a message shows it: at most 80 characters, then quoted. */
function shown(pattern: string): string {
  const cps = [...pattern];
  return JSON.stringify(cps.length > 80 ? `${cps.slice(0, 79).join('')}…` : pattern);
}

function checkRegex(out: Collector, vs: SourcedResource, pattern: string, pointer: string): void {
  const problem = re2Problem(pattern);
  if (!problem) return;
  const at = `${pointer}/regex`;
  if (problem.kind === 'invalid') {
    out.add('vs-regex-invalid', vs, at, `${ref(vs)} regex ${shown(pattern)} at ${at} does not compile as RE2: ${problem.reason}.`);
  } else {
    out.add(
      'vs-regex-invalid',
      vs,
      at,
      `${ref(vs)} regex ${shown(pattern)} at ${at} uses ${problem.construct} (\`${problem.token}\`), which RE2 does not support.`,
      HINTS[problem.family],
    );
  }
}

const SINGLE_FIELDS = ['uri', 'scheme', 'method', 'authority'] as const;
const MAP_FIELDS = ['headers', 'queryParams', 'withoutHeaders'] as const;

/** The `regex` of a StringMatch, if it is one. (No helpers: it runs for every field of every match.) */
function regexOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const regex = (value as Obj).regex;
  return typeof regex === 'string' ? regex : undefined;
}

/**
 * Whether field `field` of a match, with value `value`, holds a `regex` StringMatch that `checkMatchRegexes`
 * would check. The routing checks ask it for every field of every match while they read the match anyway,
 * and call `checkMatchRegexes` only for a rule where it said yes: most rules have no regex.
 */
export function fieldHasRegex(field: string, value: unknown): boolean {
  switch (field) {
    case 'uri':
    case 'scheme':
    case 'method':
    case 'authority':
      return regexOf(value) !== undefined;
    case 'headers':
    case 'queryParams':
    case 'withoutHeaders': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      // `regexOf` written out, as it runs for every header of every match.
      for (const name in value) {
        if (!Object.hasOwn(value, name)) continue;
        const match = (value as Obj)[name];
        if (typeof match === 'object' && match !== null && typeof (match as Obj).regex === 'string') return true;
      }
      return false;
    }
    default:
      return false;
  }
}

/**
 * Every `regex` StringMatch of one HTTP rule's `match` list (`/spec/http/<index>`). This runs for every
 * match of every VirtualService and most have no regex at all, so it uses index loops (a for-of allocates
 * an iterator in code not yet optimized) and builds a pointer only for a regex.
 */
export function checkMatchRegexes(out: Collector, vs: SourcedResource, rule: Obj, index: number): void {
  const matches = rule.match;
  if (!Array.isArray(matches)) return;
  for (let k = 0; k < matches.length; k++) {
    const match = rec(matches[k]);
    if (!match) continue;
    for (let f = 0; f < SINGLE_FIELDS.length; f++) {
      const field = SINGLE_FIELDS[f] as (typeof SINGLE_FIELDS)[number];
      const value = match[field];
      if (value === undefined) continue;
      const pattern = regexOf(value);
      if (pattern !== undefined) checkRegex(out, vs, pattern, `/spec/http/${index}/match/${k}/${field}`);
    }
    for (let f = 0; f < MAP_FIELDS.length; f++) {
      const field = MAP_FIELDS[f] as (typeof MAP_FIELDS)[number];
      const value = match[field];
      if (value === undefined) continue;
      const byName = rec(value);
      if (!byName) continue;
      const names = Object.keys(byName);
      for (let n = 0; n < names.length; n++) {
        const name = names[n] as string;
        const pattern = regexOf(byName[name]);
        if (pattern !== undefined) checkRegex(out, vs, pattern, `/spec/http/${index}/match/${k}/${field}/${seg(name)}`);
      }
    }
  }
}
