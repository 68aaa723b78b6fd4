// The kubeconform wrapper against a stand-in executable that prints kubeconform's JSON report format.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { findKubeconform, kubeconformArgs, parseKubeconformReport } from '../../tooling/src/lib/validate/kubeconform.ts';
import { validate } from '../../tooling/src/lib/validate/index.ts';
import { parseManifests } from '../../tooling/src/lib/manifests.ts';
import { main } from '../../tooling/src/cli/validate.ts';
import { captureIo } from '../helpers/io.ts';

// The CLI's own behaviour, without the analyzers other parts register (they have their own tests).
const iso = { registry: [] };

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = 'test/fixtures/validate';
const standIn = `${root}${fx}/kubeconform-stand-in.mjs`;
const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc-bad-config\n  namespace: bookinfo\ndata:\n  a: b\n';

describe('kubeconform wrapper', () => {
  it('finds the binary through KUBECONFORM, and reports none when there is none', () => {
    expect(findKubeconform({ KUBECONFORM: standIn })).toBe(standIn);
    expect(findKubeconform({ KUBECONFORM: `${root}${fx}/missing-binary` })).toBeUndefined();
    expect(findKubeconform({ PATH: '' })).toBeUndefined();
  });

  it('passes strict, json, summary and the schema locations', () => {
    expect(kubeconformArgs({ binary: 'k', schemaLocations: ['default', 'x/{{.ResourceKind}}.json'], skipKinds: ['Canary'], ignoreMissingSchemas: true })).toEqual([
      '-strict', '-output', 'json', '-summary', '-schema-location', 'default', '-schema-location', 'x/{{.ResourceKind}}.json', '-ignore-missing-schemas', '-skip', 'Canary',
    ]);
    expect(kubeconformArgs({ binary: 'k' })).toContain('default');
  });

  it('maps invalid resources and schema errors from its report to findings', () => {
    const resources = parseManifests(bad, 'in.yaml').resources;
    const report = JSON.stringify({
      resources: [
        { filename: 'stdin', kind: 'ConfigMap', name: 'kc-bad-config', version: 'v1', status: 'statusInvalid', msg: '', validationErrors: [{ path: '/data/a', msg: 'expected string' }] },
        { filename: 'stdin', kind: 'Canary', name: 'c', version: 'flagger.app/v1beta1', status: 'statusError', msg: 'could not find schema for Canary' },
      ],
      summary: { valid: 0, invalid: 1, errors: 1, skipped: 0 },
    });
    const findings = parseKubeconformReport(report, resources, 'in.yaml');
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'kubeconform', source: 'kubeconform', resource: 'ConfigMap bookinfo/kc-bad-config', pointer: '/data/a', file: 'in.yaml', line: 7, message: 'kubeconform: expected string' }),
      expect.objectContaining({ rule: 'kubeconform', resource: 'Canary c', message: 'kubeconform: could not find schema for Canary', hint: expect.stringContaining('--ignore-missing-schemas') }),
    ]);
    expect(parseKubeconformReport('not json', resources, 'in.yaml')).toEqual([expect.objectContaining({ rule: 'kubeconform', severity: 'error' })]);
  });

  it('merges the stand-in results into the same findings when a binary is given', async () => {
    const report = await validate({ root, paths: ['-', `${fx}/good`], stdin: bad, kubeconform: { binary: standIn } });
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'kubeconform', source: 'kubeconform', file: '-', resource: 'ConfigMap bookinfo/kc-bad-config', pointer: '/spec/extra' }),
    ]);
    expect(report.summary).toMatchObject({ resources: 6, invalid: 1, valid: 5 });
  });

  it('is found through KUBECONFORM by the CLI, and absent it says so once and validates alone', async () => {
    const withIt = captureIo(root, { KUBECONFORM: standIn, PATH: '' });
    expect(await main(['--verbose', '-'], withIt, [], { stdin: async () => bad, registry: [] })).toBe(1);
    expect(withIt.stdoutText).toMatch(/error\s+kubeconform \[kubeconform\]\s+ConfigMap bookinfo\/kc-bad-config \/spec\/extra/);
    expect(withIt.stdoutText).toContain("additional properties 'extra' not allowed");
    expect(withIt.stderrText).toContain('Running kubeconform');

    const without = captureIo(root, { PATH: '' });
    expect(await main(['--verbose', '-', `${fx}/good`], without, [], { stdin: async () => bad, registry: [] })).toBe(0);
    expect(without.stderrText.match(/kubeconform not found/g)).toHaveLength(1);
  });

  it('passes --schema-location through and reports kubeconform errors', async () => {
    const c = captureIo(root, { PATH: '' });
    expect(await main(['--kubeconform', standIn, '--schema-location', 'missing-schemas', `${fx}/good`], c, [], iso)).toBe(1);
    expect(c.stdoutText).toContain('could not find schema for');
  });

  it('turns a binary that exits without reading its input into one finding, not an uncaught EPIPE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconform-early-exit-'));
    const binary = join(dir, 'kubeconform');
    writeFileSync(binary, '#!/bin/sh\necho "flag provided but not defined" >&2\nexit 1\n', { mode: 0o755 });
    // Far more than a pipe holds, so the write is still going when the process has gone.
    const many = Array.from({ length: 3000 }, (_, i) => bad.replace('kc-bad-config', `kc-${i}`)).join('---\n');
    try {
      const report = await validate({ root, paths: ['-'], stdin: many, kubeconform: { binary } });
      expect(report.findings).toEqual([expect.objectContaining({ rule: 'kubeconform', message: 'kubeconform could not run: flag provided but not defined.' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a binary that cannot run into one finding', async () => {
    const report = await validate({ root, paths: ['-'], stdin: bad, kubeconform: { binary: `${root}${fx}/empty.yaml` } });
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'kubeconform', message: expect.stringContaining('could not run') })]);
  });
});
