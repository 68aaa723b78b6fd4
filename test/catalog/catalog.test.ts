// `npm run exercise -- new` and `npm run catalog -- check|write`: an author adds an exercise with two commands
// and the repository's tests pass with no other edit; the rewriters change only what they own.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTER_RENDERS_ENV } from '../global-setup.ts';
import { main as catalog } from '../../tooling/src/cli/catalog.ts';
import { main as exercise } from '../../tooling/src/cli/exercise.ts';
import { main as exercisesCli } from '../../tooling/src/cli/exercises.ts';
import { readPromoteChoices, rewritePromoteChoices, rewriteReadmeTable } from '../../tooling/src/lib/catalog/index.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import { rewriteOrder } from '../../tooling/src/lib/rewriters/order.ts';
import { ROOT } from '../gitops/support.ts';
import { captureIo } from '../helpers/io.ts';
import { copyRepo, findingsOf } from '../cluster/support.ts';

const PROMOTE = '.github/workflows/promote.yml';

describe('the catalog rewriters', () => {
  it('promote.yml in this repository offers the catalog, and rewriting it with the catalog is a no-op', async () => {
    const text = readFileSync(join(ROOT, PROMOTE), 'utf8');
    const ids = (await loadExercises(ROOT)).map((e) => e.id);
    expect(readPromoteChoices(text, PROMOTE)).toEqual(ids);
    expect(rewritePromoteChoices(text, PROMOTE, ids)).toBe(text);
  });

  it('changes only the choice list, keeping its indentation, and fails loudly without one', () => {
    const text = 'on:\n  workflow_dispatch:\n    inputs:\n      exercise:\n        type: choice\n        # kept\n        options:\n          - a\n          - b\n      cluster:\n        type: string\njobs: {}\n';
    expect(rewritePromoteChoices(text, 'w.yml', ['a', 'new', 'b'])).toBe(text.replace('          - a\n', '          - a\n          - new\n'));
    expect(rewritePromoteChoices(text, 'w.yml', ['b'])).toBe(text.replace('          - a\n', ''));
    expect(() => rewritePromoteChoices(text.replace('options:', 'choices:'), 'w.yml', ['a'])).toThrow('w.yml: no `on.workflow_dispatch.inputs.exercise.options` list.');
    // The `options` of another input is not the exercise's.
    const other = 'on:\n  workflow_dispatch:\n    inputs:\n      cluster:\n        options:\n          - x\n';
    expect(() => rewritePromoteChoices(other, 'w.yml', ['a'])).toThrow(/no `on.workflow_dispatch.inputs.exercise.options`/);
  });

  it('rewrites the README table between the markers only, escaping pipes, and fails loudly without markers', async () => {
    const exercises = (await loadExercises(ROOT)).slice(0, 1).map((e) => ({ ...e, summary: 'a | b' }));
    const text = 'intro\n<!-- exercises:start -->\nold\n<!-- exercises:end -->\noutro\n';
    expect(rewriteReadmeTable(text, 'R.md', exercises)).toBe(
      `intro\n<!-- exercises:start -->\n| id | section | title | summary |\n|---|---|---|---|\n| \`baseline\` | setup | ${exercises[0]?.title} | a \\| b |\n<!-- exercises:end -->\noutro\n`,
    );
    expect(() => rewriteReadmeTable('no markers', 'R.md', exercises)).toThrow(/R.md: no <!-- exercises:start -->/);
  });

  it('renumbers one order line and nothing else', () => {
    const text = '# c\nid: x\norder: 10 # pos\nsummary: "order: 3"\n';
    expect(rewriteOrder(text, 'e.yaml', 11)).toBe('# c\nid: x\norder: 11 # pos\nsummary: "order: 3"\n');
    expect(() => rewriteOrder('id: x\n', 'e.yaml', 2)).toThrow(/e.yaml: no top-level `order: <number>` line/);
  });

  it('CI checks the catalog in the job that runs npm test', () => {
    const workflow = yaml.load(readFileSync(join(ROOT, '.github/workflows/validate.yml'), 'utf8')) as { jobs: { test: { steps: { run?: string }[] } } };
    expect(workflow.jobs.test.steps.map((s) => s.run)).toContain('npm run catalog -- check');
  });
});

describe('adding an exercise', () => {
  let copy: { root: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    copy = await copyRepo();
  });
  afterAll(() => copy.cleanup());

  it('exercise new --after renumbers the ones behind, and catalog check fails until catalog write', async () => {
    const canary = await readFile(join(copy.root, 'exercises/canary/exercise.yaml'), 'utf8');
    const dry = captureIo(copy.root);
    expect(await exercise(['new', 'timeout', '--from', 'fault-delay', '--after', 'fault-abort', '--section', '3.3', '--dry-run'], dry)).toBe(0);
    expect(dry.stdoutText).toContain('--- exercises/canary/exercise.yaml (renumbered)');
    expect(await readFile(join(copy.root, 'exercises/canary/exercise.yaml'), 'utf8')).toBe(canary);

    const io = captureIo(copy.root);
    expect(await exercise(['new', 'timeout', '--from', 'fault-delay', '--after', 'fault-abort', '--section', '3.3', '--title', 'Setting request timeouts'], io)).toBe(0);
    expect(io.stdoutText).toMatch(/^Created exercises\/timeout\/ from fault-delay, at order 10; moved back one position: exercises\/canary\/exercise.yaml, exercises\/canary-v2\/exercise.yaml\./);
    expect(await readFile(join(copy.root, 'exercises/canary/exercise.yaml'), 'utf8')).toBe(canary.replace(/^order: 10$/m, 'order: 11'));
    const ids = (await loadExercises(copy.root)).map((e) => [e.id, e.order]);
    expect(ids.slice(8)).toEqual([['fault-abort', 9], ['timeout', 10], ['canary', 11], ['canary-v2', 12]]);

    const check = captureIo(copy.root);
    expect(await catalog(['check'], check)).toBe(1);
    expect(check.stderrText).toContain('error: README.md and .github/workflows/promote.yml do not list the 12 exercises of the catalog.');
    expect(await catalog(['write'], captureIo(copy.root))).toBe(0);
    expect(await catalog(['check'], captureIo(copy.root))).toBe(0);
    expect(readPromoteChoices(await readFile(join(copy.root, PROMOTE), 'utf8'), PROMOTE).slice(8)).toEqual(['fault-abort', 'timeout', 'canary', 'canary-v2']);
    expect(await readFile(join(copy.root, 'README.md'), 'utf8')).toContain('| `timeout` | 3.3 | Setting request timeouts | Started as a copy of fault-delay. TODO: one sentence on what timeout changes. |\n| `canary` |');
  });

  it('the new exercise validates clean, simulator expectation included', async () => {
    const { findings, resources } = await findingsOf(copy.root, ['exercises/timeout', 'exercises/canary']);
    expect(findings).toEqual([]);
    expect(resources).toBeGreaterThan(20);
  });

  it('the tests that read the catalog pass on that repository with no other edit', () => {
    const files = ['test/readme.test.ts', 'test/gitops/exercises.test.ts', 'test/workflows/workflows.test.ts', 'test/gitops/routing.test.ts'];
    // One worker: four files do not pay for starting a second one. The inner run shares this run's renders.
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', ROOT, '--maxWorkers', '1', ...files], {
      cwd: ROOT,
      env: { ...process.env, WORKSHOP_ROOT: copy.root, [OUTER_RENDERS_ENV]: process.env.TOOLKIT_RENDER_CACHE },
      encoding: 'utf8',
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/Test Files\s+.*4 passed/);
  }, 120_000);

  it('a folder without exercise.yaml and a shared order are validate findings with the fix; other commands keep working', async () => {
    await mkdir(join(copy.root, 'exercises/retries'));
    await writeFile(join(copy.root, 'exercises/retries/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../apps/bookinfo/base\n');
    const file = join(copy.root, 'exercises/timeout/exercise.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^order: 10$/m, 'order: 9'));
    const { findings } = await findingsOf(copy.root, ['exercises/retries', 'exercises/timeout', 'exercises/fault-abort']);
    const mine = findings.filter((f) => f.rule.startsWith('exercise-') && f.rule !== 'exercise-expectation');
    expect(mine.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['exercise-metadata-missing', 'error', 'exercises/retries', undefined],
      ['exercise-order-duplicate', 'error', 'exercises/timeout/exercise.yaml', 7],
      ['exercise-order-duplicate', 'error', 'exercises/fault-abort/exercise.yaml', 5],
    ]);
    expect(mine[0]?.hint).toBe('Add exercises/retries/exercise.yaml with `id: retries` and `order: 13` (the next free position; see exercises/baseline/exercise.yaml for the fields), or start over with `npm run exercise -- new retries`; then run `npm run catalog -- write`.');
    expect(mine[1]?.message).toBe('exercises/timeout has `order: 9`, like exercises/fault-abort: the workshop order, `promote --next` and the README table need one exercise per position.');
    const list = captureIo(copy.root);
    expect(await exercisesCli([], list)).toBe(0);
    expect(list.stdoutText).toMatch(/fault-abort/);
    expect(list.stderrText).toContain('warning: exercises/retries has no exercise.yaml');
    expect(list.stderrText).toContain('warning: exercises/fault-abort and exercises/timeout share `order: 9`');
    const check = captureIo(copy.root);
    expect(await catalog(['check'], check)).toBe(1);
    // A failed check says so: errors naming the folders, and no success line.
    expect(check.stdoutText).toBe('');
    expect(check.stderrText).toContain('error: exercises/retries has no exercise.yaml');
    const extra = captureIo(copy.root);
    expect(await catalog(['check', 'extra'], extra)).toBe(2);
    expect(extra.stderrText).toContain('Unexpected argument "extra".');
  });

  it('npm run exercises lists every other cluster when one pointer is broken, with a warning', async () => {
    const pointer = join(copy.root, 'clusters/workshop-b/exercise/kustomization.yaml');
    await writeFile(pointer, `${await readFile(pointer, 'utf8')}  - ../../../exercises/route-v1\n`);
    const io = captureIo(copy.root);
    expect(await exercisesCli([], io)).toBe(0);
    expect(io.stdoutText).toMatch(/^\* baseline .*<- workshop$/m);
    expect(io.stderrText).toContain('warning: cluster workshop-b is left out: clusters/workshop-b/exercise/kustomization.yaml: 2 exercise pointers found (lines 7, 8).');
    const json = captureIo(copy.root);
    expect(await exercisesCli(['-o', 'json'], json)).toBe(0);
    expect(JSON.parse(json.stdoutText).brokenClusters).toEqual([
      { name: 'workshop-b', pointerFile: 'clusters/workshop-b/exercise/kustomization.yaml', error: 'clusters/workshop-b/exercise/kustomization.yaml: 2 exercise pointers found (lines 7, 8).' },
    ]);
  });

  it('refuses an existing id, a bad id and an unknown --from', async () => {
    expect(await exercise(['new', 'baseline'], captureIo(copy.root))).toBe(1);
    expect(await exercise(['new', '../x'], captureIo(copy.root))).toBe(2);
    const typo = captureIo(copy.root);
    expect(await exercise(['new', 'fresh', '--from', 'fualt-abort'], typo)).toBe(1);
    expect(typo.stderrText).toContain('Did you mean "fault-abort"?');
    expect(await exercise(['new', 'fresh', '--title', 'two\nlines'], captureIo(copy.root))).toBe(2);
    expect(await catalog(['check', '--dry-run'], captureIo(copy.root))).toBe(2);
  });
});
