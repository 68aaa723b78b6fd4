// Rules about the repository's own layout, which no single manifest can break: a cluster's engine objects that
// sync another cluster's folder, and an exercise catalog that commands cannot read as intended. They run in
// `npm run validate` next to the mesh analyzers; docs/rules.md documents each one (a test keeps them in step).
import type { Severity } from '../findings.ts';

export interface RepositoryRule {
  id: string;
  severity: Severity;
  summary: string;
}

export const REPOSITORY_RULES = [
  {
    id: 'cluster-path-mismatch',
    severity: 'error',
    summary: "An engine object in clusters/<name>/ syncs a folder of another cluster (Flux `spec.path`, Argo CD `spec.source.path`).",
  },
  {
    id: 'exercise-metadata-missing',
    severity: 'error',
    summary: 'A folder under exercises/ has no exercise.yaml, so no command lists or promotes it.',
  },
  {
    id: 'exercise-order-duplicate',
    severity: 'error',
    summary: 'Two exercises share an `order`, so the workshop order and `promote --next` are ambiguous.',
  },
] as const satisfies readonly RepositoryRule[];
