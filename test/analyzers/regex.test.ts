// The RE2 check behind vs-regex-invalid: which patterns RE2 (as istiod and Envoy read them) accepts,
// which constructs it names, and the wording and pointer of a finding.
import { describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import { re2Problem } from '../../tooling/src/lib/analyzers/regex.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

describe('re2Problem', () => {
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
    '[\\d-z]',
    '\\Q(?=\\E',
    '\\Aabc\\z',
    'a{2}b{1,}c{0,1000}',
    'x{,3}',
    'a{',
    '}',
    ']',
    '\\x41\\x{1F600}\\012\\0',
    '\\-\\/\\"',
    '^*',
    'a+?b*?c??',
    '',
  ])('accepts %s', (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });

  it.each([
    ['^(?=foo)', 'a lookahead', '(?='],
    ['^(?!jason$).*', 'a negative lookahead', '(?!'],
    ['(?<=/)v1', 'a lookbehind', '(?<='],
    ['(?<!/)v1', 'a negative lookbehind', '(?<!'],
    ['(a)\\1', 'a backreference', '\\1'],
    ['(a)\\9', 'a backreference', '\\9'],
    ['(?<x>a)\\k<x>', 'a named backreference', '\\k<'],
    ['(?P<x>a)(?P=x)', 'a named backreference', '(?P='],
    ['(?>a+)b', 'an atomic group', '(?>'],
    ['a*+', 'a possessive quantifier', '*+'],
    ['a++', 'a possessive quantifier', '++'],
    ['a?+', 'a possessive quantifier', '?+'],
    ['a{2}+', 'a possessive quantifier', '{2}+'],
  ])('names the construct in %s', (pattern, construct, token) => {
    expect(re2Problem(pattern)).toMatchObject({ kind: 'unsupported', construct, token });
  });

  it.each([
    ['(v1|v2', /unterminated group/i],
    ['v1)', /unmatched/i],
    ['*abc', /nothing to repeat/i],
    ['a**', /nothing to repeat/i],
    ['[a-', /missing closing \]/],
    ['[z-a]', /invalid character class range/],
    ['[[:alfa:]]', /invalid character class range/],
    ['\\p{Klingon}', /invalid character class range/],
    ['\\y', /invalid escape sequence `\\y`/],
    ['[\\b]', /invalid/],
    ['\\Z', /invalid escape sequence/],
    ['abc\\', /trailing backslash/],
    ['a{1001}', /invalid repeat count/],
    ['a{3,2}', /invalid repeat count/],
    ['(?#comment)', /unsupported Perl syntax/],
    ['(?i-)a', /unsupported Perl syntax/],
    ['(?P<1 x>a)', /invalid named capture/],
    ['(?P<a>x)(?P<a>y)', /duplicate capture group name/],
    ['\\x{110000}', /invalid escape sequence/],
  ])('rejects %s as not compiling', (pattern, reason) => {
    const problem = re2Problem(pattern);
    expect(problem?.kind).toBe('invalid');
    expect(problem?.kind === 'invalid' && problem.reason).toMatch(reason);
  });
});

function analyze(match: string) {
  const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: bookinfo }
spec:
  hosts: [reviews]
  http:
    - route: [{ destination: { host: reviews } }]
    - match:
${match}
      route: [{ destination: { host: reviews } }]`;
  const parsed = parseManifests(text, 'inline.yaml');
  expect(parsed.findings).toEqual([]);
  return analyzeResources(parsed.resources).filter((f) => f.rule === 'vs-regex-invalid');
}

describe('vs-regex-invalid findings', () => {
  it('name the resource, the pointer and the quoted regex, with a hint for the construct', () => {
    const [finding, ...rest] = analyze(`        - headers: { x/user: { regex: '^(?=a)' } }`);
    expect(rest).toEqual([]);
    expect(finding?.pointer).toBe('/spec/http/1/match/0/headers/x~1user/regex');
    expect(finding?.message).toBe(
      'VirtualService bookinfo/reviews regex "^(?=a)" at /spec/http/1/match/0/headers/x~1user/regex uses a lookahead (`(?=`), which RE2 does not support.',
    );
    expect(finding?.hint).toMatch(/without lookaround.*RE2 Syntax/);
  });

  it('reads every regex field of every match', () => {
    const findings = analyze(`        - uri: { regex: '(' }
          scheme: { regex: '(' }
          method: { regex: '(' }
          authority: { regex: '(' }
        - queryParams: { a: { regex: '(' } }
          withoutHeaders: { b: { regex: '(' } }`);
    expect(findings.map((f) => f.pointer).sort()).toEqual(
      [
        '/spec/http/1/match/0/uri/regex',
        '/spec/http/1/match/0/scheme/regex',
        '/spec/http/1/match/0/method/regex',
        '/spec/http/1/match/0/authority/regex',
        '/spec/http/1/match/1/queryParams/a/regex',
        '/spec/http/1/match/1/withoutHeaders/b/regex',
      ].sort(),
    );
    expect(findings[0]?.message).toMatch(/regex "\(" at \/spec\/http\/1\/match\/\d\/\w+\/(\w+\/)?regex does not compile as RE2: unterminated group\.$/i);
  });

  it('cuts a long regex to 80 characters', () => {
    const long = `(?=${'a'.repeat(200)})`;
    const [finding] = analyze(`        - uri: { regex: '${long}' }`);
    expect(finding?.message).toContain(JSON.stringify(`${long.slice(0, 79)}…`));
    expect(finding?.message).not.toContain('a'.repeat(100));
  });
});
