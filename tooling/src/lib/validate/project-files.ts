// Checks the repository's own files that are not Kubernetes resources against their schemas during
// validate: each exercise's `exercise.yaml` with the exercise's unit, and the call graph with the unit of
// the app it describes (apps/bookinfo/base). A typo there used to drop an expectation silently.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { EXERCISE_ID } from '../exercises.ts';
import { checkFile, FILE_RULES, type FileKind } from '../file-check.ts';
import type { Finding } from '../findings.ts';
import { CALLGRAPH_FILE } from '../simulate/callgraph.ts';
import type { Analyzer } from './index.ts';

/** The unit the call graph's findings are reported with: the app it describes. */
export const CALLGRAPH_UNIT = 'apps/bookinfo/base';

async function check(root: string, kind: FileKind, file: string): Promise<Finding[]> {
  let text: string;
  try {
    text = await readFile(join(root, file), 'utf8');
  } catch {
    return []; // a missing file is another rule's business (and the call graph's loader says so)
  }
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch (error) {
    const line = (error as { mark?: { line?: number } }).mark?.line;
    return [
      {
        rule: 'yaml',
        severity: 'error',
        file,
        ...(line !== undefined ? { line: line + 1 } : {}),
        message: `Malformed YAML: ${(error as Error).message.split('\n')[0]}`,
        hint: 'Fix the YAML syntax.',
        source: 'toolkit',
      },
    ];
  }
  return checkFile(kind, data, text).map((p) => ({
    rule: FILE_RULES[kind],
    severity: 'error' as const,
    file,
    ...(p.line !== undefined ? { line: p.line } : {}),
    pointer: p.pointer,
    message: p.message,
    hint: p.hint ?? `Fix ${file}.`,
    source: 'toolkit' as const,
  }));
}

export const projectFilesAnalyzer: Analyzer = async (unit, ctx) => {
  if (unit.kind !== 'kustomization') return [];
  if (unit.source === CALLGRAPH_UNIT) return check(ctx.root, 'callgraph', CALLGRAPH_FILE);
  const m = /^exercises\/([^/]+)$/.exec(unit.source);
  if (!m || !EXERCISE_ID.test(m[1] as string)) return [];
  return check(ctx.root, 'exercise', `exercises/${m[1]}/exercise.yaml`);
};
