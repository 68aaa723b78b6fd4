// docs/rules.md and RULES must describe the same rules, with the same severities and codes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES as MESH_RULES } from '../../tooling/src/lib/analyzers/index.ts';
import { REPOSITORY_RULES } from '../../tooling/src/lib/repository/index.ts';
import { VALIDATE_RULES } from '../../tooling/src/lib/validate/rules.ts';

// The mesh analyzers and the repository-layout rules share the page and its summary table.
const RULES = [...MESH_RULES, ...REPOSITORY_RULES];

const doc = readFileSync(join(import.meta.dirname, '../../docs/rules.md'), 'utf8');

/** `### \`id\`` sections, each with the text up to the next heading. */
function entries(): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of doc.split(/^### /m).slice(1)) {
    const id = /^`([a-z0-9-]+)`/.exec(part)?.[1];
    if (id) out.set(id, part.split(/^## /m)[0] as string);
  }
  return out;
}

describe('docs/rules.md', () => {
  // The analyzers' rules and validate's own (admission checks, input checks), each documented once.
  const ids = [...RULES, ...VALIDATE_RULES].map((r) => r.id).sort();

  it('has an entry for every rule in RULES and VALIDATE_RULES and no other', () => {
    expect([...entries().keys()].sort()).toEqual(ids);
  });

  it('has a summary row for every rule and no other', () => {
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(ids);
  });

  for (const rule of VALIDATE_RULES) {
    it(`${rule.id}: states its severity`, () => {
      expect(entries().get(rule.id) ?? '').toContain(`Severity: ${rule.severity}`);
      expect(doc).toMatch(new RegExp(`^\\| \`${rule.id}\` \\| ${rule.severity} \\|`, 'm'));
    });
  }

  for (const rule of RULES) {
    it(`${rule.id}: states its severity and codes`, () => {
      const entry = entries().get(rule.id) ?? '';
      expect(entry).toContain(`Severity: ${rule.severity}`);
      const istio = 'istio' in rule ? rule.istio : undefined;
      const kiali = 'kiali' in rule ? rule.kiali : undefined;
      if (istio) expect(entry).toContain(istio);
      if (kiali) expect(entry).toContain(kiali);
      // The last column says what istioctl does that the rule does not; it may be empty.
      const row = new RegExp(`^\\| \`${rule.id}\` \\| ${rule.severity} \\| *${istio ?? ''} *\\| *${kiali ?? ''} *\\|[^|]*\\|$`, 'm');
      expect(doc).toMatch(row);
    });
  }
});
