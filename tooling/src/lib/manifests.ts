// Parses multi-document YAML (or JSON) manifests into resources that remember where they came from.
// Documents are split on `---` lines, as kubectl and kubeconform do, so each keeps its first line number;
// parse problems become findings (never exceptions) so a run can report everything at once.
import yaml from 'js-yaml';
import { BlockYaml, blockYamlEligible } from './block-yaml.ts';
import type { Finding } from './findings.ts';
import { DocumentOrigin, type Origin, type Place } from './origin.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface SourcedResource {
  object: KubeObject;
  /** Repository-relative file, or the kustomization directory it was rendered from. */
  file: string;
  /** 1-based line where the document starts in the text that was parsed. */
  line: number;
  /** 0-based index of the document in that text. */
  index: number;
  /** Where its fields are written: set by parseManifests, replaced by validate's load stage for kustomize output. */
  origin?: Origin;
  /**
   * The YAML text of its document, when the document is the resource alone (not a List): two resources with
   * the same text are the same object, so validate checks a text's schema once per run.
   */
  text?: string;
}

/** The file and line a finding on field `pointer` of `r` names (the document's first line without an origin). */
export function placeOf(r: SourcedResource, pointer?: string): Place {
  return r.origin ? r.origin.at(pointer) : { file: r.file, line: r.line };
}

export interface ParseResult {
  resources: SourcedResource[];
  findings: Finding[];
}

/** `Kind namespace/name`, or `Kind name` when the object has no namespace. */
export function resourceRef(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const name = object.metadata?.name ?? '<unnamed>';
  const ns = object.metadata?.namespace;
  return ns ? `${object.kind} ${ns}/${name}` : `${object.kind} ${name}`;
}

interface RawDocument {
  text: string;
  line: number;
}

// Kubernetes reads YAML through go-yaml into JSON, so unquoted dates stay strings; merge keys (`<<`) work.
// js-yaml's core schema plus the merge type matches that, and skips the timestamp resolver's cost.
// (js-yaml 4 exports its built-in types at run time; @types/js-yaml does not declare them. package.json pins
// the major version, and test/lib/block-yaml.test.ts fails if the export goes away.)
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const KUBE_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });
/** Reads the plainest documents many times faster than js-yaml, and declines every other (block-yaml.ts). */
const blockYaml = new BlockYaml(KUBE_SCHEMA);

const SEPARATORS = /^---(?:[ \t][^\n]*)?$/gm;
/** A line with content: not blank, not a comment, not a `...` document end marker. */
const CONTENT_LINE = /^(?![ \t]*(?:#|\.\.\.[ \t]*\r?$))[ \t]*\S/m;

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Splits on `---` lines without copying the text line by line; each document keeps its first line number. */
function splitDocuments(text: string): RawDocument[] {
  const docs: RawDocument[] = [];
  let start = 0;
  let line = 1;
  for (const m of text.matchAll(SEPARATORS)) {
    const at = m.index as number;
    docs.push({ text: text.slice(start, at), line });
    line += countLines(text, start, at) + 1;
    start = at + m[0].length + 1;
  }
  docs.push({ text: start <= text.length ? text.slice(start) : '', line });
  return docs;
}

function isBlank(text: string): boolean {
  return !CONTENT_LINE.test(text);
}

/**
 * Parses `text` (from `file`) into resources. A `List` kind is expanded into its items.
 * Empty files, malformed YAML, duplicate keys and documents without `kind` become findings.
 */
export function parseManifests(text: string, file: string): ParseResult {
  const resources: SourcedResource[] = [];
  const findings: Finding[] = [];
  const docs = splitDocuments(text);
  if (docs.every((d) => isBlank(d.text))) {
    findings.push({
      rule: 'empty',
      severity: 'error',
      file,
      line: 1,
      message: 'The file contains no Kubernetes resources.',
      hint: 'Add a resource, or remove the file and any reference to it.',
    });
    return { resources, findings };
  }
  const fast = blockYamlEligible(text);
  docs.forEach((doc, index) => {
    if (isBlank(doc.text)) return;
    let value: unknown = fast ? blockYaml.parse(doc.text) : undefined;
    try {
      if (value === undefined) value = yaml.load(doc.text, { filename: file, schema: KUBE_SCHEMA });
    } catch (error) {
      const e = error as { mark?: { line?: number; position?: number }; reason?: string; message?: string };
      let reason = e.reason ?? e.message ?? String(error);
      const duplicate = /duplicated mapping key/.test(reason);
      if (duplicate && e.mark?.position !== undefined) {
        // js-yaml's reason does not say which key; the text at the error mark does.
        const key = /^\s*(?:-\s+)*["']?([^"':#\n]+?)["']?\s*:/.exec(doc.text.slice(doc.text.lastIndexOf('\n', e.mark.position - 1) + 1))?.[1];
        if (key) reason = `"${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}" appears twice in the same mapping`;
      }
      findings.push({
        rule: 'yaml',
        severity: 'error',
        file,
        line: doc.line + (e.mark?.line ?? 0),
        message: duplicate ? `Duplicate key: ${reason}.` : `Malformed YAML: ${reason}.`,
        hint: duplicate
          ? 'Remove one of the two keys; YAML keeps only the last and the first is silently lost.'
          : 'Fix the YAML syntax at that line (indentation, a missing colon, or an unclosed quote are the usual causes).',
      });
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      findings.push({
        rule: 'yaml',
        severity: 'error',
        file,
        line: doc.line,
        message: 'The document is not a YAML mapping, so it cannot be a Kubernetes resource.',
        hint: 'Each document must be a mapping with apiVersion, kind and metadata.',
      });
      return;
    }
    const object = value as Partial<KubeObject>;
    if (typeof object.kind !== 'string' || object.kind === '') {
      findings.push({
        rule: 'missing-kind',
        severity: 'error',
        file,
        line: doc.line,
        message: 'The document has no `kind`, so it cannot be validated or applied.',
        hint: 'Add `apiVersion` and `kind` at the top of the document.',
      });
      return;
    }
    if (object.kind.endsWith('List') && Array.isArray((object as { items?: unknown }).items)) {
      for (const [i, item] of (object as { items: unknown[] }).items.entries()) {
        if (item && typeof item === 'object') {
          const obj = item as KubeObject;
          obj.metadata ??= {};
          resources.push({ object: obj, file, line: doc.line, index, origin: new DocumentOrigin(file, doc.text, doc.line, ['items', String(i)]) });
        }
      }
      return;
    }
    object.metadata ??= {};
    resources.push({ object: object as KubeObject, file, line: doc.line, index, origin: new DocumentOrigin(file, doc.text, doc.line), text: doc.text });
  });
  return { resources, findings };
}
