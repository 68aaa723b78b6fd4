// `npm run catalog`: the files that list the exercises besides exercises/ itself (the README table and the
// choices of promote.yml), computed from the catalog. check compares, write rewrites; both use one plan.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanExercises, type CatalogScan } from '../exercises.ts';
import { PROMOTE_WORKFLOW, rewritePromoteChoices } from './promote-choices.ts';
import { rewriteReadmeTable } from './readme-table.ts';

export interface CatalogFile {
  path: string;
  current: string;
  expected: string;
}

export interface CatalogPlan {
  scan: CatalogScan;
  /** Each file that lists the catalog, with its text now and as the catalog says it should be. */
  files: CatalogFile[];
}

export async function planCatalog(root: string): Promise<CatalogPlan> {
  const scan = await scanExercises(root);
  const files: CatalogFile[] = [];
  const readme = join(root, 'README.md');
  if (existsSync(readme)) {
    const current = await readFile(readme, 'utf8');
    files.push({ path: 'README.md', current, expected: rewriteReadmeTable(current, 'README.md', scan.exercises) });
  }
  const workflow = join(root, PROMOTE_WORKFLOW);
  if (existsSync(workflow)) {
    const current = await readFile(workflow, 'utf8');
    files.push({ path: PROMOTE_WORKFLOW, current, expected: rewritePromoteChoices(current, PROMOTE_WORKFLOW, scan.exercises.map((e) => e.id)) });
  }
  return { scan, files };
}

export { exerciseTable, rewriteReadmeTable, TABLE_END, TABLE_START } from './readme-table.ts';
export { PROMOTE_WORKFLOW, readPromoteChoices, rewritePromoteChoices } from './promote-choices.ts';
