// Per-resource silencing: an annotation on the resource a finding is about marks that finding silenced.
// Silenced findings are still returned and counted, but never fail a run. The annotations are checked too.
import type { SourcedResource } from '../manifests.ts';
import { didYouMean } from '../suggest.ts';
import { ref, seg, str, type Collector, type Model } from './model.ts';
import { isRuleId, RULES } from './rules.ts';

/** Comma- or space-separated rule ids this resource opts out of, e.g. `"image-not-pinned, vs-unreachable-rule"`. */
export const IGNORE_RULES_ANNOTATION = 'mesh-workshop.dev/ignore-rules';
/** Why the rules are silenced; required next to either silencing annotation (rule `ignore-reason-missing`). */
export const IGNORE_REASON_ANNOTATION = 'mesh-workshop.dev/ignore-reason';
/** istioctl's own suppression annotation: IST codes (or `*`); it silences every rule mapped to a listed code. */
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

const RULE_IDS = RULES.map((r) => r.id);
/** The rules about the annotations themselves: a silence that could silence its own check would prove nothing. */
const UNSILENCEABLE = new Set<string>(RULES.filter((r) => r.category === 'silencing').map((r) => r.id));

function list(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(/[\s,]+/).filter((s) => s !== '');
}

function annotation(res: SourcedResource, key: string): string | undefined {
  return str(res.object.metadata.annotations?.[key]);
}

/** The rule ids that `res` silences for itself. */
export function silencedRules(res: SourcedResource): Set<string> {
  const ids = new Set(list(annotation(res, IGNORE_RULES_ANNOTATION)));
  const codes = list(annotation(res, ISTIO_SUPPRESS_ANNOTATION));
  if (codes.length > 0) {
    for (const rule of RULES) {
      const istio = 'istio' in rule ? rule.istio : undefined;
      if (codes.includes('*') || (istio !== undefined && codes.includes(istio))) ids.add(rule.id);
    }
  }
  for (const id of UNSILENCEABLE) ids.delete(id);
  return ids;
}

/** Every ignore-rules annotation names real rules, and every silence, ours or istioctl's, says why. */
export function checkSilencing(model: Model, out: Collector): void {
  const { resources } = model;
  for (let r = 0; r < resources.length; r++) {
    const res = resources[r] as SourcedResource;
    // Most resources have no annotations at all.
    if (!res.object.metadata.annotations) continue;
    const ids = list(annotation(res, IGNORE_RULES_ANNOTATION));
    const codes = list(annotation(res, ISTIO_SUPPRESS_ANNOTATION));
    if (ids.length === 0 && codes.length === 0) continue;
    const key = ids.length > 0 ? IGNORE_RULES_ANNOTATION : ISTIO_SUPPRESS_ANNOTATION;
    const pointer = `/metadata/annotations/${seg(key)}`;
    for (const id of new Set(ids)) {
      if (isRuleId(id)) continue;
      out.add(
        'ignore-rules-unknown',
        res,
        pointer,
        `${ref(res)} ${IGNORE_RULES_ANNOTATION} lists "${id}", which is no mesh analyzer rule, so it silences nothing.${didYouMean(id, RULE_IDS)}`,
      );
    }
    if (!annotation(res, IGNORE_REASON_ANNOTATION)?.trim()) {
      out.add(
        'ignore-reason-missing',
        res,
        pointer,
        `${ref(res)} silences ${[...ids, ...codes].join(', ')} with ${key} but has no ${IGNORE_REASON_ANNOTATION} saying why.`,
      );
    }
  }
}
