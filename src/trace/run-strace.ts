// EDGE: the one place that spawns strace. The trace goes to a regular file in a private temp dir, which we
// tail (tail-file.ts says why not a FIFO): strace opens it close-on-exec, so the traced program neither
// inherits it nor mixes its stderr into it, and the program's own stdin/stdout/stderr stay the terminal's.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { isAlive, ownerIdentity } from '../os/process-identity.js';
import { resolveCommand } from '../replay/resolve-command.js';
import { childrenOf, descendants } from '../replay/unit.js';
import { firstAllowedCpu, straceArgv, type TraceTarget } from './strace-argv.js';
import { tailFile } from './tail-file.js';

export interface StraceOptions {
  readonly target: TraceTarget;
  /** Put strace and the program on one CPU: a ptrace stop that wakes the other CPU is what makes tracing slow. */
  readonly pin: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Syscalls strace need not stop on (see StraceArgvOptions.untraced). */
  readonly untraced?: readonly string[];
  /** Spawns strace through this (the unit the trace runs in: replay/unit.ts). */
  readonly enter?: <T>(start: () => T) => T;
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
  /**
   * Hands over the trace line by line, in order, from its first line: what strace writes before this is
   * called waits in the file, so the caller can start the program first and load what it needs after.
   * Settles once strace has exited and every line has been delivered. Call it once.
   */
  /** `onLine(null)`: a line too long to keep (see tailFile). */
  follow(onLine: (line: string | null) => void): Promise<StraceExit>;
  /** Kills the trace (see kill) and cleans up, for a caller that cannot follow it after all. */
  abandon(): Promise<void>;
}

/** How often the trace file is checked for new lines: rarely enough to leave strace's CPU alone. */
const POLL_MS = 25;
/** How soon a stop that found no program yet (strace still starting it) tries again, and for how long. */
const STOP_RETRY_MS = 5;
const STOP_WAIT_MS = 1000;
const INSTALL_HINT = 'install it with `apt-get install strace`';
const SHM = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/** Room /dev/shm must have: the file holds only what is not read yet, but a reader that falls behind lets it grow. */
const SHM_MIN_FREE = 1024 * 1024 * 1024;

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

  // mkdtemp makes the dir 0700; the file is ours, 0600, before strace opens (and truncates) it.
  const dir = makeTraceDir(traceTempDir(o.env));
  const output = join(dir, 'trace');
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  closeSync(openSync(output, 'wx', 0o600));

  const setpriv = findTool('setpriv', o) ?? undefined; // without it, a killed learn leaves strace tracing
  const { file, args } = straceArgv({
    target: o.target, output, strace, pinCpu,
    ...(taskset === undefined ? {} : { taskset }),
    ...(setpriv === undefined ? {} : { setpriv }),
    ...(o.untraced === undefined ? {} : { untraced: o.untraced }),
  });
  const attach = o.target.kind === 'attach';
  // node:child_process rather than execa: importing execa costs ~0.1 s of start-up, which shows on short traces.
  const enter = o.enter ?? ((start) => start());
  const child = enter(() => spawn(file, args, { env: o.env, cwd: o.cwd, stdio: attach ? ['ignore', 'inherit', 'pipe'] : 'inherit' }));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolveEnd) => {
    child.once('error', (error) => resolveEnd({ error }));
    child.once('close', (code, signal) => resolveEnd({ code, signal }));
  });
  let exited = false;
  void ended.then(() => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) {
    const result = await ended;
    removeDir();
    throw new EnvironmentError(`cannot start ${file}: ${'error' in result ? result.error.message : 'no process'}`);
  }
  const stracePid = pid; // setpriv and taskset exec strace in place: same pid

  const follow = async (onLine: (line: string | null) => void): Promise<StraceExit> => {
    // Once strace writes, it has the file open: unlink it, so the disk is freed when strace ends even if we are killed.
    const tail = tailFile(output, { intervalMs: POLL_MS, onLine, onFirstData: removeDir });
    const result = await ended;
    try {
      tail.finish();
    } finally {
      removeDir();
    }
    if ('error' in result) throw new EnvironmentError(`${file} failed: ${result.error.message}`);
    const exit: StraceExit = { exitCode: result.code, signal: result.signal, lines: tail.lines() };
    if (exit.lines === 0 && exit.exitCode !== 0) diagnoseStartFailure(strace, o, attach ? stderr : null);
    return exit;
  };
  const kill = (): void => {
    for (const p of descendants(stracePid).reverse()) signalPid(p, 'SIGKILL');
    signalPid(stracePid, 'SIGKILL');
  };

  return {
    pid: stracePid,
    stop(signal) {
      if (attach) return signalPid(stracePid, 'SIGINT');
      // Right after the spawn strace may not have started the program yet, and strace drops a signal that
      // reaches its child before the exec: deliver it once the child runs the program (not strace's image;
      // after STOP_WAIT_MS to any child, in case the program is a strace itself).
      const giveUp = Date.now() + STOP_WAIT_MS;
      const deliver = (): boolean => {
        const straceExe = exeOf(stracePid);
        const tracees = childrenOf(stracePid).filter((p) => {
          const exe = exeOf(p); // null in the middle of the exec, too
          return Date.now() > giveUp || (exe !== null && exe !== straceExe);
        });
        for (const tracee of tracees) signalPid(tracee, signal);
        return tracees.length > 0 || exited;
      };
      if (deliver()) return;
      const retry = setInterval(() => {
        if (deliver()) clearInterval(retry);
      }, STOP_RETRY_MS);
    },
    kill,
    follow,
    async abandon() {
      kill();
      await ended;
      removeDir();
    },
  };
}

/**
 * Where the trace file goes: $TMPDIR when the user chose one; else /dev/shm when it is a tmpfs with room,
 * since strace writes every line there more cheaply than to a disk file system (pinned strace writing find's
 * 16 MB trace: 2.59 s vs 2.65 s on ext4 /tmp, means of 5 runs); else the system temp dir.
 */
export function traceTempDir(env: NodeJS.ProcessEnv): string {
  if (env.TMPDIR !== undefined && env.TMPDIR !== '') return env.TMPDIR;
  try {
    const fs = statfsSync(SHM);
    if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= SHM_MIN_FREE) {
      accessSync(SHM, fsConstants.W_OK);
      return SHM;
    }
  } catch {
    // no usable /dev/shm
  }
  return tmpdir();
}

/** `learn-trace-PID-START-XXXXXX`: the owning learn (pid and start time), so a later run can tell a leftover. */
const TRACE_DIR = /^learn-trace-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the trace dirs a learn killed before strace wrote (SIGKILL, OOM) left in `parent`: only ours (same
 * owner) whose learn is gone. A live learn's dir, another user's, or one of an older learn's unnamed dirs stays.
 */
export function removeStaleTraceDirs(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  const uid = process.geteuid?.();
  for (const name of names) {
    const m = TRACE_DIR.exec(name);
    if (m === null) continue;
    const dir = join(parent, name);
    try {
      if (lstatSync(dir).uid !== uid || isAlive({ pid: Number(m[1]), start: m[2] ?? null })) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function makeTraceDir(parent: string): string {
  removeStaleTraceDirs(parent);
  const me = ownerIdentity();
  try {
    return mkdtempSync(join(parent, me.start === null ? 'learn-trace-' : `learn-trace-${me.pid}-${me.start}-`));
  } catch (error) {
    throw new EnvironmentError(`cannot create the trace file in ${parent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'point TMPDIR at a writable directory',
    });
  }
}

/** strace printed no trace line and failed: find out why, and say how to fix it. */
function diagnoseStartFailure(strace: string, o: StraceOptions, attachStderr: string | null): void {
  const text = attachStderr ?? spawnSync(strace, ['-o', '/dev/null', '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' }).stderr;
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

/** The executable `pid` runs, or null when it is gone. */
function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

