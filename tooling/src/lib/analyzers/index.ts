// Mesh policy analyzers: pure functions over the parsed resources of one rendered unit that catch what
// schemas cannot (dangling hosts and subsets, shadowed rules, Flagger misconfiguration, workload hygiene).
import type { Finding } from '../findings.ts';
import type { SourcedResource } from '../manifests.ts';
import { checkFlagger } from './flagger.ts';
import { buildModel, Collector } from './model.ts';
import { checkRouting } from './routing.ts';
import { checkSilencing, silencedRules } from './silence.ts';
import type { Analyzer } from './types.ts';
import { checkWorkloads } from './workloads.ts';

export { RULES, isRuleId, type RuleId, type RuleInfo } from './rules.ts';
export { checkSilencing, IGNORE_REASON_ANNOTATION, IGNORE_RULES_ANNOTATION, ISTIO_SUPPRESS_ANNOTATION, silencedRules } from './silence.ts';
export type { Analyzer, RenderedUnit } from './types.ts';

/** Every rule over `resources` (one rendered unit), with silencing annotations applied. */
export function analyzeResources(resources: SourcedResource[]): Finding[] {
  const model = buildModel(resources);
  const out = new Collector();
  checkRouting(model, out);
  checkFlagger(model, out);
  checkWorkloads(model, out);
  checkSilencing(model, out);
  const silenced = new Map<SourcedResource, Set<string>>();
  return out.items.map(({ finding, owner }) => {
    let rules = silenced.get(owner);
    if (!rules) {
      rules = silencedRules(owner);
      silenced.set(owner, rules);
    }
    return rules.has(finding.rule) ? { ...finding, silenced: true } : finding;
  });
}

/** The validate pipeline's entry point: analyze one rendered unit. */
export const meshAnalyzer: Analyzer = (unit) => analyzeResources(unit.resources);
