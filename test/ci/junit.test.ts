// ci:junit: the JUnit report validate.yml publishes is made from validate's JSON report, so CI validates once.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../../tooling/src/cli/ci-junit.ts';
import { formatJunit as junitFromReport } from '../../tooling/src/lib/junit.ts';
import { parseValidationReport } from '../../tooling/src/lib/ci/summary.ts';
import { captureIo } from '../helpers/io.ts';
import { CATALOG_REPO } from './support.ts';

const VALIDATION = fileURLToPath(new URL('../fixtures/workflows/validation.json', import.meta.url));
// Reviewed by hand: one tally case, a suite per file, a failure only for the unsilenced error, the
// warning and the silenced error kept as output, pull-request text escaped.
const EXPECTED = fileURLToPath(new URL('../fixtures/workflows/validation.xml', import.meta.url));

describe('junitFromReport', () => {
  it('turns the fixture report into the reviewed XML', () => {
    const report = parseValidationReport(readFileSync(VALIDATION, 'utf8'), 'validation.json');
    expect(junitFromReport(report)).toBe(readFileSync(EXPECTED, 'utf8'));
  });

  it('reports a clean run as one passing case that carries the tally', () => {
    const summary = { resources: 3, valid: 3, invalid: 0, skipped: 0, errors: 0, warnings: 0, infos: 0, silenced: 0, units: 1 };
    expect(junitFromReport({ findings: [], summary })).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="npm run validate" tests="1" failures="0" errors="0">',
      '  <testsuite name="npm run validate" tests="1" failures="0" errors="0" skipped="0">',
      '    <testcase classname="npm run validate" name="3 resources in 1 unit: 3 valid, 0 invalid, 0 skipped; 0 errors, 0 warnings, 0 infos, 0 silenced"/>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'));
  });

  it('gives a file-level finding its own case and drops characters XML cannot hold', () => {
    const summary = { resources: 0, valid: 0, invalid: 0, skipped: 0, errors: 1, warnings: 0, infos: 0, silenced: 0, units: 1 };
    const xml = junitFromReport({ findings: [{ rule: 'yaml', severity: 'error', file: 'apps/x.yaml', line: 3, message: 'bad\u0001 <yaml>' }], summary });
    expect(xml).toContain('<testcase classname="apps/x.yaml" name="apps/x.yaml (file)">');
    expect(xml).toContain('<failure message="bad &lt;yaml&gt;" type="yaml">[yaml] (error) bad &lt;yaml&gt;\nat apps/x.yaml:3</failure>');
    expect(xml).toContain('tests="2" failures="1"');
  });
});

describe('npm run ci:junit', () => {
  it('prints the report of the file it is given', async () => {
    const io = captureIo(CATALOG_REPO);
    expect(await main(['--validation', VALIDATION], io)).toBe(0);
    expect(io.stdoutText).toBe(readFileSync(EXPECTED, 'utf8'));
  });

  it('exits 2 without --validation, 1 naming a file it cannot read or parse', async () => {
    const usage = captureIo(CATALOG_REPO);
    expect(await main([], usage)).toBe(2);
    expect(usage.stderrText).toMatch(/--validation <file> is required/);
    const missing = captureIo(CATALOG_REPO);
    expect(await main(['--validation', 'nope.json'], missing)).toBe(1);
    expect(missing.stderrText).toMatch(/Cannot read the validation report file "nope.json"/);
    const banner = captureIo(CATALOG_REPO);
    expect(await main(['--validation', EXPECTED], banner)).toBe(1);
    expect(banner.stderrText).toMatch(/not JSON/);
    const help = captureIo(CATALOG_REPO);
    expect(await main(['--help'], help)).toBe(0);
    expect(help.stdoutText).toContain('npm run --silent ci:junit -- --validation reports/validate.json > reports/validate.xml');
  });
});
