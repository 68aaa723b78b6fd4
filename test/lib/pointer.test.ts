import { describe, expect, it } from 'vitest';
import { readPointer, rewritePointer } from '../../tooling/src/lib/rewriters/pointer.ts';

const FILE = 'clusters/lab/exercise/kustomization.yaml';
const TEXT = [
  '# The exercise this cluster runs.',
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  'resources:',
  '  - ../../../exercises/route-v1   # current exercise',
  '',
].join('\n');

describe('pointer rewriter', () => {
  it('reads the exercise id and its line', () => {
    expect(readPointer(TEXT, FILE)).toEqual({ exerciseId: 'route-v1', line: 5 });
  });

  it('changes only the id on the pointer line, keeping every other byte', () => {
    const out = rewritePointer(TEXT, FILE, 'fault-abort');
    expect(out).toBe(TEXT.replace('exercises/route-v1   #', 'exercises/fault-abort   #'));
  });

  it('keeps CRLF line endings, quotes and a trailing slash', () => {
    const crlf = 'resources:\r\n  - "../../../exercises/baseline/"\r\n';
    expect(rewritePointer(crlf, FILE, 'shift-v3')).toBe('resources:\r\n  - "../../../exercises/shift-v3/"\r\n');
  });

  it('rewriting to the same id returns the text byte-for-byte', () => {
    expect(rewritePointer(TEXT, FILE, 'route-v1')).toBe(TEXT);
  });

  it('throws naming the file when the pointer is missing, never a silent no-op', () => {
    expect(() => rewritePointer('resources:\n  - ../../apps/x\n', FILE, 'route-v1')).toThrow(/clusters\/lab\/exercise\/kustomization.yaml: no exercise pointer found/);
  });

  it('throws when there is more than one pointer', () => {
    const two = `${TEXT}  - ../../../exercises/shift-v1\n`;
    expect(() => readPointer(two, FILE)).toThrow(/2 exercise pointers found \(lines 5, 6\)/);
  });

  it('refuses to write an id that is not a safe name', () => {
    expect(() => rewritePointer(TEXT, FILE, '../../etc')).toThrow(/Refusing to write exercise id/);
    expect(() => rewritePointer(TEXT, FILE, 'a b')).toThrow(/Refusing/);
  });
});
