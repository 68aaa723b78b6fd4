// Stage 3 of validate, load: parses each rendered text into the resources of one unit, each with its origin
// (where a finding on it will point). Parse problems are findings; on kustomize's output they name only the
// directory, since its lines mean nothing to the user.
import type { Finding } from '../findings.ts';
import { parseManifests } from '../manifests.ts';
import { renderedOrigins } from './origins.ts';
import type { Rendered } from './render.ts';
import type { RenderedUnit } from './types.ts';

export interface Loaded {
  unit: RenderedUnit;
  /** Render, read and parse problems. */
  findings: Finding[];
  /** Length of the text the resources were parsed from (0 when nothing could be read). */
  textLength: number;
}

export function load(root: string, rendered: Rendered): Loaded {
  const { target, text } = rendered;
  const unit: RenderedUnit = { source: target.source, kind: target.kind, resources: [] };
  if (text === undefined) return { unit, findings: rendered.findings, textLength: 0 };
  const parsed = parseManifests(text, target.source);
  unit.resources = parsed.resources;
  if (target.kind === 'kustomization') {
    const originOf = renderedOrigins(root, target.abs, target.source);
    for (const r of unit.resources) r.origin = originOf(r);
    for (const f of parsed.findings) delete f.line;
    if (parsed.findings.some((f) => f.rule === 'empty')) {
      for (const f of parsed.findings) if (f.rule === 'empty') f.message = 'The kustomization renders no resources.';
    }
  }
  return { unit, findings: [...rendered.findings, ...parsed.findings], textLength: text.length };
}
