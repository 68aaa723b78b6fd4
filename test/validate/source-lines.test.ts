// Findings on rendered kustomizations point at the file a person edits (the overlay's own files, then its
// bases), with the line of the field; what cannot be traced keeps only the directory, never an output line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { meshAnalyzer } from '../../tooling/src/lib/analyzers/index.ts';

let root: string;

const files: Record<string, string> = {
  'apps/web/kustomization.yaml': 'resources:\n  - service.yaml\n  - destination-rule.yaml\n  - deployment.yaml\n',
  'apps/web/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web-v3',
    '  namespace: demo',
    'spec:',
    '  selector:',
    '    matchLabels: {app: web, version: v3}',
    '  template:',
    '    metadata:',
    '      labels: {app: web, version: v3}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: example.org/web:1.0.0',
    '',
  ].join('\n'),
  'apps/web/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  selector:\n    app: web\n  ports:\n    - name: http\n      port: 80\n',
  'apps/web/destination-rule.yaml': [
    'apiVersion: networking.istio.io/v1',
    'kind: DestinationRule',
    'metadata:',
    '  name: web',
    '  namespace: demo',
    'spec:',
    '  host: web',
    '  subsets:',
    '    - name: v1',
    '      labels:',
    '        version: v1',
    '',
  ].join('\n'),
  'exercises/suffixed/kustomization.yaml': 'nameSuffix: -x\nresources:\n  - ../step\n',
  'apps/kc/kustomization.yaml': 'namespace: demo\nresources:\n  - config-map.yaml\n',
  'apps/kc/config-map.yaml': '# kubeconform (the stand-in) rejects names starting kc-bad at /spec/extra.\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc-bad-config\ndata:\n  a: b\nspec:\n  extra: true\n',
  'apps/kc-suffixed/kustomization.yaml': 'nameSuffix: -x\nresources:\n  - ../kc\n',
  'apps/flow/kustomization.yaml': 'resources: [virtual-service.yaml]\n',
  'apps/flow/virtual-service.yaml': [
    '{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",',
    ' "metadata": {"name": "flow", "namespace": "demo"},',
    ' "spec": {"hosts": ["flow"],',
    '  "http": [{"route": [{"destination": {"host": "flow"},',
    '                       "wieght": 100}]}]}}',
    '',
  ].join('\n'),
  'exercises/step/kustomization.yaml': 'resources:\n  - ../../apps/web\n  - virtual-service-web.yaml\n',
  'exercises/step/virtual-service-web.yaml': [
    'apiVersion: networking.istio.io/v1',
    'kind: VirtualService',
    'metadata:',
    '  name: web',
    '  namespace: demo',
    'spec:',
    '  hosts:',
    '    - web',
    '  http:',
    '    - route:',
    '        - destination:',
    '            host: web',
    '            subset: v2',
    '',
  ].join('\n'),
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'validate-lines-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('analyzer findings on a rendered overlay', () => {
  it('name the overlay file and the line of the field', async () => {
    const report = await validate({ root, paths: ['exercises/step'], analyzers: [meshAnalyzer], kubeconform: { binary: false } });
    const subset = report.findings.find((f) => f.rule === 'vs-subset-not-found');
    expect(subset).toMatchObject({ file: 'exercises/step/virtual-service-web.yaml', line: 13, resource: 'VirtualService demo/web' });
    // Schema-valid, but resources with analyzer errors (the VirtualService, the DestinationRule) count invalid.
    expect(report.summary).toMatchObject({ resources: 4, valid: 2, invalid: 2 });
  });

  it('follow `resources` into the base for resources defined there', async () => {
    const report = await validate({ root, paths: ['exercises/step'], analyzers: [meshAnalyzer], kubeconform: { binary: false } });
    // The DestinationRule's subset v1 selects no pods (the only Deployment is v3): reported on the base's file.
    const noPods = report.findings.find((f) => f.rule === 'dr-subset-no-pods');
    expect(noPods).toMatchObject({ file: 'apps/web/destination-rule.yaml', resource: 'DestinationRule demo/web' });
    expect(noPods?.line).toBeGreaterThanOrEqual(9);
    expect(noPods?.line).toBeLessThanOrEqual(11);
    const resources = report.findings.find((f) => f.rule === 'container-resources-missing');
    expect(resources).toMatchObject({ file: 'apps/web/deployment.yaml', resource: 'Deployment demo/web-v3' });
  });

  it('ignore manifest files the kustomization does not list', async () => {
    // A stray copy next to the overlay is not part of the render, so it cannot make the finding ambiguous.
    await writeFile(join(root, 'exercises/step/patch-web.yaml'), files['exercises/step/virtual-service-web.yaml'] as string);
    const report = await validate({ root, paths: ['exercises/step'], analyzers: [meshAnalyzer], kubeconform: { binary: false } });
    const subset = report.findings.find((f) => f.rule === 'vs-subset-not-found');
    expect(subset).toMatchObject({ file: 'exercises/step/virtual-service-web.yaml', line: 13 });
    await rm(join(root, 'exercises/step/patch-web.yaml'));
  });

  it('keep only the directory, without a line, when the resource cannot be traced to a file', async () => {
    // nameSuffix renames the resource, so no source file writes the rendered kind and name.
    const report = await validate({ root, paths: ['exercises/suffixed'], analyzers: [meshAnalyzer], kubeconform: { binary: false } });
    const onVs = report.findings.filter((f) => f.resource === 'VirtualService demo/web-x');
    expect(onVs.length).toBeGreaterThan(0);
    for (const f of onVs) {
      expect(f.file).toBe('exercises/suffixed');
      expect(f.line).toBeUndefined();
    }
  });
});

describe('flow-style sources', () => {
  it('get the line of the field, in a file and behind a kustomization', async () => {
    const file = await validate({ root, paths: ['apps/flow/virtual-service.yaml'], kubeconform: { binary: false } });
    expect(file.findings.map((f) => [f.rule, f.file, f.line, f.pointer])).toEqual([['schema', 'apps/flow/virtual-service.yaml', 5, '/spec/http/0/route/0/wieght']]);
    const rendered = await validate({ root, paths: ['apps/flow'], kubeconform: { binary: false } });
    expect(rendered.findings.map((f) => [f.rule, f.file, f.line, f.pointer])).toEqual([['schema', 'apps/flow/virtual-service.yaml', 5, '/spec/http/0/route/0/wieght']]);
  });
});

describe('kubeconform findings on a rendered kustomization', () => {
  const standIn = fileURLToPath(new URL('../fixtures/validate/kubeconform-stand-in.mjs', import.meta.url));

  it('point at the source file and the line of the field kubeconform names', async () => {
    const report = await validate({ root, paths: ['apps/kc'], kubeconform: { binary: standIn } });
    const kc = report.findings.filter((f) => f.rule === 'kubeconform');
    // Rendered, the ConfigMap starts at line 1 of kustomize's output; in the source, `extra` is on line 9.
    expect(kc).toEqual([expect.objectContaining({ file: 'apps/kc/config-map.yaml', line: 9, resource: 'ConfigMap demo/kc-bad-config', pointer: '/spec/extra' })]);
  });

  it('keep the directory and drop the line when the resource cannot be traced', async () => {
    const report = await validate({ root, paths: ['apps/kc-suffixed'], kubeconform: { binary: standIn } });
    const kc = report.findings.filter((f) => f.rule === 'kubeconform');
    expect(kc).toEqual([expect.objectContaining({ file: 'apps/kc-suffixed', resource: 'ConfigMap demo/kc-bad-config-x' })]);
    expect(kc[0]?.line).toBeUndefined();
  });
});
