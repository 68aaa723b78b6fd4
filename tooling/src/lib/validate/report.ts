// Stage 6 of validate, report: the findings of every stage in order and the tally. A resource counts as
// invalid when the schema stage said so or when any other check reported an unsilenced error on it.
import type { Finding } from '../findings.ts';
import { resourceRef } from '../manifests.ts';
import type { KubeconformUse, RenderedUnit, Status, ValidationReport, ValidationSummary } from './types.ts';

export interface UnitOutcome {
  unit: RenderedUnit;
  /** One per resource of the unit, from the schema stage. */
  statuses: readonly Status[];
  /** Every finding any stage reported on the unit's resources (schema, kubeconform, analyzers). */
  resourceFindings: Finding[];
}

export function summarize(findings: readonly Finding[], outcomes: readonly UnitOutcome[], kubeconform: KubeconformUse): ValidationSummary {
  const summary: ValidationSummary = { resources: 0, valid: 0, invalid: 0, skipped: 0, errors: 0, warnings: 0, infos: 0, silenced: 0, units: outcomes.length, kubeconform };
  for (const { unit, statuses, resourceFindings } of outcomes) {
    const rejected = new Set<string>();
    for (const f of resourceFindings) if (f.resource && f.severity === 'error' && !f.silenced) rejected.add(f.resource);
    unit.resources.forEach((r, i) => {
      const status = statuses[i];
      summary.resources++;
      if (status === 'skipped') summary.skipped++;
      else if (status === 'invalid' || (rejected.size > 0 && rejected.has(resourceRef(r.object)))) summary.invalid++;
      else summary.valid++;
    });
  }
  for (const f of findings) {
    if (f.silenced) summary.silenced++;
    else if (f.severity === 'error') summary.errors++;
    else if (f.severity === 'warning') summary.warnings++;
    else summary.infos++;
  }
  return summary;
}

export function report(findings: Finding[], outcomes: readonly UnitOutcome[], kubeconform: KubeconformUse): ValidationReport {
  const skipped = outcomes.flatMap(({ unit, statuses }) => unit.resources.filter((_, i) => statuses[i] === 'skipped'));
  return { findings, summary: summarize(findings, outcomes, kubeconform), units: outcomes.map((o) => o.unit), skipped };
}
