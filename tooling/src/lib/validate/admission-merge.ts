// Joins the schema's problems with istiod's (admission.ts) for one resource. Where both speak about the same
// field, istiod's finding is the one that says what to write (`timeout: 500` is "not a string" to the schema,
// and `"500"` would still be rejected), so the schema's problem at that pointer is dropped.
import type { Severity } from '../findings.ts';
import type { AdmissionProblem } from './admission.ts';
import type { Problem } from './messages.ts';

export interface RuledProblem extends Problem {
  rule: string;
  severity: Severity;
}

export function mergeAdmission(schema: readonly Problem[], admission: readonly AdmissionProblem[]): RuledProblem[] {
  const taken = new Set(admission.map((p) => p.pointer));
  return [...schema.filter((p) => !taken.has(p.pointer)).map((p) => ({ ...p, rule: 'schema', severity: 'error' as const })), ...admission];
}
