// The report stage: the findings as given and the tally, invalid counted per unit from every check.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../tooling/src/lib/findings.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { report } from '../../tooling/src/lib/validate/report.ts';
import type { RenderedUnit } from '../../tooling/src/lib/validate/types.ts';

const text = [
  'apiVersion: v1\nkind: Service\nmetadata: {name: good, namespace: ns}\nspec: {ports: [{port: 80}]}',
  'apiVersion: v1\nkind: Service\nmetadata: {name: typo, namespace: ns}\nspec: {prots: []}',
  'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: ns}',
].join('\n---\n');
const resources = () => parseManifests(text, 'f.yaml').resources;

describe('report stage', () => {
  it('counts a resource invalid when any check reported an unsilenced error on it, per unit', () => {
    const a: RenderedUnit = { source: 'a', kind: 'file', resources: resources() };
    const b: RenderedUnit = { source: 'b', kind: 'file', resources: resources() };
    const onGood = (severity: Finding['severity'], silenced?: boolean): Finding => ({ rule: 'x', severity, resource: 'Service ns/good', message: 'm', ...(silenced ? { silenced } : {}) });
    const findings = [onGood('error'), onGood('error', true), onGood('warning'), onGood('info')];
    const result = report(findings, [
      { unit: a, statuses: ['valid', 'invalid', 'skipped', 'valid'], resourceFindings: [onGood('error')] },
      { unit: b, statuses: ['valid', 'valid', 'valid', 'valid'], resourceFindings: [onGood('error', true), onGood('warning')] },
    ], 'not-found');
    expect(result.summary).toEqual({ resources: 8, valid: 5, invalid: 2, skipped: 1, errors: 1, warnings: 1, infos: 1, silenced: 1, units: 2, kubeconform: 'not-found' });
    expect(result.units).toEqual([a, b]);
    expect(result.skipped).toEqual([a.resources[2]]);
    expect(result.findings).toBe(findings);
  });
});
