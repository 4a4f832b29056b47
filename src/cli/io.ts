/** Where a command writes: stdout carries the product, stderr progress and diagnostics. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stderr is a terminal: live progress lines are allowed. */
  readonly errIsTTY: boolean;
  /** stdout is a terminal and NO_COLOR is unset: text reports may be coloured (see color.ts). */
  readonly color: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A closed pipe (`learn show x | head`) ends output quietly instead of crashing with EPIPE. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

export function processIo(): Io {
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  const useColor = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    color: useColor,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** An Io that records output, for in-process CLI tests. */
export function captureIo(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    errIsTTY: false,
    color: false,
    env,
    cwd,
    stdout: () => out,
    stderr: () => err,
  };
}
