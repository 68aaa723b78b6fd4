// ci:summary: the changed paths are classified, a promotion is read from the pointer before and after,
// and the findings table is built from a validation JSON, with pull-request text escaped.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../tooling/src/cli/ci-summary.ts';
import { classifyChanges, parseChangedFiles } from '../../tooling/src/lib/ci/changes.ts';
import { md } from '../../tooling/src/lib/markdown.ts';
import { parseValidationReport, summaryMarkdown } from '../../tooling/src/lib/ci/summary.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import { captureIo } from '../support/io.ts';
import { CATALOG_REPO, tempRepo, type TempRepo } from './support.ts';

const VALIDATION = fileURLToPath(new URL('../fixtures/workflows/validation.json', import.meta.url));

describe('classifyChanges', () => {
  it('sorts paths into clusters, exercises, pointer files, apps and the rest', () => {
    const paths = parseChangedFiles([
      'clusters/lab/exercise/kustomization.yaml',
      'clusters/lab/flux/sync.yaml',
      'clusters/Bad_Name/exercise/kustomization.yaml',
      'exercises/two/virtual-service-reviews.yaml',
      'exercises/two/exercise.yaml',
      'apps/bookinfo/deployment.yaml',
      'README.md',
      'exercises',
      '',
      '.github/workflows/validate.yml\r',
    ].join('\n'));
    expect(classifyChanges(paths)).toEqual({
      clusters: ['lab'],
      exercises: ['two'],
      pointerFiles: ['clusters/lab/exercise/kustomization.yaml'],
      apps: ['bookinfo'],
      other: 4,
      total: 9,
    });
  });
});

describe('md', () => {
  it('leaves no HTML, link, image or column break in untrusted text', () => {
    expect(md('a | b <img src=x> ![i](u) [l](u) `c`\nnext')).toBe('a \\| b &lt;img src=x&gt; \\!\\[i\\](u) \\[l\\](u) `c` next');
  });
});

describe('summaryMarkdown', () => {
  it('tallies the run and lists findings, errors first and silenced last, escaped', async () => {
    const report = parseValidationReport(readFileSync(VALIDATION, 'utf8'), 'validation.json');
    const text = summaryMarkdown({ report, exercises: await loadExercises(CATALOG_REPO) });
    const lines = text.split('\n');
    expect(lines[0]).toBe('## ❌ Manifest validation failed: 1 error');
    expect(lines.slice(2, 5)).toEqual([
      '| Resources | Valid | Invalid | Skipped | Errors | Warnings | Infos | Silenced |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '| 42 | 40 | 1 | 1 | 1 | 1 | 0 | 1 |',
    ]);
    const rows = lines.filter((l) => /^\| (❌|⚠️|🔇)/.test(l));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| ❌ error', '| ⚠️ warning', '| 🔇 error (silenced)']);
    expect(lines).toContain('| Severity | Rule | Resource | Field | File | Message |');
    expect(rows[0]).toContain('| schema | VirtualService bookinfo/reviews | /spec/http/0/fualt | exercises/two/virtual-service-reviews.yaml:12 |');
    // A finding without a pointer keeps the column, empty.
    expect(rows[1]).toContain('| VirtualService bookinfo/reviews |  | exercises/two/virtual-service-reviews.yaml |');
    expect(rows[0]).toContain('\\| &lt;img src=x onerror=alert(1)&gt; \\[click\\](https://evil.example)');
    expect(rows[1]).toContain('| vs-subset-not-found (kubeconform) |');
    expect(text).not.toMatch(/<img|(?<!\\)\]\(/);
  });

  it('caps the findings table and says where the rest are', async () => {
    const report = parseValidationReport(readFileSync(VALIDATION, 'utf8'), 'validation.json');
    const text = summaryMarkdown({ report, exercises: [], maxFindings: 1 });
    expect(text).toContain('…and 2 more; the JUnit test report lists every finding.');
  });

  it('rejects a report that npm polluted with its banner, with the fix', () => {
    expect(() => parseValidationReport('\n> mesh@0.1.0 validate\n{}', 'reports/validate.json')).toThrow(/reports\/validate.json: not JSON/);
    expect(() => parseValidationReport('> banner', 'r.json')).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/npm run --silent validate -- --output json/) }),
    );
    expect(() => parseValidationReport('{"findings": {}}', 'r.json')).toThrow(/expected an object with `findings` and `summary`/);
  });
});

describe('npm run ci:summary', () => {
  let repo: TempRepo;
  afterEach(() => repo?.remove());

  it('shows the clusters, exercises and the promotion a pull request makes', async () => {
    repo = tempRepo();
    repo.commit('base');
    repo.git('checkout', '--quiet', '-b', 'promote/lab/three');
    repo.point('lab', 'three');
    repo.write('exercises/two/notes.md', 'tweak\n');
    repo.commit('promote(lab): three');
    const changed = repo.git('diff', '--name-only', 'main...HEAD');
    const io = captureIo(repo.dir, { CHANGED_FILES: changed });
    expect(await main(['--validation', VALIDATION, '--base', 'main'], io)).toBe(0);
    const text = io.stdoutText;
    expect(text).toContain([
      '### What this change touches',
      '',
      '- Clusters: `lab`',
      '- Exercises: `two`: 1.2 Route jason to v2',
    ].join('\n'));
    expect(text).toContain([
      '### Promotion',
      '',
      '| Cluster | From | Moves to |',
      '| --- | --- | --- |',
      '| `lab` | `one`: 1.1 Route everyone to v1 | `three`: 3.2 Abort ratings for jason |',
      '',
      'After merging, learners on `lab` start **Abort ratings for jason** (section 3.2): Ratings answer HTTP 500 for jason.',
    ].join('\n'));
    expect(text).toContain('### Findings (3)');
  });

  it('reads the changed files from a file too, and works without a base', async () => {
    repo = tempRepo();
    repo.commit('base');
    repo.write('changed.txt', 'apps/bookinfo/x.yaml\nREADME.md\n');
    const io = captureIo(repo.dir);
    expect(await main(['--changed-files', 'changed.txt'], io)).toBe(0);
    expect(io.stdoutText).toContain('- Apps: `bookinfo`\n- 1 other file (tooling, docs, workflows)');
    expect(io.stdoutText).toContain('No validation report was given.');
    expect(io.stdoutText).not.toContain('### Promotion');
  });

  it('exits 1 naming a missing report and 2 on a bad option', async () => {
    const missing = captureIo(CATALOG_REPO);
    expect(await main(['--validation', 'nope.json'], missing)).toBe(1);
    expect(missing.stderrText).toMatch(/Cannot read the validation report file "nope.json"/);
    const bad = captureIo(CATALOG_REPO);
    expect(await main(['--base', '--upload-pack=evil'], bad)).toBe(2);
    const help = captureIo(CATALOG_REPO);
    expect(await main(['--help'], help)).toBe(0);
    expect(help.stdoutText).toMatch(/^Usage: npm run ci:summary/);
  });
});
