// EDGE: the one place that spawns strace. The trace comes through a FIFO in a private temp dir: strace
// opens it close-on-exec, so the traced program neither inherits it nor mixes its stderr into it, and the
// program's own stdin/stdout/stderr stay the terminal's.
import { constants, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import split2 from 'split2';
import { EnvironmentError, UsageError } from '../errors.js';
import { resolveCommand } from '../replay/resolve-command.js';
import { firstAllowedCpu, straceArgv, type TraceTarget } from './strace-argv.js';

export interface StraceOptions {
  readonly target: TraceTarget;
  /** Put strace and the program on one CPU: a ptrace stop that wakes the other CPU is what makes tracing slow. */
  readonly pin: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Syscalls strace need not stop on (see StraceArgvOptions.untraced). */
  readonly untraced?: readonly string[];
  /** Called with each trace line, in order. */
  readonly onLine: (line: string) => void;
}

export interface StraceExit {
  /** strace's exit code: the program's code (strace re-raises a fatal signal, reported in `signal`). */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: number;
}

export interface StraceSession {
  /** strace's own pid. */
  readonly pid: number;
  /**
   * Asks the program to stop: a command gets `signal`; an attached process is left running and strace
   * detaches instead (it was not ours to kill).
   */
  stop(signal: NodeJS.Signals): void;
  /** SIGKILL every traced process, then strace (its tracees die with it: PTRACE_O_EXITKILL). */
  kill(): void;
  /** Settles once strace has exited and every trace line has been delivered. */
  readonly done: Promise<StraceExit>;
}

const INSTALL_HINT = 'install it with `apt-get install strace`';

export async function startStrace(o: StraceOptions): Promise<StraceSession> {
  const strace = findTool('strace', o);
  if (strace === null) throw new EnvironmentError(`strace not found: ${INSTALL_HINT}`);
  if (o.target.kind === 'command') {
    const name = o.target.argv[0] ?? '';
    if (!resolveCommand(name, o.env.PATH, o.cwd).ok) throw new UsageError(`command not found: ${name}`);
  }
  const pinCpu = o.pin ? firstAllowedCpu(statusField(process.pid, 'Cpus_allowed_list') ?? '') : null;
  const taskset = pinCpu === null ? undefined : findTool('taskset', o) ?? undefined;
  if (pinCpu !== null && taskset === undefined) throw new EnvironmentError('taskset not found (needed by --pin)', { hint: 'apt-get install util-linux, or pass --no-pin' });

  const dir = mkdtempSync(join(tmpdir(), 'learn-trace-'));
  const fifo = join(dir, 'trace');
  try {
    await execa('mkfifo', ['-m', '600', fifo]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new EnvironmentError(`cannot create a FIFO in ${dir}: ${(error as Error).message}`);
  }
  // Non-blocking open: no writer yet. Linux reports end-of-file only after a writer has come and gone.
  const socket = new Socket({ fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  let lines = 0;
  const streamDone = new Promise<void>((resolveDone, rejectDone) => {
    socket.pipe(split2()).on('data', (line: string) => {
      lines++;
      o.onLine(line);
    }).on('end', resolveDone).on('error', rejectDone);
    socket.on('error', rejectDone);
  });

  const { file, args } = straceArgv({
    target: o.target, output: fifo, strace, pinCpu,
    ...(taskset === undefined ? {} : { taskset }),
    ...(o.untraced === undefined ? {} : { untraced: o.untraced }),
  });
  const attach = o.target.kind === 'attach';
  const child = execa(file, args, {
    reject: false,
    env: o.env,
    extendEnv: false,
    cwd: o.cwd,
    stdio: attach ? ['ignore', 'inherit', 'pipe'] : ['inherit', 'inherit', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    socket.destroy();
    rmSync(dir, { recursive: true, force: true });
    const result = await child;
    throw new EnvironmentError(`cannot start ${file}: ${result.message}`);
  }
  const stracePid = pid; // taskset execs strace in place: same pid

  const done = (async (): Promise<StraceExit> => {
    const result = await child;
    // If strace died before opening the FIFO, a writer that comes and goes lets the reader see end-of-file.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader left: the stream has already ended
    }
    await streamDone;
    rmSync(dir, { recursive: true, force: true });
    const exit: StraceExit = { exitCode: result.exitCode ?? null, signal: (result.signal ?? null) as NodeJS.Signals | null, lines };
    if (lines === 0 && exit.exitCode !== 0) await diagnoseStartFailure(strace, o, attach ? String(result.stderr ?? '') : null);
    return exit;
  })();

  return {
    pid: stracePid,
    stop(signal) {
      if (attach) signalPid(stracePid, 'SIGINT');
      else for (const tracee of children(stracePid)) signalPid(tracee, signal);
    },
    kill() {
      for (const p of descendants(stracePid).reverse()) signalPid(p, 'SIGKILL');
      signalPid(stracePid, 'SIGKILL');
    },
    done,
  };
}

/** strace printed no trace line and failed: find out why, and say how to fix it. */
async function diagnoseStartFailure(strace: string, o: StraceOptions, attachStderr: string | null): Promise<void> {
  const message = attachStderr ?? (await execa(strace, ['-o', '/dev/null', '/bin/true'], { reject: false, stdin: 'ignore' })).stderr;
  const text = String(message);
  if (/Operation not permitted/.test(text)) {
    const scope = readText('/proc/sys/kernel/yama/ptrace_scope')?.trim();
    const hint = scope !== undefined && scope !== '0'
      ? `kernel.yama.ptrace_scope is ${scope}: run as root or \`sysctl kernel.yama.ptrace_scope=${scope === '3' ? '(reboot needed)' : '1'}\``
      : 'in a container, allow ptrace (docker run --cap-add SYS_PTRACE --security-opt seccomp=unconfined)';
    throw new EnvironmentError('ptrace not permitted: strace cannot trace here', { hint });
  }
  if (o.target.kind === 'attach' && /No such process/.test(text)) throw new UsageError(`no such process: ${o.target.pid}`);
  const first = text.split('\n').find((l) => l.startsWith('strace:'));
  if (first !== undefined) throw new EnvironmentError(first);
}

function findTool(name: string, o: { env: NodeJS.ProcessEnv; cwd: string }): string | null {
  const found = resolveCommand(name, o.env.PATH, o.cwd);
  return found.ok ? found.path : null;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function statusField(pid: number, field: string): string | undefined {
  const m = new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readText(`/proc/${pid}/status`) ?? '');
  return m?.[1];
}

/** Direct children of every thread of `pid` (the kernel's /proc/PID/task/TID/children lists). */
function children(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => (readText(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter((s) => s !== '').map(Number));
}

/** Every process below `pid`, parents before children. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (let queue = children(pid); queue.length > 0; ) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...children(next));
  }
  return out;
}
