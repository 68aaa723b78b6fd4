// Relative paths on the command line mean the same to every command: the directory npm was run from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as junit } from '../../tooling/src/cli/ci-junit.ts';
import { invocationDir } from '../../tooling/src/lib/cli.ts';
import { captureIo } from '../helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'invocation-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('invocationDir', () => {
  it("is npm's INIT_CWD, else the command's own directory, else the repository root", () => {
    expect(invocationDir({ ...captureIo('/repo', { INIT_CWD: '/repo/sub' }), cwd: '/elsewhere' })).toBe('/repo/sub');
    expect(invocationDir({ ...captureIo('/repo', { INIT_CWD: '' }), cwd: '/elsewhere' })).toBe('/elsewhere');
    expect(invocationDir(captureIo('/repo'))).toBe('/repo');
  });

  it('is where ci:junit looks for a relative report, as validate does for its paths', async () => {
    mkdirSync(join(dir, 'reports'), { recursive: true });
    writeFileSync(join(dir, 'reports/validate.json'), JSON.stringify({ findings: [], summary: { resources: 1, valid: 1, invalid: 0, skipped: 0, errors: 0, warnings: 0, infos: 0, silenced: 0, units: 1, kubeconform: 'disabled' } }));
    const fromNpm = captureIo('/nonexistent-root', { INIT_CWD: dir });
    expect(await junit(['--validation', 'reports/validate.json'], fromNpm)).toBe(0);
    expect(fromNpm.stdoutText).toContain('<testsuites');
    const direct = { ...captureIo('/nonexistent-root'), cwd: dir };
    expect(await junit(['--validation', 'reports/validate.json'], direct)).toBe(0);
    const elsewhere = captureIo('/nonexistent-root');
    expect(await junit(['--validation', 'reports/validate.json'], elsewhere)).toBe(1);
    expect(elsewhere.stderrText).toContain('relative to the directory the command was run from');
  });
});
