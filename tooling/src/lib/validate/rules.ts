// The rules validate itself reports beyond `schema` and the mesh analyzers: istiod's admission checks
// (admission.ts) and the input checks. docs/rules.md documents each one; a test keeps the two in step.
// None of them can be silenced by annotation: they are what the API server, kustomize or this toolkit
// refuses, whatever a resource says about itself.
import type { Severity } from '../findings.ts';
import { ADMISSION_RULES } from './admission.ts';
import { INPUT_RULES } from './inputs.ts';

export interface ValidateRule {
  id: string;
  severity: Severity;
  summary: string;
}

export const VALIDATE_RULES: readonly ValidateRule[] = [
  ...ADMISSION_RULES,
  ...INPUT_RULES,
  { id: 'exercise-schema', severity: 'error', summary: 'An exercise.yaml breaks its schema: an unknown field, a wrong type, a missing field.' },
  { id: 'callgraph-schema', severity: 'error', summary: 'apps/bookinfo/callgraph.yaml breaks its schema.' },
];
