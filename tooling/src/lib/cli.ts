// Shared plumbing for the thin CLI entry points: argument parsing, --help, error reporting, exit codes.
// A CLI module exports `main(argv, io)` returning an exit code, so tests can call it without spawning.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolkitError, UsageError } from './errors.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables the command may read (tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** Repository root the command works on. */
  root: string;
  /** The directory the command was started from, for relative paths (default: `root`); see invocationDir. */
  cwd?: string;
}

/**
 * Where relative paths given on the command line are resolved: the directory the user ran npm from
 * (`INIT_CWD`; npm itself starts scripts in the package root), else the command's own working directory.
 */
export function invocationDir(io: Io): string {
  return io.env.INIT_CWD || io.cwd || io.root;
}

export function defaultIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    env: process.env,
    root: findRepoRoot(process.cwd()),
    cwd: process.cwd(),
  };
}

/** The nearest directory at or above `start` that has both `exercises/` and `clusters/`. */
export function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'exercises')) && existsSync(join(dir, 'clusters'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return toolkitRoot();
}

/** The repository this toolkit lives in: the nearest directory above this module with tooling/ and package.json (from tooling/src/lib or a bundle in tooling/dist). */
function toolkitRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tooling'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict checking; unknown options and bad values become UsageErrors (exit 2). */
export function parseCli<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // node's wording, `Option '-o, --output <value>' argument missing`, said as the other usage errors are.
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value.`, `Give it as \`${missing[1]} <value>\`; run the command with --help to see the values it takes.`);
    const flag = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
    if (flag) throw new UsageError(`${flag[1]} is a switch and takes no value.`, `Give it alone, as \`${flag[1]}\`.`);
    throw new UsageError(message.replace(/\. To specify a positional.*$/s, '.'));
  }
}

/** Validates an option value against a fixed set, with a usage error that lists the choices. */
export function oneOf<T extends string>(value: string | undefined, choices: readonly T[], option: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`Invalid value ${JSON.stringify(value)} for ${option}.`, `Use one of: ${choices.join(', ')}.`);
}

/** Prints an error the way every command does: message, then the hint, stack only with --debug. */
export function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof ToolkitError) {
    io.stderr(`error: ${error.message}`);
    if (error.hint) io.stderr(`hint: ${error.hint}`);
    if (debug && error.stack) io.stderr(error.stack);
    return error.exitCode;
  }
  const e = error as Error;
  io.stderr(`error: ${e?.message ?? String(error)}`);
  if (debug && e?.stack) io.stderr(e.stack);
  else io.stderr('hint: This is unexpected; run again with --debug for a stack trace and report it.');
  return 1;
}

/**
 * Runs a CLI main when the module is executed directly (not when imported by a test),
 * and exits with its code.
 */
export function runIfMain(moduleUrl: string, main: (argv: string[], io: Io) => Promise<number>): void {
  const entry = process.argv[1];
  if (!entry || resolve(entry) !== fileURLToPath(moduleUrl)) return;
  const argv = process.argv.slice(2);
  // `npm run validate -- --help | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const io = defaultIo();
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = reportError(error, io, argv.includes('--debug'));
    },
  );
}

/** Whether `argv` asks for `--output json` (`-o json`, `--output=json`), read before parsing so usage errors see it too. */
export function asksForJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '--output' || a === '-o') && argv[i + 1] === 'json'));
}

/**
 * What a failure prints on stdout for a script that asked for JSON: `{ "error", "hint" }`. A command whose
 * failures carry more (promote: the HTTP status, whether the branch is on origin) gives its own `report`.
 */
export function errorReport(error: unknown): { error: string; hint: string | null } {
  return { error: error instanceof Error ? error.message : String(error), hint: error instanceof ToolkitError ? error.hint ?? null : null };
}

/**
 * Wraps a command body so ToolkitErrors become printed messages and exit codes. With `json`, a failure also
 * prints its `report` (default errorReport) on stdout, so a script that asked for JSON always gets JSON; the
 * readable error still goes to stderr.
 */
export async function guarded(io: Io, debug: boolean, body: () => Promise<number>, options: { json?: boolean; report?: (error: unknown) => object } = {}): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (options.json) io.stdout(JSON.stringify((options.report ?? errorReport)(error), null, 2));
    return reportError(error, io, debug);
  }
}

/** The options every command has. */
const COMMON = { help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } } as const;

/** What `command` hands its body: parseArgs' result for the command's options plus --help and --debug. */
export type Parsed<T extends Options, P extends boolean> = ReturnType<typeof parseArgs<{ args: string[]; options: T & typeof COMMON; allowPositionals: P; strict: true }>>;

/**
 * The frame of a command: parses `argv` with its `options` plus --help and --debug (strictly: a mistake is a
 * UsageError, exit 2), prints `help` for --help, and otherwise runs `body`, reporting what it throws with its
 * hint (a stack trace only with --debug).
 */
export async function command<T extends Options, P extends boolean = true>(
  argv: string[],
  io: Io,
  spec: { help: string; options: T; positionals?: P; report?: (error: unknown) => object },
  body: (parsed: Parsed<T, P>) => Promise<number>,
): Promise<number> {
  return guarded(io, argv.includes('--debug'), async () => {
    const parsed = parseCli(argv, { ...COMMON, ...spec.options }, spec.positionals ?? true) as unknown as Parsed<T, P>;
    if ((parsed.values as { help?: boolean }).help) {
      io.stdout(spec.help);
      return 0;
    }
    return body(parsed);
  }, { json: asksForJson(argv), ...(spec.report ? { report: spec.report } : {}) });
}
