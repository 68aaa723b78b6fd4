// Every rule has fixtures under test/fixtures/analyzers/<rule-id>/: each `trigger*.yaml` must raise that rule
// for the resources its `# expect:` lines name, and each `near-miss*.yaml` must not raise it at all.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeResources, RULES } from '../../tooling/src/lib/analyzers/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/analyzers');

function load(rule: string, file: string) {
  const path = join(FIXTURES, rule, file);
  const text = readFileSync(path, 'utf8');
  const parsed = parseManifests(text, `${rule}/${file}`);
  expect(parsed.findings).toEqual([]);
  const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => (m[1] as string).trim());
  return { findings: analyzeResources(parsed.resources), expected };
}

describe('rule fixtures', () => {
  it('has a fixture folder for exactly the rules in RULES', () => {
    const folders = readdirSync(FIXTURES).sort();
    expect(folders).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const rule of RULES) {
    const files = readdirSync(join(FIXTURES, rule.id));
    const triggers = files.filter((f) => f.startsWith('trigger'));
    const nearMisses = files.filter((f) => f.startsWith('near-miss'));

    describe(rule.id, () => {
      it('has at least one trigger and one near-miss', () => {
        expect(triggers.length).toBeGreaterThan(0);
        expect(nearMisses.length).toBeGreaterThan(0);
      });

      for (const file of triggers) {
        it(`${file} raises it for the expected resources`, () => {
          const { findings, expected } = load(rule.id, file);
          expect(expected.length).toBeGreaterThan(0);
          const hits = findings.filter((f) => f.rule === rule.id);
          expect([...new Set(hits.map((f) => f.resource))].sort()).toEqual([...expected].sort());
          for (const hit of hits) {
            expect(hit.severity).toBe(rule.severity);
            expect(hit.file).toBe(`${rule.id}/${file}`);
            expect(hit.line).toBeGreaterThan(0);
            expect(hit.pointer).toMatch(/^\//);
            expect(hit.message).toContain(hit.resource as string);
            expect(hit.hint).toBeTruthy();
            expect(hit.silenced).toBeUndefined();
          }
        });
      }

      for (const file of nearMisses) {
        it(`${file} does not raise it`, () => {
          const { findings } = load(rule.id, file);
          expect(findings.filter((f) => f.rule === rule.id)).toEqual([]);
        });
      }
    });
  }
});
