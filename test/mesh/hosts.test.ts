// Istio's host names: short names, FQDNs, wildcards, overlap and the most specific host.
import { describe, expect, it } from 'vitest';
import { dnsQualify, hostsIntersect, mostSpecificHost, qualify, wildcardMatches } from '../../tooling/src/lib/mesh/index.ts';

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

describe('wildcards', () => {
  it('a wildcard covers names and narrower wildcards under it, one way', () => {
    expect(wildcardMatches('*.bookinfo.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local')).toBe(true);
    expect(wildcardMatches('*.other.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local')).toBe(false);
    expect(wildcardMatches('*.d', '*.productpage.d')).toBe(true);
    expect(wildcardMatches('*.productpage.d', '*.d')).toBe(false);
    expect(wildcardMatches('*', 'anything.example.com')).toBe(true);
  });

  it('two hosts overlap when either covers the other', () => {
    expect(hostsIntersect('*', 'bookinfo.example.com')).toBe(true);
    expect(hostsIntersect('bookinfo.example.com', '*.example.com')).toBe(true);
    expect(hostsIntersect('*.productpage.d', '*.d')).toBe(true);
    expect(hostsIntersect('*.example.com', 'example.org')).toBe(false);
    expect(hostsIntersect('a.example.com', 'b.example.com')).toBe(false);
  });
});

describe('mostSpecificHost', () => {
  const hosts = ['*.local', '*.bookinfo.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local', '*'];
  it('prefers the host itself, else the longest wildcard covering it', () => {
    expect(mostSpecificHost('reviews.bookinfo.svc.cluster.local', hosts)).toBe('reviews.bookinfo.svc.cluster.local');
    expect(mostSpecificHost('ratings.bookinfo.svc.cluster.local', hosts)).toBe('*.bookinfo.svc.cluster.local');
    expect(mostSpecificHost('details.other.svc.cluster.local', hosts)).toBe('*.local');
    expect(mostSpecificHost('api.example.com', hosts)).toBe('*');
    expect(mostSpecificHost('api.example.com', hosts.slice(0, 3))).toBeUndefined();
  });
});
