// The launcher every `npm run <command>` goes through, and the esbuild bundle it runs the command from.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands, ensureBundle, fingerprint } from '../../tooling/bin/bundle.mjs';

const ROOT = join(import.meta.dirname, '../..');
const LAUNCHER = join(ROOT, 'tooling/bin/toolkit.mjs');

function launch(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [LAUNCHER, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KUBECONFORM: '' } });
}

describe('tooling/bin/toolkit.mjs', () => {
  it('runs a command from the bundle with its own arguments', () => {
    const out = launch(['validate', '--help']);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^Usage: npm run validate -- \[options\] \[path\.\.\.\]/);
  });

  it("passes the command's exit code through: 1 for failing findings, 2 for a usage error", () => {
    const bad = launch(['validate', '--no-kubeconform', 'test/fixtures/validate/vs-typo-fault.yaml']);
    expect(bad.stdout).toContain('fualt');
    expect(bad.status).toBe(1);
    const usage = launch(['validate', '--output', 'xml']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--output');
  });

  it('refuses an unknown command with exit 2 and lists the known ones', () => {
    const out = launch(['valdate']);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('unknown toolkit command "valdate"');
    expect(out.stderr).toContain('validate');
    expect(out.stdout).toBe('');
  });

  it('is what every command script in package.json calls, with a command that exists', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const launched = Object.values(scripts).filter((s) => s.includes('tooling/bin/toolkit.mjs'));
    expect(launched.length).toBe(commands().length);
    for (const script of launched) {
      const name = /^node tooling\/bin\/toolkit\.mjs ([a-z-]+)$/.exec(script)?.[1];
      expect(commands()).toContain(name);
    }
    expect(Object.values(scripts).some((s) => /tsx tooling\/src\/cli/.test(s))).toBe(false);
  });
});

describe('ensureBundle', () => {
  let tooling: string | undefined;
  afterEach(() => {
    if (tooling) rmSync(tooling, { recursive: true, force: true });
    tooling = undefined;
  });

  function sources(greeting: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'toolkit-bundle-'));
    mkdirSync(join(dir, 'src/cli'), { recursive: true });
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'src/lib/greet.ts'), `export const greet = (who: string): string => \`${greeting}, \${who}\`;\n`);
    writeFileSync(join(dir, 'src/cli/hello.ts'), `import { greet } from '../lib/greet.ts';\nconsole.log(greet(process.argv[2] ?? 'nobody'));\n`);
    return dir;
  }

  const run = (entry: string, arg: string) => spawnSync(process.execPath, [entry, arg], { encoding: 'utf8' }).stdout.trim();

  it('builds each command into a directory named by the sources, and rebuilds when a source changes', async () => {
    tooling = sources('hello');
    const first = await ensureBundle({ tooling });
    expect(first).toBe(join(tooling, 'dist', fingerprint(tooling)));
    expect(run(join(first, 'hello.mjs'), 'jason')).toBe('hello, jason');
    expect(JSON.parse(readFileSync(join(first, 'build.json'), 'utf8'))).toMatchObject({ commands: ['hello'] });
    // Unchanged sources: the same bundle, not rebuilt.
    const stamp = readFileSync(join(first, 'hello.mjs'), 'utf8');
    expect(await ensureBundle({ tooling })).toBe(first);
    expect(readFileSync(join(first, 'hello.mjs'), 'utf8')).toBe(stamp);

    writeFileSync(join(tooling, 'src/lib/greet.ts'), `export const greet = (who: string): string => \`hi there, \${who}\`;\n`);
    const second = await ensureBundle({ tooling });
    expect(second).not.toBe(first);
    expect(run(join(second, 'hello.mjs'), 'jason')).toBe('hi there, jason');
    // The old bundle stays while a running command might still load its chunks.
    expect(existsSync(first)).toBe(true);
  });

  it('removes bundles replaced long ago, and replaces a directory that is not a finished bundle', async () => {
    tooling = sources('hello');
    const old = await ensureBundle({ tooling });
    const longAgo = new Date(Date.now() - 24 * 3600 * 1000);
    utimesSync(old, longAgo, longAgo);
    writeFileSync(join(tooling, 'src/cli/bye.ts'), `console.log('bye');\n`);
    // A crashed build of the new fingerprint: a directory without build.json.
    const unfinished = join(tooling, 'dist', fingerprint(tooling));
    mkdirSync(unfinished, { recursive: true });
    writeFileSync(join(unfinished, 'hello.mjs'), 'throw new Error("half written")\n');
    const fresh = await ensureBundle({ tooling });
    expect(run(join(fresh, 'bye.mjs'), '')).toBe('bye');
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(join(tooling, 'dist'))).toEqual([fingerprint(tooling)]);
  });

  it('lets concurrent builds of the same sources finish with one complete bundle', async () => {
    tooling = sources('hello');
    const dirs = await Promise.all([ensureBundle({ tooling }), ensureBundle({ tooling }), ensureBundle({ tooling })]);
    expect(new Set(dirs).size).toBe(1);
    expect(run(join(dirs[0] as string, 'hello.mjs'), 'x')).toBe('hello, x');
    expect(readdirSync(join(tooling, 'dist')).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
  });
});
