// Pure: what to run for a trace. The flags are chosen for the parser and for speed:
//   -f        follow forks and threads;
//   -n        print syscall numbers: the only way to tell an i386 `int $0x80` getpid (20) from the
//             x86_64 one (39) in -o output, where strace suppresses the personality lines;
//   -o PATH   the trace on its own channel (a private regular file, opened close-on-exec by strace, so
//             the program neither inherits it nor gets it mixed with its own stderr);
//   -q        (attach only) no "Process N attached" chatter on stderr; with -o and a command it is implied.
// Decoding flags (-s, -X, -y) stay at strace's defaults: tracing cost is the ptrace stop, not decoding.
import { assertNever } from '../policy/model.js';

/**
 * Whether `learn -- CMD` pins strace and the program to one CPU unless told otherwise. On, from
 * BENCHMARKS.md: on one CPU the hand-over at each ptrace stop wakes no other CPU. On an idle machine
 * unpinned bare strace ran find ~5× slower than pinned, and learn's reader now sleeps between polls, so it
 * no longer keeps the other CPU awake to hide that. Pinned learn beat unpinned learn on both workloads, idle
 * (find 5.66 s vs 24.0 s, tar 1.82 s vs 6.14 s) and under load (5.95 s vs 6.73 s, 1.97 s vs 2.32 s).
 * The cost: the program sees one CPU (sched_getaffinity), which can change how many threads it starts;
 * `--no-pin` gives it the machine.
 */
export const PIN_DEFAULT = true;

/** Either a command to start, or a running process to attach to. */
export type TraceTarget =
  | { readonly kind: 'command'; readonly argv: readonly string[] }
  | { readonly kind: 'attach'; readonly pid: number };

export interface StraceArgvOptions {
  readonly target: TraceTarget;
  /** Where strace writes the trace. */
  readonly output: string;
  /** Absolute path of strace. */
  readonly strace: string;
  /** Run strace and the program on this one CPU (`taskset -c CPU`), or null to leave affinity alone. */
  readonly pinCpu: number | null;
  /** Absolute path of taskset, needed when pinCpu is set. */
  readonly taskset?: string;
  /** Absolute path of setpriv: strace then gets SIGKILL when learn dies (`--pdeathsig`) instead of tracing on
   * into a file nobody reads; the program detaches and runs on (strace 6.1 has no --kill-on-exit). */
  readonly setpriv?: string;
  /** Syscalls not to stop on (`--seccomp-bpf -e trace=!…`): a kernel filter lets them run without a ptrace
   * stop, so a run costs almost nothing beyond the calls still traced. `?` skips names strace lacks. */
  readonly untraced?: readonly string[];
}

export interface Spawnable {
  readonly file: string;
  readonly args: readonly string[];
}

export function straceArgv(o: StraceArgvOptions): Spawnable {
  // --decode-pids=pidns: a pid returned inside a PID namespace (a container's fork) also gets strace's own
  // number, `= 7 /* 8705 in strace's PID NS */`, which is how a child is tied to the fork that made it.
  const args = ['-f', '-n', '--decode-pids=pidns', '-o', o.output];
  if (o.untraced !== undefined && o.untraced.length > 0) {
    args.push('--seccomp-bpf', '-e', `trace=!${o.untraced.map((n) => `?${n}`).join(',')}`);
  }
  switch (o.target.kind) {
    case 'command':
      args.push('--', ...o.target.argv);
      break;
    case 'attach':
      args.push('-q', '-p', String(o.target.pid));
      break;
    default:
      assertNever(o.target);
  }
  let run: Spawnable = { file: o.strace, args };
  if (o.pinCpu !== null) {
    if (o.taskset === undefined) throw new Error('straceArgv: pinCpu needs the taskset path');
    run = { file: o.taskset, args: ['-c', String(o.pinCpu), run.file, ...run.args] };
  }
  // setpriv and taskset exec what follows in place: strace keeps their pid.
  if (o.setpriv !== undefined) run = { file: o.setpriv, args: ['--pdeathsig', 'KILL', '--', run.file, ...run.args] };
  return run;
}

/** The first CPU in a `Cpus_allowed_list` value (`0-1`, `2,4-7`), or null when empty. */
export function firstAllowedCpu(list: string): number | null {
  const m = /^\s*(\d+)/.exec(list);
  return m === null ? null : Number(m[1]);
}

