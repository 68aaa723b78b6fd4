// Whether validate would reject a set of rendered resources, for commands that act on them anyway (simulate
// predicts traffic for a target; a prediction for manifests the cluster refuses must say so).
import { analyzeResources } from '../analyzers/index.ts';
import type { Finding } from '../findings.ts';
import type { SourcedResource } from '../manifests.ts';
import { validateResourcesAsync } from './index.ts';

/** The error findings of the schemas, istiod's checks and the mesh analyzers (silenced ones left out). */
export async function rejections(resources: SourcedResource[]): Promise<Finding[]> {
  const findings = [...(await validateResourcesAsync(resources)), ...analyzeResources(resources)];
  return findings.filter((f) => f.severity === 'error' && !f.silenced);
}

/** One warning line for a target validate rejects, naming the first finding and how to see them all. */
export function rejectionWarning(dir: string, errors: readonly Finding[]): string | undefined {
  const first = errors[0];
  if (!first) return undefined;
  const where = [first.resource, first.pointer].filter(Boolean).join(' ');
  return (
    `Warning: npm run validate rejects ${dir} (${errors.length} error${errors.length === 1 ? '' : 's'}; first: ${first.rule}${where ? ` ${where}` : ''}: ${first.message.replace(/\.$/, '')}). ` +
    `The cluster would not run it as written, so this prediction may not happen. Run \`npm run validate -- ${dir}\` to see every finding.`
  );
}
