// The README's exercise table must list exactly the exercises, in order, with the id, section, title and
// summary of each exercise.yaml, so the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExercises } from '../tooling/src/lib/exercises.ts';
import { ROOT } from './gitops/support.ts';

const START = '<!-- exercises:start -->';
const END = '<!-- exercises:end -->';

/** The rows between the markers, as cells; `\|` inside a cell is a literal pipe. */
function tableRows(readme: string): string[][] {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md must contain ${START} ... ${END}`);
  return readme
    .slice(start + START.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    );
}

describe('README exercise table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('has one row per exercise with its id, section, title and summary, in order', async () => {
    const [header, separator, ...rows] = tableRows(readme);
    expect(header).toEqual(['id', 'section', 'title', 'summary']);
    expect(separator?.every((c) => /^:?-{3,}:?$/.test(c))).toBe(true);
    const exercises = await loadExercises(ROOT);
    expect(rows).toEqual(exercises.map((e) => [`\`${e.id}\``, e.section, e.title, e.summary]));
  });

  it('parses the table the way Markdown does, so the comparison above can fail', () => {
    const sample = `${START}\n| id | section | title | summary |\n|---|---|---|---|\n| \`a\` | 1 | T | x \\| y |\n${END}`;
    expect(tableRows(sample)[2]).toEqual(['`a`', '1', 'T', 'x | y']);
    expect(() => tableRows('no markers')).toThrow(/exercises:start/);
  });

  it('documents the pointer line and the bootstrap of both engines', () => {
    expect(readme).toContain('clusters/<name>/exercise/kustomization.yaml');
    expect(readme).toContain('  - ../../../exercises/baseline');
    expect(readme).toContain('kubectl apply -k clusters/workshop/flux');
    expect(readme).toContain('kubectl apply -k clusters/workshop/argocd');
    expect(readme).toContain('npm ci && npm test');
  });
});
