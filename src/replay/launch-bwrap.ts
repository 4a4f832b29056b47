// EDGE: runs a command under a raw seccomp filter with `bwrap --dev-bind / / --seccomp 3` (Debian bubblewrap),
// for users who already trust bwrap. libuv's spawn resets signal dispositions and the mask for it; fds are
// fixed in this process first (stdio shares its open file descriptions with the target, and bwrap closes
// nothing it inherits). bwrap sets PWD in the target's environment, and stays the target's parent, turning
// a death by signal N into exit 128+N (outcome.ts reads it back).
import { spawn, type StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { settleOwnStdio, type LaunchOptions, type Launched } from './launch.js';
import type { RawEnd } from './outcome.js';
import { EnvironmentError } from '../errors.js';
import { execveDenied } from './execve-check.js';
import { hostArch, loadNative } from './native.js';
import { checkExecStrings, checkFilterBytes, envEntries, type LoaderFailure } from './request.js';
import { resolveCommand } from './resolve-command.js';

const FILTER_FD = 3;

/** Our own tools are found in our PATH, not the target's. */
function tool(name: string, pkg: string): string {
  const found = resolveCommand(name, process.env.PATH, process.cwd());
  if (!found.ok) throw new EnvironmentError(`${name} is not installed`, { hint: `install the Debian package ${pkg}` });
  return found.path;
}

/** bwrap's command line; `prlimit` in front restores the invoker's RLIMIT_NOFILE soft limit without touching env. */
function bwrapArgv(argv: readonly string[], nofileSoft: number | null): string[] {
  const limit = nofileSoft === null ? [] : [tool('prlimit', 'util-linux'), `--nofile=${nofileSoft}:`];
  return [...limit, tool('bwrap', 'bubblewrap'), '--dev-bind', '/', '/', '--seccomp', String(FILTER_FD), '--', ...argv];
}

/** Why the target cannot start, known before spawning: bwrap installs the filter before its own execvp. */
function precheck(opts: LaunchOptions, cwd: string): LoaderFailure | null {
  const command = opts.argv[0] ?? '';
  // Resolved here so "not found" reads like the loader's, not like a bwrap error; bwrap searches the same PATH.
  const target = resolveCommand(command, opts.env.PATH, cwd);
  if (!target.ok) return target.failure;
  return execveDenied(opts.filter, hostArch(), command);
}

/** Clears O_NONBLOCK on 0–2 and marks every other fd of this process close-on-exec, so a leaked fd (an IPC
 * channel, a harness's pipe) does not reach the target. Skipped where the loader's native layer is unavailable:
 * bwrap itself does not need it. */
async function prepareOwnFds(): Promise<void> {
  settleOwnStdio();
  try {
    (await loadNative(hostArch())).prepareFds();
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
  }
}

/** Like launchWithLoader; `pid` is bwrap's (the target is its child), -1 when it was not started. */
export async function launchWithBwrap(opts: LaunchOptions): Promise<Launched> {
  checkFilterBytes(opts.filter);
  checkExecStrings(opts.argv, envEntries(opts.env));
  const cwd = opts.cwd ?? process.cwd();
  const failure = precheck(opts, cwd);
  if (failure) {
    const end = Promise.resolve<RawEnd>({ code: null, signal: null, failure });
    return { pid: -1, stdin: null, stdout: null, stderr: null, end, running: Promise.resolve() };
  }
  await prepareOwnFds();
  const [file, ...args] = bwrapArgv(opts.argv, opts.nofileSoft);
  const [in0, out1, err2] = opts.stdio ?? ['inherit', 'inherit', 'inherit'];
  const stdio: StdioOptions = [in0, out1, err2, 'pipe'];
  const enter = opts.enter ?? ((start) => start());
  const child = enter(() => spawn(file as string, args, { env: { ...opts.env }, stdio, cwd }));
  const end = new Promise<RawEnd>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, failure: null }));
  });
  const filterPipe = child.stdio[FILTER_FD] as Writable | null | undefined;
  filterPipe?.on('error', () => undefined); // bwrap failing early closes it: its exit status says why
  filterPipe?.end(opts.filter);
  // Signals go to bwrap, which stays the target's parent: it can take them from the start.
  return { pid: child.pid ?? -1, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, end, running: Promise.resolve() };
}
