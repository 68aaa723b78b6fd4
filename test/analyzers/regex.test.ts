// The regex check behind vs-regex-invalid: what istiod accepts (re2js standing in for Go's regexp, with its
// error text), its empty and 1,024-byte limits, the fields it reads, and the hint for lookaround and
// backreferences.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { regexProblem } from '../../tooling/src/lib/analyzers/regex.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

describe('regexProblem', () => {
  it.each([
    '^/api/v[0-9]+/.*',
    '.*jason.*',
    '(?i)^jason$',
    '(?i:JASON)|(?-s:a.b)',
    '(?P<version>v[0-9]+)',
    '(?<version>v[0-9]+)',
    '\\pL\\p{Greek}\\PN\\p{^Lu}',
    '[[:alpha:]][[:^digit:]]',
    '[]a]',
    '\\Q(?=\\E',
    '\\Aabc\\z',
    'a{2}b{1,}c{0,1000}',
    'x{,3}',
    '\\x41\\x{1F600}\\012',
    'a+?b*?c??',
  ])('accepts %s', (pattern) => {
    expect(regexProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['(a{1000}){1000}', 'error parsing regexp: invalid repeat count: `{1000}`'],
    ['a{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
    ['(v1|v2', 'error parsing regexp: missing closing ): `(v1|v2`'],
    ['v1)', 'error parsing regexp: unexpected ): `v1)`'],
    ['*abc', 'error parsing regexp: missing argument to repetition operator: `*`'],
    ['a**', 'error parsing regexp: invalid nested repetition operator: `**`'],
    ['[z-a]', 'error parsing regexp: invalid character class range: `z-a`'],
    ['\\y', 'error parsing regexp: invalid escape sequence: `\\y`'],
    ['abc\\', 'error parsing regexp: trailing backslash at end of expression'],
    ['(?P<a>x)(?P<a>y)', 'error parsing regexp: duplicate capture group name: `a`'],
  ])("rejects %s with Go's message", (pattern, message) => {
    expect(regexProblem(pattern)).toBe(message);
  });

  it('rejects an empty regex, and one over 1,024 bytes, as istiod does', () => {
    expect(regexProblem('')).toBe('regex string match should not be empty');
    expect(regexProblem('a'.repeat(1024))).toBeUndefined();
    expect(regexProblem('a'.repeat(1025))).toBe('regex is too large, max length allowed is 1024');
    // Bytes, not characters: 513 two-byte characters are 1,026 bytes.
    expect(regexProblem('é'.repeat(513))).toBe('regex is too large, max length allowed is 1024');
  });
});

function analyze(rule: string) {
  const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
  http:
    - route: [{ destination: { host: reviews } }]
    - route: [{ destination: { host: reviews } }]
${rule}`;
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources).filter((f) => f.rule === 'vs-regex-invalid');
}

describe('vs-regex-invalid findings', () => {
  it('name the resource, the pointer and the quoted regex, with a hint for lookaround', () => {
    const [finding, ...rest] = analyze(`      match:\n        - headers: { x/user: { regex: '^(?=a)' } }`);
    expect(rest).toEqual([]);
    expect(finding?.pointer).toBe('/spec/http/1/match/0/headers/x~1user/regex');
    expect(finding?.message).toBe(
      'VirtualService bookinfo/reviews regex "^(?=a)" at /spec/http/1/match/0/headers/x~1user/regex is rejected by istiod: error parsing regexp: invalid or unsupported Perl syntax: `(?=`.',
    );
    expect(finding?.hint).toMatch(/without lookaround.*RE2 Syntax/);
  });

  it.each([
    ['(?<!/)v1', /without lookaround/],
    ['(a)\\1', /without the backreference/],
    ['(?<x>a)\\k<x>', /without the backreference/],
    ['(?P<x>a)(?P=x)', /without the backreference/],
    ['(v1', /fix the regular expression|RE2/i],
  ])('hint for %s', (pattern, hint) => {
    const [finding] = analyze(`      match:\n        - uri: { regex: '${pattern}' }`);
    expect(finding?.hint).toMatch(hint);
  });

  it('reads every regex field of every match, CORS origins and the URI regex rewrite', () => {
    const findings = analyze(`      match:
        - uri: { regex: '(' }
          scheme: { regex: '(' }
          method: { regex: '(' }
          authority: { regex: '' }
        - queryParams: { a: { regex: '(' } }
          withoutHeaders: { b: { regex: '(' } }
      corsPolicy:
        allowOrigins: [{ exact: a }, { regex: '(' }]
      rewrite:
        uriRegexRewrite: { match: '(', rewrite: /x }`);
    expect(findings.map((f) => f.pointer)).toEqual([
      '/spec/http/1/match/0/uri/regex',
      '/spec/http/1/match/0/scheme/regex',
      '/spec/http/1/match/0/method/regex',
      '/spec/http/1/match/0/authority/regex',
      '/spec/http/1/match/1/queryParams/a/regex',
      '/spec/http/1/match/1/withoutHeaders/b/regex',
      '/spec/http/1/corsPolicy/allowOrigins/1/regex',
      '/spec/http/1/rewrite/uriRegexRewrite/match',
    ]);
    expect(findings[3]?.message).toContain('regex string match should not be empty');
  });

  it('cuts a long regex to 80 characters', () => {
    const long = `(?=${'a'.repeat(200)})`;
    const [finding] = analyze(`      match:\n        - uri: { regex: '${long}' }`);
    expect(finding?.message).toContain(JSON.stringify(`${long.slice(0, 79)}…`));
    expect(finding?.message).not.toContain('a'.repeat(100));
  });
});
