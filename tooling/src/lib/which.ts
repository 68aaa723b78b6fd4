// Finding a command on PATH: the first entry holding an executable regular file of that name (`.exe` added
// on Windows). Empty PATH entries, which a POSIX shell reads as the current folder, are skipped: the current
// folder is often a checkout of files nobody vetted.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';

/** True for a regular file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of the file `command` runs from `env.PATH`, skipping files `accept` refuses; undefined
 * when none. Run that path, not the bare name: spawn's own PATH search does read an empty entry as the
 * current folder.
 */
export function which(command: string, options: { env?: NodeJS.ProcessEnv; accept?: (file: string) => boolean } = {}): string | undefined {
  const name = process.platform === 'win32' && !command.toLowerCase().endsWith('.exe') ? `${command}.exe` : command;
  for (const dir of ((options.env ?? process.env).PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = resolve(dir, name);
    if (isExecutable(file) && (options.accept?.(file) ?? true)) return file;
  }
  return undefined;
}
