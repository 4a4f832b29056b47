// Typed errors: core code throws these, and cli/main.ts turns each into one line and an exit code.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** The work was done, but its input is known to be incomplete (the kernel suppressed audit records). */
  incomplete: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in an input a problem is: file:line:col (1-based), with the line's text for a caret. */
export interface Place {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly text?: string;
}

export function formatPlace(p: Place): string {
  return `${p.file}:${p.line}:${p.col}`;
}

export class ToolError extends Error {
  override readonly name: string = 'ToolError';
  /** Exit status the CLI uses for this error. */
  readonly exitCode: number = ExitCode.usage;
  /** A line telling the user how to fix it, printed after the message. */
  readonly hint: string | undefined;
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** Bad input at a known place: policy syntax, an unknown syscall, a malformed record. */
export class InputError extends ToolError {
  override readonly name = 'InputError';
  readonly place: Place;
  constructor(place: Place, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(`${formatPlace(place)}: ${message}`, options);
    this.place = place;
  }
}

/** A usage problem: bad flag value, missing file, unknown profile. */
export class UsageError extends ToolError {
  override readonly name = 'UsageError';
}

/** A tool or kernel feature we need is missing or not permitted (strace, ptrace, bwrap, audit access). */
export class EnvironmentError extends ToolError {
  override readonly name = 'EnvironmentError';
}

/** The store could not be opened or written. */
export class StoreError extends ToolError {
  override readonly name = 'StoreError';
}

/** An output file could not be written: the message names the path and the cause (EROFS, ENOSPC, a symlink). */
export class OutputError extends ToolError {
  override readonly name = 'OutputError';
  override readonly exitCode: number = ExitCode.failed;
}
