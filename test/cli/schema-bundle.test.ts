// The bundle of the schema packages (tooling/bin/schema-bundle.mjs): what it contains, that its models check
// exactly what the packages' own do, that validate picks it up, and that it never costs correctness.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBundle } from '../../tooling/bin/bundle.mjs';
import { ensureSchemaBundle, SCHEMA_BUNDLE_ENV, schemaFingerprint } from '../../tooling/bin/schema-bundle.mjs';
import { StrictValidator, type ErrorList } from '../../tooling/src/lib/validate/strict.ts';
import { resetSchemaBundle, SCHEMA_BUNDLE_ENV as ENV_IN_LIB, schemaModuleFile } from '../../tooling/src/lib/validate/schemas.ts';

const ROOT = join(import.meta.dirname, '../..');
const ISTIO = join(ROOT, 'node_modules/@kubernetes-models/istio');

/** A tooling/ directory of its own, beside a node_modules that is the project's. */
function scratchTooling(): string {
  const base = mkdtempSync(join(tmpdir(), 'schema-bundle-'));
  symlinkSync(join(ROOT, 'node_modules'), join(base, 'node_modules'), 'dir');
  const tooling = join(base, 'tooling');
  mkdirSync(join(tooling, 'src/cli'), { recursive: true });
  writeFileSync(join(tooling, 'src/cli/hello.ts'), "console.log('hello');\n");
  return tooling;
}

type Model = { prototype: { validate(this: unknown): void } };

/** The model's errors for `data`, as the toolkit reads them (the model throws ajv's error list). */
function errorsOf(model: Model, data: unknown): ErrorList | null {
  try {
    model.prototype.validate.call(data);
    return null;
  } catch (error) {
    return (error as { errors: ErrorList }).errors;
  }
}

const fixture = (name: string) => yaml.load(readFileSync(join(ROOT, 'test/fixtures/validate', name), 'utf8')) as Record<string, unknown>;

describe('ensureSchemaBundle', () => {
  let tooling: string;
  let dir: string;
  let modules: Record<string, string>;

  beforeAll(async () => {
    tooling = scratchTooling();
    dir = await ensureSchemaBundle({ tooling, packages: ['@kubernetes-models/istio'] });
    modules = (JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as { modules: Record<string, string> }).modules;
  }, 60_000);
  afterAll(() => rmSync(join(tooling, '..'), { recursive: true, force: true }));
  // Test files share a worker's environment: put back what the file found.
  const found = process.env[ENV_IN_LIB];
  afterEach(() => {
    if (found === undefined) delete process.env[ENV_IN_LIB];
    else process.env[ENV_IN_LIB] = found;
    resetSchemaBundle();
  });

  it('bundles every module of the package that declares a kind, and nothing else, into files that exist', () => {
    expect(dir).toBe(join(tooling, 'dist', `schemas-${schemaFingerprint(tooling)}`));
    const names = Object.keys(modules);
    for (const version of ['v1alpha3', 'v1beta1', 'v1']) {
      for (const kind of ['VirtualService', 'DestinationRule', 'Gateway']) expect(names).toContain(`@kubernetes-models/istio/networking.istio.io/${version}/${kind}.js`);
    }
    expect(names).toContain('@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy.js');
    // The one module validate loads by path from another package, for the Canary's metadata.
    expect(names).toContain('@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta.js');
    // The packages' index files list kinds without declaring one, and generated schemas are not models.
    expect(names.some((n) => n.endsWith('/index.js') || n.includes('/_schemas/Networking'))).toBe(false);
    // Only the package asked for.
    expect(names.filter((n) => !n.startsWith('@kubernetes-models/istio/') && !n.includes('apimachinery'))).toEqual([]);
    for (const out of Object.values(modules)) expect(existsSync(join(dir, out))).toBe(true);
  });

  it("gives models that report exactly what the package's own report, strictness included", async () => {
    for (const kind of ['VirtualService', 'DestinationRule']) {
      const name = `@kubernetes-models/istio/networking.istio.io/v1beta1/${kind}.js`;
      const bundled = (await import(pathToFileURL(join(dir, modules[name] as string)).href)) as Record<string, Model & { apiVersion: string; kind: string }>;
      const original = (await import(pathToFileURL(join(ISTIO, `networking.istio.io/v1beta1/${kind}.js`)).href)) as Record<string, Model>;
      const model = bundled[kind] as Model & { apiVersion: string; kind: string };
      expect([model.apiVersion, model.kind]).toEqual(['networking.istio.io/v1beta1', kind]);
      expect(model).not.toBe(original[kind]);
      const inputs = [
        { apiVersion: 'networking.istio.io/v1beta1', kind, metadata: { name: 'ok' }, spec: { hosts: ['reviews'], host: 'reviews' } },
        { apiVersion: 'networking.istio.io/v1beta1', kind, metadata: { name: 'bad-type' }, spec: { hosts: 'reviews', host: 7, subsets: [{ name: 3 }] } },
      ];
      for (const data of inputs) expect(errorsOf(model, data)).toEqual(errorsOf(original[kind] as Model, data));
    }
    for (const file of ['vs-typo-fault.yaml', 'vs-typo-weight.yaml', 'vs-string-weight.yaml']) {
      const data = fixture(file);
      const version = String(data.apiVersion).split('/')[1];
      const name = `@kubernetes-models/istio/networking.istio.io/${version}/VirtualService.js`;
      const bundled = ((await import(pathToFileURL(join(dir, modules[name] as string)).href)) as Record<string, Model>).VirtualService as Model;
      const original = ((await import(pathToFileURL(join(ISTIO, `networking.istio.io/${version}/VirtualService.js`)).href)) as Record<string, Model>).VirtualService as Model;
      const viaBundle = new StrictValidator((d) => errorsOf(bundled, d)).check(data);
      const viaPackage = new StrictValidator((d) => errorsOf(original, d)).check(data);
      expect(viaBundle).toEqual(viaPackage);
      expect(viaBundle.errors.length + viaBundle.unknown.length).toBeGreaterThan(0);
    }
  });

  it('is where validate loads a kind from when the launcher names it, and the package is the fallback', () => {
    expect(SCHEMA_BUNDLE_ENV).toBe(ENV_IN_LIB);
    const vs = schemaModuleFile('@kubernetes-models/istio', 'networking.istio.io/v1beta1/VirtualService.js');
    expect(vs).toBe(join(ISTIO, 'networking.istio.io/v1beta1/VirtualService.js'));
    process.env[ENV_IN_LIB] = dir;
    resetSchemaBundle();
    expect(schemaModuleFile('@kubernetes-models/istio', 'networking.istio.io/v1beta1/VirtualService.js')).toBe(join(dir, modules['@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService.js'] as string));
    // Not in this bundle (built for Istio only): the installed package.
    expect(schemaModuleFile('kubernetes-models', 'apps/v1/Deployment.js')).toBe(join(ROOT, 'node_modules/kubernetes-models/apps/v1/Deployment.js'));
    // In neither.
    expect(schemaModuleFile('@kubernetes-models/istio', 'networking.istio.io/v1beta1/Nothing.js')).toBeUndefined();
  });

  it('falls back to the packages when the named bundle is missing or its index is damaged', () => {
    const damaged = join(tooling, '..', 'damaged');
    mkdirSync(damaged, { recursive: true });
    writeFileSync(join(damaged, 'build.json'), '{"modules": ');
    for (const where of [damaged, join(tooling, '..', 'absent')]) {
      process.env[ENV_IN_LIB] = where;
      resetSchemaBundle();
      expect(schemaModuleFile('@kubernetes-models/istio', 'networking.istio.io/v1beta1/Gateway.js')).toBe(join(ISTIO, 'networking.istio.io/v1beta1/Gateway.js'));
    }
  });

  it('is reused while the packages are unchanged, and survives the pruning of command bundles', async () => {
    const stamp = readFileSync(join(dir, 'build.json'), 'utf8');
    expect(await ensureSchemaBundle({ tooling, packages: ['@kubernetes-models/istio'] })).toBe(dir);
    expect(readFileSync(join(dir, 'build.json'), 'utf8')).toBe(stamp);
    const longAgo = new Date(Date.now() - 24 * 3600 * 1000);
    utimesSync(dir, longAgo, longAgo);
    const commands = await ensureBundle({ tooling });
    utimesSync(commands, longAgo, longAgo);
    writeFileSync(join(tooling, 'src/cli/bye.ts'), "console.log('bye');\n");
    await ensureBundle({ tooling });
    const left = readdirSync(join(tooling, 'dist'));
    expect(left).toContain(`schemas-${schemaFingerprint(tooling)}`);
    expect(left).not.toContain(commands.split(/[\\/]/).pop());
  });
});

describe('tooling/bin/toolkit.mjs with the schema bundle', () => {
  it("loads the kinds of a validate run from the project's schema bundle", () => {
    const out = spawnSync(process.execPath, [join(ROOT, 'tooling/bin/toolkit.mjs'), 'validate', '--no-kubeconform', 'test/fixtures/validate/vs-typo-fault.yaml'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_DEBUG: 'esm' },
    });
    expect(out.stdout).toContain('fualt');
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/tooling\/dist\/schemas-[0-9a-f]{16}\/kinds\/@kubernetes-models\/istio\/networking\.istio\.io\/v1beta1\/VirtualService\.mjs/);
    expect(out.stderr).not.toMatch(/node_modules\/@kubernetes-models\/istio\/networking\.istio\.io/);
  });
});
