// The toolkit's few error classes. Each carries a hint that tells the user what to do next,
// and an exit code the CLI wrapper uses (1: the work failed, 2: the command was used wrongly).

export class ToolkitError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ToolkitError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Wrong arguments or options: exit code 2, like kubeconform and most CLIs. */
export class UsageError extends ToolkitError {
  constructor(message: string, hint?: string) {
    super(message, { hint: hint ?? 'Run the command with --help to see its usage.', exitCode: 2 });
    this.name = 'UsageError';
  }
}

/** Something named by the user does not exist (an exercise, a cluster, a file). */
export class NotFoundError extends ToolkitError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 1 });
    this.name = 'NotFoundError';
  }
}
