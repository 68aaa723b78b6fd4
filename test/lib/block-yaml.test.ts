// The fast path must never disagree with js-yaml: whatever it returns, js-yaml returns too (same values, same
// types, same key order); whatever it is unsure of, it leaves to js-yaml. Checked on hand-picked cases, on every
// YAML document of this repository, and on thousands of randomly damaged documents.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BlockYaml, blockYamlEligible } from '../../tooling/src/lib/block-yaml.ts';

const ROOT = join(import.meta.dirname, '../..');
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });
const block = new BlockYaml(SCHEMA);

const fast = (text: string): unknown => (blockYamlEligible(text) ? block.parse(text) : undefined);
const slow = (text: string): unknown => yaml.load(text, { schema: SCHEMA });

/** Asserts the fast path's answer is js-yaml's; returns whether the fast path answered at all. */
function agrees(text: string): boolean {
  const value = fast(text);
  if (value === undefined) return false;
  let expected: unknown;
  try {
    expected = slow(text);
  } catch (error) {
    throw new Error(`fast path accepted what js-yaml rejects (${(error as Error).message}):\n${text}`);
  }
  expect(value, text).toStrictEqual(expected);
  // Key order is part of the result: output and findings follow it.
  expect(JSON.stringify(value), text).toBe(JSON.stringify(expected));
  return true;
}

describe('BlockYaml: what it reads', () => {
  const accepted: [string, unknown][] = [
    ['apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' } }],
    ['a: 90\nb: 100.0\nc: -1\nd: 0o17\ne: 0x1F\nf: 010\ng: 1_000\n', { a: 90, b: 100, c: -1, d: 15, e: 31, f: 10, g: '1_000' }],
    ['a: true\nb: False\nc: yes\nd: ~\ne: null\nf:\ng: .inf\nh: -.Inf\n', { a: true, b: false, c: 'yes', d: null, e: null, f: null, g: Infinity, h: -Infinity }],
    ['a: "90"\nb: \'true\'\nc: ""\nd: \'\'\ne: "a #b"\nf: \'back\\slash\'\n', { a: '90', b: 'true', c: '', d: '', e: 'a #b', f: 'back\\slash' }],
    ['a: http://x:9080/a#b\nb: a  b\nc: 7s   \nd: -x\ne: a,b[c]\n', { a: 'http://x:9080/a#b', b: 'a  b', c: '7s', d: '-x', e: 'a,b[c]' }],
    ['hosts:\n- reviews\n- "*"\nhttp:\n- match:\n  - headers:\n      end-user:\n        exact: jason\n  route:\n  - destination:\n      host: reviews\n      subset: v2\n',
      { hosts: ['reviews', '*'], http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] }],
    ['a:\n  - 1\n  -   b: 2\n      c: 3\n# comment\n\nd: {}\ne: []\n', { a: [1, { b: 2, c: 3 }], d: {}, e: [] }],
    ['null: a\nTrue: b\n0x10: c\napp.kubernetes.io/name: d\n', { null: 'a', true: 'b', 16: 'c', 'app.kubernetes.io/name': 'd' }],
    ['- a:\n- b\n', [{ a: null }, 'b']],
    ['  indented: top\n  second: 2\n', { indented: 'top', second: 2 }],
  ];
  it.each(accepted)('%j', (text, value) => {
    expect(fast(text)).toStrictEqual(value);
    expect(agrees(text)).toBe(true);
  });

  it('types every plain scalar as js-yaml does, keys included', () => {
    const words = ['null', 'Null', 'NULL', 'nULL', 'nul', 'nulls', '~', '~~', 'true', 'True', 'TRUE', 'tRUE', 'truE', 'false', 'False', 'FALSE', 'fALSE', 'falsy',
      'yes', 'no', 'on', 'off', 'y', 'n', 'none', 'nope', 'tree', 'fold', '.inf', '-.inf', '+.INF', '.Inf', '.NaN', '.nan', '.NAN', '.5', '-.5', '+1', '-0', '0',
      '00', '09', '0b101', '0b102', '0o17', '0o18', '0x1f', '0xG', '1e3', '1E-3', '1.5e+3', '1_000', '1__0', '+', '-a', '3.', '1.2.3', '12:30', '<3', 'v1', 'Name'];
    let answered = 0;
    for (const word of words) if (agrees(`value: ${word}\n${word}: key\nlist:\n- ${word}\n`)) answered++;
    expect(answered).toBeGreaterThan(words.length * 0.8);
  });

  it('tells apart keys of the same length and first character, beyond what it remembers of them', () => {
    // Keys are remembered by length and first character, eight of a kind and 4,096 kinds at most.
    const keys = ['name', 'nAme', 'nbme', 'null', 'NULL_', 'n0x1', 'n-_.', 'nulL', 'True', 'tRue'];
    for (let i = 0; i < 40; i++) keys.push(`k${String(i).padStart(3, '0')}`, `${i}`.padStart(4, '0'));
    for (let i = 0; i < 5000; i++) keys.push(`${String.fromCharCode(97 + (i % 26))}${'x'.repeat(Math.floor(i / 26) % 60)}${i}`);
    const text = keys.map((k, i) => `${k}: ${i}\n`).join('');
    // Three times, so later passes read the keys it remembered from earlier ones.
    for (let pass = 0; pass < 3; pass++) {
      expect(agrees(text)).toBe(true);
      expect(Object.keys(fast(text) as object)).toHaveLength(new Set(Object.keys(slow(text) as object)).size);
    }
    // A remembered key is not mistaken for a longer one it begins, nor a duplicate missed.
    expect(agrees('namespace: a\nname: b\nnames: c\n')).toBe(true);
    expect(fast('name: a\nnAme: b\nname: c\n')).toBeUndefined();
  });

  const outside: string[] = [
    'a: &x 1\nb: *x\n', // anchors, aliases
    'a: !!str 1\n', // tags
    'a: |\n  text\n', // block scalars
    'a: >\n  text\n',
    'a: [1, 2]\n', // flow collections
    'a: {b: 1}\n',
    'a: "esc\\"aped"\n', // escapes
    "a: 'it''s'\n",
    'a: "tab\\tx"\n',
    'a: "open\n  close"\n', // multi-line scalars
    'a: plain\n  continued\n',
    'a: 1 # comment\n', // comments after content
    'a: 1\na: 2\n', // duplicate keys (js-yaml's error names the line)
    'a: 1\n b: 2\n', // odd indentation
    'a:\n  b: 1\n c: 2\n',
    '"quoted": key\n',
    '? complex\n: key\n',
    'a:\tb\n', // tabs
    'a: 1\r\nb: 2\r\n', // CR
    '\uFEFFa: 1\n', // BOM
    '<<: {a: 1}\n', // merge keys
    '__proto__: x\n',
    'a: b: c\n',
    'a: x:\n',
    '- - nested\n',
    '-\n  a: 1\n',
    'a: - x\n',
    'just a scalar\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: \u0007\n', // non-printable
    '',
    '# only a comment\n',
  ];
  it.each(outside)('leaves %j to js-yaml', (text) => {
    expect(fast(text)).toBeUndefined();
  });
});

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'dist') yamlFiles(path, out);
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

const documents = (text: string) => text.split(/^---(?:[ \t].*)?$/m);

describe('BlockYaml against js-yaml', () => {
  const read = (dirs: string[]) => dirs.flatMap((d) => yamlFiles(join(ROOT, d))).flatMap((f) => documents(readFileSync(f, 'utf8'))).filter((d) => d.trim() !== '');
  const manifests = read(['apps', 'clusters', 'exercises']);
  // Test fixtures (broken on purpose) and workflows (block scalars) are mostly for js-yaml; they check the declines.
  const docs = [...manifests, ...read(['test/fixtures', '.github'])];

  it('agrees on every YAML document of this repository, and reads most of its manifests itself', () => {
    const answered = new Set<string>();
    for (const doc of docs) {
      let rejects = false;
      try {
        slow(doc);
      } catch {
        rejects = true;
      }
      if (rejects) expect(fast(doc), doc).toBeUndefined();
      else if (agrees(doc)) answered.add(doc);
    }
    expect(docs.length).toBeGreaterThan(200);
    // Not a speed claim: a fast path that declined everything would pass the agreement check trivially.
    expect(manifests.filter((d) => answered.has(d)).length / manifests.length).toBeGreaterThan(0.8);
  });

  it('agrees on thousands of randomly damaged documents (seeded, reproducible)', () => {
    let seed = 20261125;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const tokens = [' ', '  ', '-', '- ', ':', ': ', '#', ' #', '"', "'", '\n', '[', ']', '{', '}', '&a ', '*a', '!!str ', '|', '>', '~', '0x1', '.inf', '1e3',
      '<<', '__proto__', '\t', 'yes', 'True', '?', '%', '@', ',', '\\', '\r', 'null', '- a: 1\n', 'k: v\n', '""', "''", '0', '-1', '.'];
    const base = docs.filter((d) => d.length < 4000);
    let answered = 0;
    const rounds = 6000;
    for (let round = 0; round < rounds; round++) {
      let text = pick(base);
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = random();
        if (kind < 0.4) text = text.slice(0, at) + pick(tokens) + text.slice(at);
        else if (kind < 0.6) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
        else if (kind < 0.8) {
          // Shift one line's indentation by one or two spaces either way.
          const start = text.lastIndexOf('\n', at - 1) + 1;
          text = random() < 0.5 ? `${text.slice(0, start)}${random() < 0.5 ? ' ' : '  '}${text.slice(start)}` : text.slice(0, start) + text.slice(start).replace(/^ {1,2}/, '');
        } else {
          // Duplicate a line: duplicate keys and list items.
          const start = text.lastIndexOf('\n', at - 1) + 1;
          const end = text.indexOf('\n', at);
          const line = text.slice(start, end === -1 ? text.length : end + 1);
          text = text.slice(0, start) + line + (line.endsWith('\n') ? '' : '\n') + text.slice(start);
        }
      }
      let rejects = false;
      try {
        slow(text);
      } catch {
        rejects = true;
      }
      if (rejects) {
        if (fast(text) !== undefined) throw new Error(`fast path accepted what js-yaml rejects:\n${text}`);
      } else if (agrees(text)) answered++;
    }
    // Many damaged documents are still plain YAML; the fast path must have answered for a good share of them.
    expect(answered).toBeGreaterThan(rounds / 10);
  });
});

describe('the js-yaml internals the fast path reads', () => {
  // block-yaml.ts types plain scalars with js-yaml 4's compiledImplicit and manifests.ts adds js-yaml 4's
  // exported merge type; neither is public API and js-yaml 5 has neither. An upgrade must fail here, loudly,
  // instead of silently sending every document down the slow path or losing merge keys.
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/js-yaml/package.json'), 'utf8')) as { version: string };

  it('pins js-yaml to major 4, and 4 is what is installed', () => {
    expect(pkg.dependencies['js-yaml']).toMatch(/^~4\.\d+\.\d+$/);
    expect(installed.version).toMatch(/^4\./);
  });

  it('finds the core implicit types and the merge type, so the fast path is on', () => {
    expect(merge).toBeInstanceOf(yaml.Type);
    expect(block.enabled).toBe(true);
    expect(block.parse('a: 1\nb: true\nc: ~\nd: x\n')).toStrictEqual({ a: 1, b: true, c: null, d: 'x' });
  });

  it('turns itself off, never guesses, when a schema does not expose them', () => {
    const without = new BlockYaml({} as yaml.Schema);
    expect(without.enabled).toBe(false);
    expect(without.parse('a: 1\n')).toBeUndefined();
  });
});
