// Image pinning, the one workload helper that is not part of the mesh model (test/mesh/ covers that).
import { describe, expect, it } from 'vitest';
import { imagePinned } from '../../tooling/src/lib/analyzers/workloads.ts';

describe('imagePinned', () => {
  it.each([
    ['docker.io/istio/examples-bookinfo-details-v1:1.20.3', true],
    ['localhost:5000/app:1.0', true],
    ['app@sha256:abc', true],
    ['localhost:5000/app', false],
    ['app:latest', false],
    ['app', false],
  ])('%s -> %s', (image, pinned) => {
    expect(imagePinned(image)).toBe(pinned);
  });
});
