// A captured Io for calling CLI main() functions in tests without spawning a process.
import type { Io } from '../../tooling/src/lib/cli.ts';

export interface CapturedIo extends Io {
  out: string[];
  err: string[];
  readonly stdoutText: string;
  readonly stderrText: string;
}

export function captureIo(root: string, env: NodeJS.ProcessEnv = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    env,
    root,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    get stdoutText() {
      return out.join('\n');
    },
    get stderrText() {
      return err.join('\n');
    },
  };
}
