// The README's exercise table must list exactly the exercises, in order, with the id, section, title and
// summary of each exercise.yaml, so the two cannot drift apart.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

  it('documents the pointer line as the pointer files write it, for an exercise that exists', async () => {
    // The section names the pointer file, then shows its one line in a yaml block.
    const section = /## The pointer\n\n`clusters\/<name>\/exercise\/kustomization\.yaml` decides what a cluster runs\.[^`]*```yaml\n(.*?)\n```/s.exec(readme);
    expect(section, 'README: ## The pointer, its file and its yaml block').not.toBeNull();
    const shown = section?.[1] as string;
    const id = /^ {2}- \.\.\/\.\.\/\.\.\/exercises\/([a-z0-9-]+)$/.exec(shown)?.[1];
    expect((await loadExercises(ROOT)).map((e) => e.id)).toContain(id);
    // Every cluster's pointer file exists where the README says and holds exactly one line of that shape.
    const clusters = readdirSync(join(ROOT, 'clusters'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(clusters.length).toBeGreaterThan(0);
    for (const name of clusters) {
      const pointer = readFileSync(join(ROOT, `clusters/${name}/exercise/kustomization.yaml`), 'utf8');
      expect(pointer.split('\n').filter((l) => /^ {2}- \.\.\/\.\.\/\.\.\/exercises\/[a-z0-9-]+$/.test(l)), name).toHaveLength(1);
    }
  });

  it('runs the commands it documents: install and test, and the Flux bootstrap of a real folder', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(commands).toContain('npm ci && npm test');
    expect(pkg.scripts.test).toBeDefined();
    expect(commands).toContain('kubectl apply -k clusters/workshop/flux');
    expect(existsSync(join(ROOT, 'clusters/workshop/flux/kustomization.yaml'))).toBe(true);
  });

  /** The shell lines of the README's fenced `sh` blocks, with `\`-continued lines joined. */
  const commands = readme
    .split(/^```sh\n/m)
    .slice(1)
    .flatMap((block) => (block.split(/^```/m)[0] ?? '').replace(/\\\n\s*/g, '').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('pins the Flux and Argo CD versions it installs', () => {
    const installs = commands.filter((c) => /^flux (install|bootstrap)\b|argo-cd\/.*install\.yaml/.test(c));
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const c of commands.filter((c) => c.startsWith('flux install'))) expect(c).toMatch(/--version=v\d+\.\d+\.\d+\b/);
    for (const c of commands.filter((c) => c.includes('argo-cd/'))) expect(c).toMatch(/argo-cd\/v\d+\.\d+\.\d+\/manifests\/install\.yaml/);
    expect(readme).toMatch(/flux bootstrap github [^\n]*\n?[^\n]*--version=v\d+\.\d+\.\d+/);
    expect(readme).not.toMatch(/argo-cd\/(stable|master)\//);
  });

  it('bootstraps Argo CD with the health check first and then only bootstrap/, never the whole folder', () => {
    const argo = commands.filter((c) => c.includes('argocd'));
    const install = argo.findIndex((c) => c.includes('install.yaml'));
    const health = argo.findIndex((c) => /patch configmap argocd-cm .*--patch-file clusters\/workshop\/argocd\/bootstrap\/argocd-cm-health\.yaml/.test(c));
    const apply = argo.indexOf('kubectl apply -k clusters/workshop/argocd/bootstrap');
    expect([install, health, apply].every((i) => i >= 0), argo.join('\n')).toBe(true);
    expect(install).toBeLessThan(health);
    expect(health).toBeLessThan(apply);
    expect(existsSync(join(ROOT, 'clusters/workshop/argocd/bootstrap/argocd-cm-health.yaml'))).toBe(true);
    expect(commands).not.toContain('kubectl apply -k clusters/workshop/argocd');
  });

  it('gives flux bootstrap steps that match the cluster\u2019s kustomization', () => {
    const kustomization = readFileSync(join(ROOT, 'clusters/workshop/flux/kustomization.yaml'), 'utf8');
    // The lines the README tells the reader to replace must exist, and the folder must not list flux-system yet.
    for (const line of ['- source.yaml', '- flux-system.yaml']) {
      expect(kustomization).toContain(`  ${line}\n`);
      expect(readme).toContain(`\`${line}\``);
    }
    expect(kustomization).not.toMatch(/^\s+- flux-system\s*$/m);
    // One instruction names the file, the two lines to replace and the line that replaces them.
    expect(readme).toMatch(/1\. In `clusters\/<name>\/flux\/kustomization\.yaml`, replace the two lines `- source\.yaml` and\s+`- flux-system\.yaml` with one line `- flux-system`/);
    expect(readme).toMatch(/`flux bootstrap github [^`]*--path=clusters\/<name>\/flux --version=v\d+\.\d+\.\d+`/);
  });
});
