// `exercise-metadata-missing` and `exercise-order-duplicate`: problems of the exercise catalog that every
// command now tolerates (loadExercises skips or orders around them) and validate reports, on the exercise's
// own unit, with the fix.
import type { Finding } from '../findings.ts';
import { nextFreeOrder, scanExercises, type CatalogScan } from '../exercises.ts';
import type { RenderedUnit } from '../analyzers/types.ts';
import { DocumentOrigin } from '../origin.ts';
import { readText } from '../read-text.ts';
import { join } from 'node:path';

const EXERCISE_UNIT = /^exercises\/([^/]+)$/;

export async function checkExerciseCatalog(unit: Pick<RenderedUnit, 'source' | 'kind'>, root: string, scan: () => Promise<CatalogScan> = () => scanExercises(root)): Promise<Finding[]> {
  const id = unit.kind === 'kustomization' ? EXERCISE_UNIT.exec(unit.source)?.[1] : undefined;
  if (id === undefined) return [];
  // An exercise.yaml that does not load is the project-files analyzer's finding on that file (yaml, exercise-schema).
  const catalog = await scan().catch(() => undefined);
  if (!catalog) return [];
  const free = nextFreeOrder(catalog.exercises);
  const findings: Finding[] = [];
  if (catalog.withoutMetadata.includes(id)) {
    findings.push({
      rule: 'exercise-metadata-missing',
      severity: 'error',
      file: unit.source,
      message: `exercises/${id} has no exercise.yaml, so npm run exercises, promote, the README table and promote.yml do not know it.`,
      hint: `Add exercises/${id}/exercise.yaml with \`id: ${id}\` and \`order: ${free}\` (the next free position; see exercises/baseline/exercise.yaml for the fields), or start over with \`npm run exercise -- new ${id}\`; then run \`npm run catalog -- write\`.`,
    });
  }
  const shared = catalog.duplicateOrders.find((d) => d.ids.includes(id));
  if (shared) {
    const file = `exercises/${id}/exercise.yaml`;
    const text = await readText(join(root, file)).catch(() => '');
    const { line } = new DocumentOrigin(file, text, 1).match('/order');
    const others = shared.ids.filter((o) => o !== id);
    findings.push({
      rule: 'exercise-order-duplicate',
      severity: 'error',
      file,
      ...(line !== undefined ? { line } : {}),
      pointer: '/order',
      message: `exercises/${id} has \`order: ${shared.order}\`, like ${others.map((o) => `exercises/${o}`).join(' and ')}: the workshop order, \`promote --next\` and the README table need one exercise per position.`,
      hint: `Give one of them another position (\`order: ${free}\` is free; \`npm run exercise -- new <id> --after <id>\` renumbers for you), then run \`npm run catalog -- write\`.`,
    });
  }
  return findings;
}
