// EDGE: runs a command under a raw seccomp filter through our loader (loader-entry.ts), which becomes the
// target by execve and so keeps its pid. Everything the target gets travels on fd 3, none of it in the
// loader's argv or environment.
import { spawn, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RawEnd } from './outcome.js';
import { armedWaitAddr, checkExecStrings, checkFilterBytes, decodeReply, encodeRequest, envEntries, LOADER_FD } from './request.js';
import type { Supervisor } from './supervisor.js';

export type StdioMode = 'inherit' | 'pipe' | 'ignore';

export interface LaunchOptions {
  /** Raw little-endian `struct sock_filter[]`. */
  readonly filter: Uint8Array;
  /** argv[0] is the command, searched in env's PATH. */
  readonly argv: readonly string[];
  /** The target's environment, exactly. */
  readonly env: Readonly<Record<string, string>>;
  /** RLIMIT_NOFILE soft limit for the target (see invokerNofileSoft); null leaves Node's raised one. */
  readonly nofileSoft: number | null;
  readonly cwd?: string;
  /** The target's fds 0–2; default: this process's. */
  readonly stdio?: readonly [StdioMode, StdioMode, StdioMode];
  /** Spawns the loader through this (unit.ts: it starts in the program's cgroup). */
  readonly enter?: <T>(start: () => T) => T;
  /** The loader installs `filter` with a listener and this supervisor answers it (loader only). */
  readonly supervisor?: Supervisor;
}

export interface Launched {
  /** The target's pid (the loader's, which it replaced). */
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly end: Promise<RawEnd>;
  /** Settles once the target runs (the loader exec'd it, or gave up): a signal before that would hit the loader. */
  readonly running: Promise<void>;
}

const LOADER_ENTRY = fileURLToPath(new URL('./loader-entry.js', import.meta.url));

/** How the loader is started. V8's --single-threaded posts no background tasks (compilation, GC), so Node's
 * other threads stay asleep while the loader installs the filter and execs: nothing runs in between. */
export const LOADER_COMMAND: readonly [string, readonly string[]] = [process.execPath, ['--single-threaded', LOADER_ENTRY]];

/** Node switches a pipe or socket stdio fd to O_NONBLOCK when it first builds process.stdout/stderr, and a
 * target that inherits the fd shares that flag. Building them before the launch means the switch happens
 * before the loader (or this process, for bwrap) clears it, not while the target runs. */
export function settleOwnStdio(): void {
  void process.stdout.writable;
  void process.stderr.writable;
}

/** Starts the target under the filter. Bad arguments throw; a target that cannot start shows in `end.failure`. */
export function launchWithLoader(opts: LaunchOptions): Launched {
  checkFilterBytes(opts.filter);
  const env = envEntries(opts.env);
  checkExecStrings(opts.argv, env);
  const [in0, out1, err2] = opts.stdio ?? ['inherit', 'inherit', 'inherit'];
  const stdio: StdioOptions = [in0, out1, err2, 'pipe'];
  settleOwnStdio();
  // An empty environment: nothing meant for the target (NODE_OPTIONS, LD_PRELOAD, NODE_CHANNEL_FD) reaches Node.
  const enter = opts.enter ?? ((start) => start());
  const child = enter(() => spawn(LOADER_COMMAND[0], LOADER_COMMAND[1], { env: {}, stdio, ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) }));
  const channel = child.stdio[LOADER_FD] as (Readable & Writable) | null | undefined;
  let markRunning = (): void => undefined;
  const running = new Promise<void>((resolve) => (markRunning = resolve));
  const end = new Promise<RawEnd>((resolve, reject) => {
    if (!channel) return reject(new Error('the loader has no fd 3'));
    const reply: Buffer[] = [];
    let exit: Pick<RawEnd, 'code' | 'signal'> | null = null;
    let channelDone = false;
    const settle = (): void => {
      if (exit === null || !channelDone) return;
      const ended = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      resolve({ ...exit, failure: decodeReply(Buffer.concat(reply).toString('utf8'), ended) });
    };
    let attaching = false;
    channel.on('data', (chunk: Buffer) => {
      reply.push(chunk);
      const waitAddr = Buffer.concat(reply).toString('utf8').split('\n').map(armedWaitAddr).find((a) => a !== null);
      if (opts.supervisor === undefined || attaching || waitAddr === undefined || child.pid === undefined) return;
      attaching = true;
      const pid = child.pid;
      opts.supervisor.attach(pid, LOADER_FD, waitAddr).then(
        () => channel.write(Buffer.from([1])),
        (error: unknown) => {
          // The loader waits before its execve: it must not run the program unsupervised.
          reply.push(Buffer.from(`${JSON.stringify({ reason: 'setup', message: `the supervisor could not start: ${(error as Error).message} (--monitor audit runs without it)` })}\n`));
          child.kill('SIGKILL');
        },
      );
    });
    channel.on('error', () => undefined); // EPIPE if the loader died before reading: its exit tells why
    channel.on('close', () => {
      markRunning();
      channelDone = true;
      settle();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      settle();
    });
    channel.write(encodeRequest({ argv: opts.argv, env, nofileSoft: opts.nofileSoft, filter: opts.filter, supervised: opts.supervisor !== undefined }));
  });
  void end.finally(markRunning).catch(() => undefined);
  return { pid: child.pid ?? -1, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, end, running };
}

/** The RLIMIT_NOFILE soft limit of the process that started us (usually the shell); Node raised ours at
 * startup and kept no copy. Under a Node parent (npm scripts) this is Node's raised value, as the shell's is. */
export function invokerNofileSoft(ppid: number = process.ppid): number | null {
  try {
    const line = readFileSync(`/proc/${ppid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
}
