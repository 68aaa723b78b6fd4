// The gate itself: every kustomization under clusters/, apps/ and exercises/ renders and validates clean.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { findKustomizations, validate } from '../../tooling/src/lib/validate/index.ts';
import { defaultAnalyzers } from '../../tooling/src/lib/validate/analyzers.ts';
import { formatText } from '../../tooling/src/lib/validate/output.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the repository', () => {
  it('validates clean', async () => {
    const dirs = await findKustomizations(root);
    expect(dirs.length).toBeGreaterThan(0);
    const report = await validate({ root, analyzers: defaultAnalyzers, kubeconform: { binary: false } });
    const failing = report.findings.filter((f) => f.severity === 'error' && !f.silenced);
    // The whole text report on failure says what to fix.
    expect(failing, formatText(report)).toEqual([]);
    expect(report.summary.units).toBe(dirs.length);
    expect(report.summary.resources).toBeGreaterThan(0);
    expect(report.summary.invalid).toBe(0);
  }, 300_000);
});
