// Inputs for `npm run bench`: a copy of this repository with N added clusters, and 10,000 Istio resources.
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Copies a folder, renaming the cluster `workshop` to `name` in every file's text. */
function copyCluster(from: string, to: string, name: string): void {
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    if (statSync(src).isDirectory()) copyCluster(src, join(to, entry), name);
    else write(join(to, entry), readFileSync(src, 'utf8').replace(/(?<![\w-])workshop(?![\w-])/g, name));
  }
}

/**
 * This repository's apps, exercises and clusters, plus `added` clusters made from clusters/workshop (its
 * exercise pointer, flux/ and argocd/ folders, renamed), pointing at the exercises in turn.
 */
export function repositoryWithClusters(repo: string, dir: string, added: number): void {
  for (const tree of ['apps', 'exercises', 'clusters']) cpSync(join(repo, tree), join(dir, tree), { recursive: true });
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
  const exercises = readdirSync(join(repo, 'exercises')).sort();
  for (let i = 0; i < added; i++) {
    const name = `bench-${i}`;
    const target = join(dir, 'clusters', name);
    copyCluster(join(repo, 'clusters/workshop'), target, name);
    const pointer = join(target, 'exercise/kustomization.yaml');
    write(pointer, readFileSync(pointer, 'utf8').replace(/exercises\/[a-z0-9-]+/, `exercises/${exercises[i % exercises.length]}`));
  }
}

function virtualService(i: number): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: svc-${i}
  namespace: bench
spec:
  hosts:
  - svc-${i}
  http:
  - match:
    - headers:
        end-user:
          exact: user-${i % 7}
    fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 7s
    route:
    - destination:
        host: svc-${i}
        subset: v2
  - match:
    - uri:
        prefix: /api/${i}
    fault:
      abort:
        percentage:
          value: 50
        httpStatus: 500
    route:
    - destination:
        host: svc-${i}
        subset: v3
  - route:
    - destination:
        host: svc-${i}
        subset: v1
      weight: 90
    - destination:
        host: svc-${i}
        subset: v3
      weight: 10
`;
}

function destinationRule(i: number): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: svc-${i}
  namespace: bench
spec:
  host: svc-${i}
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;
}

/** One file of `pairs` VirtualServices and DestinationRules; returns the number of resources. */
export function istioFile(file: string, pairs: number): number {
  const docs: string[] = [];
  for (let i = 0; i < pairs; i++) docs.push(virtualService(i), destinationRule(i));
  write(file, docs.join('---\n'));
  return docs.length;
}
