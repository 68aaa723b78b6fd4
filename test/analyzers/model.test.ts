// The small pure helpers the rules stand on: durations, host qualification, DestinationRule choice,
// wildcards, image pinning.
import { describe, expect, it } from 'vitest';
import { buildModel, dnsQualify, hostsIntersect, parseDuration, qualify } from '../../tooling/src/lib/analyzers/model.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
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
  it('resolves names without a dot in the given namespace and takes dotted names literally, as Istio does', () => {
    expect(qualify('reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(qualify('reviews.other', 'bookinfo')).toBe('reviews.other');
    expect(qualify('reviews.other.svc', 'bookinfo')).toBe('reviews.other.svc');
    expect(qualify('reviews.other.svc.cluster.local', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
    expect(qualify('api.example.com', 'bookinfo')).toBe('api.example.com');
    expect(qualify('*.bookinfo.svc.cluster.local', 'other')).toBe('*.bookinfo.svc.cluster.local');
    expect(qualify('*', 'bookinfo')).toBe('*');
  });
});

describe('dnsQualify', () => {
  it("completes names along a pod's DNS search path and leaves external names alone", () => {
    expect(dnsQualify('flagger-loadtester', 'bookinfo')).toBe('flagger-loadtester.bookinfo.svc.cluster.local');
    expect(dnsQualify('flagger-loadtester.test', 'bookinfo')).toBe('flagger-loadtester.test.svc.cluster.local');
    expect(dnsQualify('flagger-loadtester.test.svc', 'bookinfo')).toBe('flagger-loadtester.test.svc.cluster.local');
    expect(dnsQualify('flagger-loadtester.test.svc.cluster.local', 'bookinfo')).toBe('flagger-loadtester.test.svc.cluster.local');
    expect(dnsQualify('hooks.example.com', 'bookinfo')).toBeUndefined();
  });
});

describe('destinationRulesFor', () => {
  const text = ['*.local', '*.bookinfo.svc.cluster.local', 'reviews', 'reviews.bookinfo.svc.cluster.local', 'ratings.bookinfo']
    .map((host, i) => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: dr${i}, namespace: bookinfo }\nspec: { host: "${host}" }\n`)
    .join('---\n');
  const model = buildModel(parseManifests(text, 'x.yaml').resources);
  const names = (fqdn: string) => model.destinationRulesFor(fqdn).map((dr) => dr.object.metadata.name);

  it('prefers the rules for exactly the host, merged', () => {
    expect(names('reviews.bookinfo.svc.cluster.local')).toEqual(['dr2', 'dr3']);
  });

  it('else takes the most specific wildcard that covers the host', () => {
    expect(names('ratings.bookinfo.svc.cluster.local')).toEqual(['dr1']);
    expect(names('details.other.svc.cluster.local')).toEqual(['dr0']);
    expect(names('api.example.com')).toEqual([]);
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
