// Stage 4 of validate, schema: every resource of a unit against its in-process schema, strictly (an
// unknown field is an error), with istiod's admission checks. Pure once the schemas are loaded; loading is the one asynchronous step.
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';
import { admissionProblems } from './admission.ts';
import { mergeAdmission } from './admission-merge.ts';
import { schemaProblems, unknownFieldProblem } from './messages.ts';
import { loadedSchema, loadSchema, suggestSchema } from './schemas.ts';
import { append, type SchemaOptions, type Status } from './types.ts';

export interface SchemaResult {
  /** One per resource, in order. */
  statuses: Status[];
  findings: Finding[];
}

/** Loads the schemas the resources need, each once, concurrently. */
export async function loadSchemasFor(resources: Iterable<SourcedResource>): Promise<void> {
  // By apiVersion, then kind: no key string per resource.
  const wanted = new Map<string, Set<string>>();
  for (const r of resources) {
    const { apiVersion, kind } = r.object;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
    let kinds = wanted.get(apiVersion);
    if (!kinds) wanted.set(apiVersion, (kinds = new Set()));
    kinds.add(kind);
  }
  await Promise.all([...wanted].flatMap(([a, kinds]) => [...kinds].map((k) => loadSchema(a, k))));
}

type Checked = { status: Status; findings: readonly Finding[] };
/** The common outcomes, shared: most resources are valid, and nothing is allocated for them. */
const VALID: Checked = Object.freeze({ status: 'valid', findings: Object.freeze([]) });
const SKIPPED: Checked = Object.freeze({ status: 'skipped', findings: Object.freeze([]) });

function missingSchemaHint(apiVersion: string, kind: string): string {
  const guess = suggestSchema(apiVersion, kind);
  if (guess.apiVersion) return `Did you mean \`apiVersion: ${guess.apiVersion}\`? ${kind} has a schema there.`;
  if (guess.kind) return `Did you mean \`kind: ${guess.kind}\`?`;
  return `Check apiVersion and kind for typos; for a kind the toolkit does not know, pass --ignore-missing-schemas or --skip ${kind}.`;
}

function checkResource(r: SourcedResource, skip: ReadonlySet<string>, ignoreMissing: boolean): Checked {
  const { apiVersion, kind } = r.object;
  if (skip.size > 0 && skip.has(kind)) return SKIPPED;
  // Built only for findings: on 10,000 valid resources the names alone were a measurable share.
  const base = (pointer: string) => ({ severity: 'error' as const, ...placeOf(r, pointer), resource: resourceRef(r.object), source: 'toolkit' as const });
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    return {
      status: 'invalid',
      findings: [{ ...base('/apiVersion'), rule: 'schema', pointer: '/apiVersion', message: 'missing required field "apiVersion".', hint: 'Add `apiVersion:` (for example `v1` or `apps/v1`) above `kind`.' }],
    };
  }
  const schema = loadedSchema(apiVersion, kind);
  if (schema === undefined) throw new Error(`Schema for ${apiVersion} ${kind} was not loaded; call loadSchemasFor() first.`);
  if (schema === null) {
    if (ignoreMissing) return SKIPPED;
    return {
      status: 'invalid',
      findings: [
        {
          ...base('/kind'),
          rule: 'missing-schema',
          pointer: '/kind',
          message: `No schema for ${kind} (${apiVersion}), so it cannot be checked.`,
          hint: missingSchemaHint(apiVersion, kind),
        },
      ],
    };
  }
  const { errors, unknown } = schema.validator.check(r.object as unknown as Record<string, unknown>);
  // istiod's admission checks (admission.ts) run with the schema: both are what the cluster refuses.
  const admission = schema.family === 'istio' ? admissionProblems(r.object) : [];
  if (errors.length === 0 && unknown.length === 0 && admission.length === 0) return VALID;
  const problems = mergeAdmission([...unknown.map((u) => unknownFieldProblem(u, kind)), ...schemaProblems(errors, r.object)], admission);
  if (problems.length === 0) return VALID;
  problems.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
  const findings = problems.map((p) => ({ ...base(p.pointer), rule: p.rule, severity: p.severity, pointer: p.pointer, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
  return { status: findings.some((f) => f.severity === 'error') ? 'invalid' : 'valid', findings };
}

/**
 * The schema stage over one unit's resources (their schemas loaded); findings are placed by each resource's origin.
 * `validTexts`, one set for a run with the same `opts`: the document texts (SourcedResource.text) already found
 * valid, with no finding. A resource with one of them is valid without a second check: kustomize renders the
 * shared bases of many exercises and clusters to the same documents, over and over.
 */
export function checkSchemas(resources: readonly SourcedResource[], opts: SchemaOptions, validTexts?: Set<string>): SchemaResult {
  const skip = new Set(opts.skipKinds ?? []);
  const ignoreMissing = opts.ignoreMissingSchemas ?? false;
  const statuses: Status[] = [];
  const findings: Finding[] = [];
  for (const r of resources) {
    if (r.text !== undefined && validTexts?.has(r.text)) {
      statuses.push('valid');
      continue;
    }
    const result = checkResource(r, skip, ignoreMissing);
    if (result === VALID && r.text !== undefined) validTexts?.add(r.text);
    statuses.push(result.status);
    append(findings, result.findings);
  }
  return { statuses, findings };
}

/**
 * Pure, in-process schema validation. Schemas load lazily, so call `await loadSchemasFor(resources)` first
 * (or use validateResourcesAsync); a kind whose schema was not loaded throws.
 */
export function validateResources(resources: SourcedResource[], opts: SchemaOptions = {}): Finding[] {
  return checkSchemas(resources, opts).findings;
}

/** loadSchemasFor + validateResources. */
export async function validateResourcesAsync(resources: SourcedResource[], opts: SchemaOptions = {}): Promise<Finding[]> {
  await loadSchemasFor(resources);
  return validateResources(resources, opts);
}
