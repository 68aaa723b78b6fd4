// Finding a command on PATH (lib/which.ts), which kustomize, kubeconform and the bootstrap plan all use.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isExecutable, which } from '../../tooling/src/lib/which.ts';

const dir = mkdtempSync(join(tmpdir(), 'which-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(name: string, files: Record<string, number | 'dir'>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [file, mode] of Object.entries(files)) {
    if (mode === 'dir') mkdirSync(join(d, file));
    else {
      writeFileSync(join(d, file), '#!/bin/sh\n');
      chmodSync(join(d, file), mode);
    }
  }
  return d;
}

describe('which', () => {
  const plain = entry('plain', { tool: 0o644 });
  const folder = entry('folder', { tool: 'dir' });
  const first = entry('first', { tool: 0o755 });
  const second = entry('second', { tool: 0o755 });
  const PATH = ['', plain, folder, first, second].join(delimiter);

  it('takes the first executable regular file, passing over files without the execute bit and folders', () => {
    expect(which('tool', { env: { PATH } })).toBe(join(first, 'tool'));
    expect(isExecutable(join(plain, 'tool'))).toBe(false);
    expect(isExecutable(join(folder, 'tool'))).toBe(false);
  });

  it('passes over what `accept` refuses, and answers undefined when nothing is left', () => {
    expect(which('tool', { env: { PATH }, accept: (f) => f !== join(first, 'tool') })).toBe(join(second, 'tool'));
    expect(which('tool', { env: { PATH }, accept: () => false })).toBeUndefined();
    expect(which('missing', { env: { PATH } })).toBeUndefined();
  });

  it('never looks in the current folder for an empty PATH entry', () => {
    const cwd = process.cwd();
    const here = entry('here', { tool: 0o755 });
    process.chdir(here);
    try {
      expect(which('tool', { env: { PATH: ['', plain].join(delimiter) } })).toBeUndefined();
    } finally {
      process.chdir(cwd);
    }
  });
});
