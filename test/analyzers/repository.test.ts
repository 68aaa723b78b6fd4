// The repository's own content through the real kustomize: every exercise, every cluster's exercise
// pointer and every app folder must render with no error findings and no warning that is not silenced
// with a reason.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeResources } from '../../tooling/src/lib/analyzers/index.ts';
import type { Finding } from '../../tooling/src/lib/findings.ts';
import { mapLimit } from '../../tooling/src/lib/map-limit.ts';
import { render } from '../../tooling/src/lib/render/index.ts';
import { parseManifests, type SourcedResource } from '../../tooling/src/lib/manifests.ts';

const ROOT = join(import.meta.dirname, '../..');

function kustomizationDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = existsSync(join(dir, 'kustomization.yaml')) ? [dir] : [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => kustomizationDirs(join(dir, e.name)));
  return [...own, ...children];
}

const units = [
  ...kustomizationDirs(join(ROOT, 'exercises')),
  ...readdirSync(join(ROOT, 'clusters'))
    .map((c) => join(ROOT, 'clusters', c, 'exercise'))
    .filter((d) => existsSync(join(d, 'kustomization.yaml'))),
  ...kustomizationDirs(join(ROOT, 'apps')),
].map((d) => relative(ROOT, d));

interface Result {
  error?: string;
  resources: SourcedResource[];
  findings: Finding[];
}

const results = new Map<string, Result>();

beforeAll(async () => {
  await mapLimit(units, 2, async (unit) => {
    const rendered = await render(join(ROOT, unit));
    if (!rendered.ok) {
      results.set(unit, { error: rendered.error, resources: [], findings: [] });
      return;
    }
    const parsed = parseManifests(rendered.yaml, unit);
    results.set(unit, { resources: parsed.resources, findings: [...parsed.findings, ...analyzeResources(parsed.resources)] });
  });
}, 300_000);

const show = (f: Finding): string => `${f.severity} ${f.rule} ${f.resource ?? ''} ${f.pointer ?? ''}: ${f.message}`;

describe('repository content passes the mesh analyzers', () => {
  it('covers every exercise, both kinds of folder, and the Bookinfo app', () => {
    expect(units).toContain('apps/bookinfo');
    expect(units.some((u) => u.startsWith('exercises/'))).toBe(true);
    expect(units.some((u) => /^clusters\/[^/]+\/exercise$/.test(u))).toBe(true);
  });

  for (const unit of units) {
    it(`${unit}: no errors, and no warnings unless silenced with a reason`, () => {
      const result = results.get(unit) as Result;
      expect(result.error).toBeUndefined();
      const failing = result.findings.filter((f) => !f.silenced && f.severity !== 'info');
      // A rule silenced without a reason is itself a warning (ignore-reason-missing), which no annotation silences.
      expect(failing.map(show)).toEqual([]);
    });
  }
});
