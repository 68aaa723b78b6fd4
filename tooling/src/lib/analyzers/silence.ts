// Per-resource silencing: an annotation on the resource a finding is about marks that finding silenced.
// Silenced findings are still returned and counted, but never fail a run.
import type { SourcedResource } from '../manifests.ts';
import { RULES } from './rules.ts';

/** Comma- or space-separated rule ids this resource opts out of, e.g. `"image-not-pinned, vs-unreachable-rule"`. */
export const IGNORE_RULES_ANNOTATION = 'mesh-workshop.dev/ignore-rules';
/** Why the rules are silenced; the repository's own content must give one next to every ignore-rules. */
export const IGNORE_REASON_ANNOTATION = 'mesh-workshop.dev/ignore-reason';
/** istioctl's own suppression annotation: IST codes (or `*`); it silences every rule mapped to a listed code. */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

function list(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((s) => s !== '');
}

/** The rule ids that `res` silences for itself. */
export function silencedRules(res: SourcedResource): Set<string> {
  const annotations = res.object.metadata.annotations ?? {};
  const ids = new Set(list(annotations[IGNORE_RULES_ANNOTATION]));
  const codes = list(annotations[ISTIO_SUPPRESS_ANNOTATION]);
  if (codes.length > 0) {
    for (const rule of RULES) {
      const istio = 'istio' in rule ? rule.istio : undefined;
      if (codes.includes('*') || (istio !== undefined && codes.includes(istio))) ids.add(rule.id);
    }
  }
  return ids;
}
