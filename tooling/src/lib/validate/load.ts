// Stage 3 of validate, load: parses each rendered text into the resources of one unit. Parse problems are
// findings; on kustomize's output they name only the directory, since its lines mean nothing to the user.
import type { Finding } from '../findings.ts';
import { parseManifests } from '../manifests.ts';
import type { Rendered } from './render.ts';
import type { RenderedUnit } from './types.ts';

export interface Loaded {
  unit: RenderedUnit;
  /** Render, read and parse problems. */
  findings: Finding[];
  /** Text the resources were parsed from. */
  text?: string;
  /** The target's absolute path ("-" for stdin), when it rendered. */
  abs?: string;
}

export function load(rendered: Rendered): Loaded {
  const { target, text } = rendered;
  const unit: RenderedUnit = { source: target.source, kind: target.kind, resources: [] };
  if (text === undefined) return { unit, findings: rendered.findings };
  const parsed = parseManifests(text, target.source);
  unit.resources = parsed.resources;
  if (target.kind === 'kustomization') {
    for (const f of parsed.findings) delete f.line;
    if (parsed.findings.some((f) => f.rule === 'empty')) {
      for (const f of parsed.findings) if (f.rule === 'empty') f.message = 'The kustomization renders no resources.';
    }
  }
  return { unit, findings: [...rendered.findings, ...parsed.findings], text, abs: target.abs };
}
