// A script that asks for `--output json` gets JSON on stdout when the command fails, usage errors included;
// the readable error still goes to stderr and the exit code keeps its meaning.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asksForJson } from '../../tooling/src/lib/cli.ts';
import { main as simulate } from '../../tooling/src/cli/simulate.ts';
import { main as validate } from '../../tooling/src/cli/validate.ts';
import { main as history } from '../../tooling/src/cli/history.ts';
import { run as promote } from '../../tooling/src/cli/promote.ts';
import { captureIo } from '../helpers/io.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('--output json on failure', () => {
  it('reads the request for JSON in each spelling, before parsing', () => {
    expect(asksForJson(['x', '--output', 'json'])).toBe(true);
    expect(asksForJson(['--output=json'])).toBe(true);
    expect(asksForJson(['-o', 'json'])).toBe(true);
    expect(asksForJson(['-ojson'])).toBe(true);
    expect(asksForJson(['--output', 'text'])).toBe(false);
    expect(asksForJson(['json'])).toBe(false);
  });

  it('simulate of an unknown exercise prints {error, hint} and exits 1', async () => {
    const io = captureIo(ROOT);
    expect(await simulate(['fualt-abort', '--output', 'json'], io)).toBe(1);
    const json = JSON.parse(io.stdoutText) as { error: string; hint: string | null };
    expect(json.error).toBe('Unknown exercise or cluster "fualt-abort". Did you mean "fault-abort"?');
    expect(json.hint).toMatch(/^Run `npm run exercises`/);
    expect(io.err.join('\n')).toContain('fualt-abort');
  });

  it('a promote usage error that the parser finds prints promote\'s JSON report and exits 2', async () => {
    const io = captureIo(ROOT);
    expect(await promote(['fault-abort', '-o', 'json', '--bogus'], io)).toBe(2);
    expect(JSON.parse(io.stdoutText)).toEqual({ error: "Unknown option '--bogus'.", hint: 'Run the command with --help to see its usage.', pushed: false, onOrigin: false });
    expect(io.err[0]).toBe("error: Unknown option '--bogus'.");
  });

  it('a validate usage error prints {error, hint} and exits 2', async () => {
    const io = captureIo(ROOT);
    expect(await validate(['--output', 'json', '--fail-on', 'sometimes'], io)).toBe(2);
    const json = JSON.parse(io.stdoutText) as { error: string; hint: string | null };
    expect(json.error).toContain('--fail-on');
    expect(io.err.join('\n')).toContain('--fail-on');
  });

  it('a history usage error prints {error, hint} and exits 2', async () => {
    const io = captureIo(ROOT);
    expect(await history(['stray', '--output', 'json'], io)).toBe(2);
    expect(JSON.parse(io.stdoutText)).toEqual({ error: 'Unexpected argument "stray".', hint: 'Use --cluster <name> to pick a cluster.' });
  });

  it('prints nothing extra on stdout without --output json', async () => {
    const io = captureIo(ROOT);
    expect(await simulate(['fualt-abort'], io)).toBe(1);
    expect(io.stdoutText).toBe('');
  });
});
