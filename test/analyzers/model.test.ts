// The small pure helpers the rules stand on: durations, host qualification, wildcards, image pinning.
import { describe, expect, it } from 'vitest';
import { hostsIntersect, parseDuration, qualify } from '../../tooling/src/lib/analyzers/model.ts';
import { imagePinned } from '../../tooling/src/lib/analyzers/workloads.ts';

describe('parseDuration', () => {
  it.each([
    ['7s', 7000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['7', '7 seconds', '1d', '', 's', '5sec'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseDuration(7)).toBeUndefined();
  });
});

describe('qualify', () => {
  it('resolves short names in the given namespace and completes partial names', () => {
    expect(qualify('reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(qualify('reviews.other', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
    expect(qualify('reviews.other.svc', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
    expect(qualify('reviews.other.svc.cluster.local', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
    expect(qualify('api.example.com', 'bookinfo')).toBe('api.example.com');
    expect(qualify('*', 'bookinfo')).toBe('*');
  });
});

describe('hostsIntersect', () => {
  it('handles wildcards in either position', () => {
    expect(hostsIntersect('*', 'bookinfo.example.com')).toBe(true);
    expect(hostsIntersect('bookinfo.example.com', '*.example.com')).toBe(true);
    expect(hostsIntersect('*.example.com', 'example.org')).toBe(false);
    expect(hostsIntersect('a.example.com', 'b.example.com')).toBe(false);
  });
});

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
