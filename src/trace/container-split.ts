// Which calls of a traced tree belong to a container. An OCI runtime (runc, crun) sets the container up,
// loads the container's seccomp filter in its init process, makes a few more calls of its own, then execs the
// entrypoint. Every call is given a phase:
//   host      — outside any container (the runtime's setup: mounts, pivot_root, namespaces, cgroups);
//   runtime   — the runtime's init after it loaded the filter, up to the entrypoint's execve (these calls
//               run under the container's filter, so a profile must allow them);
//   container — the entrypoint and everything it starts.
// Without a filter in config.json the split falls at the entrypoint's execve. Pure: events in, phases out.
import type { SyscallEvent, TraceEvent } from './events.js';

export type Phase = 'host' | 'runtime' | 'container';
export const PHASES: readonly Phase[] = ['host', 'runtime', 'container'];

/** Runtimes whose init process we recognise by the name it executes as (argv[0] or the binary's name). */
export const RUNTIMES = ['runc', 'crun'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** How the container part was found: the runtime's filter load, or (no filter configured) the entrypoint's execve. */
export type SplitKind = 'filter' | 'execve';

export interface SplitInfo {
  readonly runtime: RuntimeName | null;
  readonly split: SplitKind | null;
}

/** A trace with no container runtime in it, or a recorder that does not tell the phases apart. */
export const NO_SPLIT: SplitInfo = { runtime: null, split: null };

/** Receives each syscall event with its phase, in trace order per task. */
export type PhaseSink = (ev: SyscallEvent, phase: Phase) => void;

export interface Phaser {
  /** Hands `sink` the syscall events this event releases (itself, or none while its task's origin is unknown). */
  push(ev: TraceEvent, sink: PhaseSink): void;
  /** End of trace: releases events of tasks whose creation was never seen, as host calls. */
  finish(sink: PhaseSink): void;
  readonly info: SplitInfo;
}

interface Task {
  phase: Phase;
  /** The runtime this task is running, or null for any other program. */
  runtime: RuntimeName | null;
  /** Thread group (the tgid): SECCOMP_FILTER_FLAG_TSYNC filters every thread of it. */
  group: number;
}

export const FORKS: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** Events held for one task whose parent's clone has not returned yet; past this, they count as host calls. */
const MAX_HELD = 100_000;

export function createPhaser(): Phaser {
  const tasks = new Map<number, Task>();
  /** Tasks seen before their parent's clone returned (strace prints a child's first calls before that). */
  const held = new Map<number, SyscallEvent[]>();
  let heldCount = 0;
  /** Once a runtime runs, a task of unknown origin may be in the container: wait for its clone. */
  let runtimeSeen = false;
  let runtime: RuntimeName | null = null;
  let split: SplitKind | null = null;

  // Called for every event of a trace: no allocation on the common path.
  function handle(task: Task, ev: SyscallEvent, sink: PhaseSink): void {
    sink(ev, task.phase);
    const phase = task.phase;
    if (FORKS.has(ev.name)) {
      const child = childPid(ev);
      if (child !== null) {
        const thread = ev.args.some((a) => a.includes('CLONE_THREAD'));
        tasks.set(child, { phase, runtime: task.runtime, group: thread ? task.group : child });
        release(child, sink);
      }
    } else if ((ev.name === 'execve' || ev.name === 'execveat') && ev.ret === '0') {
      const now = runtimeOf(ev);
      if (task.runtime !== null && now === null && task.phase !== 'container') {
        split ??= task.phase === 'runtime' ? 'filter' : 'execve';
        task.phase = 'container';
      }
      task.runtime = now;
      if (now !== null) {
        runtimeSeen = true;
        runtime ??= now;
      }
    } else if (task.runtime !== null && task.phase === 'host') {
      const load = filterLoad(ev);
      if (load !== null) {
        task.phase = 'runtime';
        if (load.tsync) for (const t of tasks.values()) if (t.group === task.group && t.phase === 'host') t.phase = 'runtime';
      }
    }
  }

  function release(pid: number, sink: PhaseSink): void {
    const events = held.get(pid);
    if (events === undefined) return;
    held.delete(pid);
    heldCount -= events.length;
    const task = tasks.get(pid)!;
    for (const e of events) handle(task, e, sink);
  }

  function hostTask(pid: number): Task {
    const task: Task = { phase: 'host', runtime: null, group: pid };
    tasks.set(pid, task);
    return task;
  }

  return {
    push(ev, sink) {
      if (ev.kind === 'exit' && ev.superseded !== null) {
        // A thread's execve: the process goes on under the leader's pid, as the thread that exec'd.
        const by = tasks.get(ev.superseded);
        if (by !== undefined) tasks.set(ev.pid, by);
      }
      if (ev.kind !== 'syscall') return;
      const task = tasks.get(ev.pid);
      if (task !== undefined) return handle(task, ev, sink);
      // The first task, or one attached to (--attach): nothing in the trace created it.
      if (!runtimeSeen || tasks.size === 0) return handle(hostTask(ev.pid), ev, sink);
      const list = held.get(ev.pid) ?? held.set(ev.pid, []).get(ev.pid)!;
      list.push(ev);
      heldCount++;
      if (heldCount <= MAX_HELD) return;
      hostTask(ev.pid);
      release(ev.pid, sink);
    },
    finish(sink) {
      for (const pid of [...held.keys()]) {
        hostTask(pid);
        release(pid, sink);
      }
    },
    get info() {
      return { runtime, split };
    },
  };
}

/** The child a fork made, as strace numbers tasks: inside a PID namespace the return value is the child's pid
 * there, and strace (--decode-pids=pidns) adds its own: `= 7 /* 8705 in strace's PID NS *\/`. */
export function childPid(ev: SyscallEvent): number | null {
  if (ev.ret === null || !/^[1-9]\d*$/.test(ev.ret)) return null;
  const translated = PIDNS.exec(ev.raw.slice(ev.raw.lastIndexOf(' = ')));
  return Number(translated?.[1] ?? ev.ret);
}

const PIDNS = /^ = \d+ \/\* (\d+) in strace's PID NS \*\//;

/** The runtime an execve starts: argv[0]'s or the path's base name (`/proc/self/exe` with argv `["runc", "init"]`). */
function runtimeOf(ev: SyscallEvent): RuntimeName | null {
  const [path, argv] = ev.name === 'execve' ? [ev.args[0], ev.args[1]] : [ev.args[1], ev.args[2]];
  const argv0 = /^\["((?:[^"\\]|\\.)*)"/.exec(argv ?? '')?.[1];
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(path ?? '')?.[1];
  for (const candidate of [argv0, quoted]) {
    const base = candidate?.slice(candidate.lastIndexOf('/') + 1);
    if (base !== undefined && (RUNTIMES as readonly string[]).includes(base)) return base as RuntimeName;
  }
  return null;
}

/** A successful seccomp filter load: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog). */
export function filterLoad(ev: SyscallEvent): { tsync: boolean } | null {
  // Name first: `ev.args` splits the call text, which the runtime's thousands of other calls must not pay for.
  if ((ev.name !== 'seccomp' && ev.name !== 'prctl') || ev.ret === null || !/^\d+$/.test(ev.ret)) return null;
  const [a0, a1, a2] = ev.args;
  if (ev.name === 'seccomp' && (a0 === 'SECCOMP_SET_MODE_FILTER' || a0 === '1') && a2 !== undefined && a2 !== 'NULL') {
    const flags = a1 ?? '0';
    return { tsync: flags.includes('SECCOMP_FILTER_FLAG_TSYNC') || (/^(0x[0-9a-f]+|\d+)$/i.test(flags) && (Number(flags) & 1) === 1) };
  }
  if (ev.name === 'prctl' && (a0 === 'PR_SET_SECCOMP' || a0 === '22') && (a1 === 'SECCOMP_MODE_FILTER' || a1 === '2')) return { tsync: false };
  return null;
}

/** Calls only a runtime's setup needs (a container that makes them is unusual): listed first when names are shown. */
const SETUP_CALLS = ['mount', 'umount2', 'pivot_root', 'unshare', 'setns', 'chroot', 'mknodat', 'sethostname', 'keyctl'];

export function setupCallsFirst(names: readonly string[]): string[] {
  const rank = (n: string) => (SETUP_CALLS.includes(n) ? SETUP_CALLS.indexOf(n) : SETUP_CALLS.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
