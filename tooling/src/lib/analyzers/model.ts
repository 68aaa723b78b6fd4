// What the rule checks share besides the mesh model (lib/mesh/, which the simulator reads too): the
// collector of findings and the way a finding names its resource and field.
import type { Finding } from '../findings.ts';
import { placeOf, resourceRef, type SourcedResource } from '../manifests.ts';
import { ruleInfo, type RuleId } from './rules.ts';

export * from '../mesh/index.ts';

/** Collects findings together with the resource each one is about, which silencing needs. */
export class Collector {
  readonly items: { finding: Finding; owner: SourcedResource }[] = [];

  add(rule: RuleId, owner: SourcedResource, pointer: string, message: string, hint?: string): void {
    const info = ruleInfo(rule);
    this.items.push({
      owner,
      finding: {
        rule,
        severity: info.severity,
        ...placeOf(owner, pointer),
        resource: resourceRef(owner.object),
        pointer,
        message,
        hint: hint ?? info.hint,
        source: 'toolkit',
      },
    });
  }
}

export function ref(res: SourcedResource): string {
  return resourceRef(res.object);
}

/** RFC 6901 escaping for one pointer segment. */
export function seg(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
