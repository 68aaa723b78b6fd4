// Usage errors from the argument parser read like the toolkit's other usage errors: the option, what is
// wrong with it, and how to give it; exit code 2 through the command frame.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../tooling/src/lib/cli.ts';
import { UsageError } from '../../tooling/src/lib/errors.ts';
import { main as history } from '../../tooling/src/cli/history.ts';
import { captureIo } from '../helpers/io.ts';

const options = { output: { type: 'string', short: 'o' }, 'no-cache': { type: 'boolean' } } as const;

function usage(argv: string[]): UsageError {
  try {
    parseCli(argv, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parseCli accepted ${argv.join(' ')}`);
}

describe('parseCli', () => {
  it('names an option that lacks its value, by its long name, however it was written', () => {
    for (const argv of [['--output'], ['-o']]) {
      const e = usage(argv);
      expect(e.message).toBe('--output needs a value.');
      expect(e.hint).toBe('Give it as `--output <value>`; run the command with --help to see the values it takes.');
    }
  });

  it('says a switch takes no value', () => {
    const e = usage(['--no-cache=yes']);
    expect(e.message).toBe('--no-cache is a switch and takes no value.');
    expect(e.hint).toBe('Give it alone, as `--no-cache`.');
  });

  it('keeps node\'s message for an unknown option, without its advice about positionals', () => {
    expect(usage(['--bogus']).message).toBe("Unknown option '--bogus'.");
  });

  it('exits 2 from a command', async () => {
    const io = captureIo(process.cwd());
    expect(await history(['--base'], io)).toBe(2);
    expect(io.stderrText).toContain('error: --base needs a value.');
  });
});
