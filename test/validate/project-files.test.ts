// exercise.yaml and callgraph.yaml under validate: a typo is a finding with the file, the line, the pointer
// and the fix, never a silently dropped expectation. Runs on a copy of the repository's own files.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAnalyzers } from '../../tooling/src/lib/validate/analyzers.ts';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { projectFilesAnalyzer } from '../../tooling/src/lib/validate/project-files.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'project-files-'));
  for (const dir of ['apps/bookinfo', 'exercises/fault-delay']) await cp(join(REPO, dir), join(root, dir), { recursive: true });
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(join(root, file), 'utf8');
  expect(text).toContain(from);
  await writeFile(join(root, file), text.replace(from, to));
}

const run = (path: string) => validate({ root, paths: [path], analyzers: [projectFilesAnalyzer], kubeconform: { binary: false } });
const shape = (findings: Awaited<ReturnType<typeof run>>['findings']) => findings.map((f) => [f.rule, f.file, f.line, f.pointer, f.hint]);

describe('exercise.yaml schema', () => {
  it('passes the repository\'s exercise as it is', async () => {
    expect((await run('exercises/fault-delay')).findings).toEqual([]);
  });

  it('reports a misspelled latency bound and a duration written as text, with lines and the value to write', async () => {
    await edit('exercises/fault-delay/exercise.yaml', '        latencyMs:\n          min: 5500\n          max: 6500', '        latencyMS:\n          min: 5500\n  - user: mary\n    outcomes:\n      - outcome: no-stars\n        probability: 1\n        latencyMs: { max: "1.5s" }');
    const { findings } = await run('exercises/fault-delay');
    expect(shape(findings)).toEqual([
      ['exercise-schema', 'exercises/fault-delay/exercise.yaml', 21, '/expect/0/outcomes/0/latencyMS', 'Did you mean "latencyMs"? Rename the field.'],
      ['exercise-schema', 'exercises/fault-delay/exercise.yaml', 27, '/expect/1/outcomes/0/latencyMs/max', 'Write milliseconds as a number: `max: 1500`.'],
    ]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });
});

describe('callgraph.yaml schema', () => {
  it('reports a misspelled field with its line, on the app\'s unit', async () => {
    expect((await run('apps/bookinfo/base')).findings).toEqual([]);
    await edit('apps/bookinfo/callgraph.yaml', '            attempts: 2\n', '            atempts: 2\n');
    const { findings } = await run('apps/bookinfo/base');
    expect(shape(findings)).toEqual([
      ['callgraph-schema', 'apps/bookinfo/callgraph.yaml', 35, '/spec/services/productpage/v1/calls/1/atempts', 'Did you mean "attempts"? Rename the field.'],
    ]);
  });
});

describe('a unit that does not render', () => {
  it('gets its render finding and no expectation findings', async () => {
    await edit('exercises/fault-delay/kustomization.yaml', 'resources:\n', 'resources:\n  - missing-file.yaml\n');
    const { findings } = await validate({ root, paths: ['exercises/fault-delay'], analyzers: defaultAnalyzers, kubeconform: { binary: false } });
    expect(findings.map((f) => [f.rule, f.file])).toEqual([['render', 'exercises/fault-delay/kustomization.yaml']]);
  });
});
