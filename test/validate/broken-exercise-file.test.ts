// An exercise.yaml that is not valid YAML is one `yaml` finding on that file, with its line: not an analyzer
// crash reported as a bug in the toolkit, and not a "cannot check" error on every other exercise.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAnalyzers } from '../../tooling/src/lib/validate/analyzers.ts';
import { validate } from '../../tooling/src/lib/validate/index.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'broken-exercise-'));
  for (const dir of ['apps/bookinfo', 'exercises/baseline', 'exercises/route-v1']) await cp(join(REPO, dir), join(root, dir), { recursive: true });
  const file = join(root, 'exercises/route-v1/exercise.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^id: route-v1$/m, 'id: route-v1\n  bad: indentation'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('a broken exercise.yaml', () => {
  it('is reported once, as yaml, on its own file', async () => {
    const { findings } = await validate({ root, paths: ['exercises/baseline', 'exercises/route-v1'], analyzers: defaultAnalyzers, kubeconform: { binary: false } });
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.rule, f.file])).toEqual([['yaml', 'exercises/route-v1/exercise.yaml']]);
    expect(errors[0]?.line).toBeGreaterThan(0);
  });
});
