// EDGE: the unit a replayed (or traced) program and everything it starts run in, so that when learn is done
// nothing the program started is left: not a worker whose master was killed, not a daemon that forked away.
// As root (or with a delegated cgroup) it is a cgroup v2 of its own, ended with cgroup.kill (5.14): learn
// steps into it just for the fork of the program's first process, which so starts inside with nothing run
// before its exec and its environment untouched; a guard process outside it kills it when learn itself dies,
// even by SIGKILL (it waits for EOF on a pipe only learn holds). Otherwise learn becomes a child subreaper, so
// orphans of the tree become its children instead of init's, and are killed and reaped at the end (a
// SIGKILLed learn cannot do that: the cgroup can).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLibc, type Libc } from './libc.js';

export type UnitKind = 'cgroup' | 'subreaper';

export interface Unit {
  readonly kind: UnitKind;
  /** Runs `start`, which spawns the tree's first process (synchronously), so that the process starts in the unit. */
  enter<T>(start: () => T): T;
  /** Kills every process left in the unit and waits until they are gone; returns how many it killed. */
  end(): Promise<number>;
}

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const SETTLE_MS = 10;
const SETTLE_FOR_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Where this process's cgroup v2 directory is, or null without a cgroup2 mount. */
function ownCgroupDir(): string | null {
  const mount = (readText('/proc/self/mountinfo') ?? '').split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[f.indexOf('-') + 1] === 'cgroup2')?.[4];
  const path = /^0::(.*)$/m.exec(readText('/proc/self/cgroup') ?? '')?.[1];
  return mount === undefined || path === undefined ? null : join(mount, path);
}

const GUARD = 'read _; echo 1 > "$0/cgroup.kill" 2>/dev/null; i=0; '
  + 'while [ $i -lt 100 ] && grep -q "^populated 1" "$0/cgroup.events" 2>/dev/null; do sleep 0.05; i=$((i+1)); done; rmdir "$0" 2>/dev/null';

let serial = 0;

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** Moves this process into the cgroup whose cgroup.procs is `procs`; false when refused. */
function moves(procs: string): boolean {
  try {
    writeFileSync(procs, String(process.pid));
    return true;
  } catch {
    return false;
  }
}

function cgroupUnit(): Unit | null {
  const parent = ownCgroupDir();
  if (parent === null) return null;
  const dir = join(parent, `learn-${process.pid}-${serial++}`);
  try {
    mkdirSync(dir);
  } catch {
    return null; // not ours to create (no root, no delegation)
  }
  if (!existsSync(join(dir, 'cgroup.kill'))) {
    rmdirSync(dir); // before 5.14
    return null;
  }
  // Started once the program is (a fork of Node costs 5–15 ms here, not to be spent before the program runs);
  // its own session: Ctrl-C at the terminal must not end it before it has done its job.
  let guard: ChildProcess | undefined;
  const startGuard = (): void => {
    if (guard !== undefined) return;
    guard = spawn('/bin/sh', ['-c', GUARD, dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    guard.unref();
    guard.on('error', () => undefined);
    guard.stdin?.on('error', () => undefined);
  };
  const populated = (): boolean => /^populated 1$/m.test(readText(join(dir, 'cgroup.events')) ?? '');
  return {
    kind: 'cgroup',
    // Two migrations of learn (each 0.2–20 ms on a loaded 2-vCPU VM): the price of a first process that
    // starts inside, with no window in which it could fork outside.
    enter(start) {
      const inside = moves(join(dir, 'cgroup.procs'));
      try {
        return start();
      } finally {
        if (inside) moves(join(parent, 'cgroup.procs'));
        startGuard();
      }
    },
    async end() {
      const procs = (readText(join(dir, 'cgroup.procs')) ?? '').split('\n').filter((l) => l !== '').map(Number);
      // Never kill learn itself: if stepping back out failed, end the others one by one.
      if (procs.includes(process.pid) && !moves(join(parent, 'cgroup.procs'))) {
        for (const pid of procs) if (pid !== process.pid) signal(pid);
        guard?.kill('SIGKILL'); // it would kill the cgroup, learn with it, once learn closes its pipe
        return procs.length - 1;
      }
      if (populated()) writeFileSync(join(dir, 'cgroup.kill'), '1');
      for (const until = Date.now() + SETTLE_FOR_MS; populated() && Date.now() < until; ) await sleep(SETTLE_MS);
      try {
        rmdirSync(dir);
      } catch {
        // the guard removes it once it is empty
      }
      guard?.stdin?.end();
      return procs.length;
    },
  };
}

/** Direct children of every thread of `pid` (the kernel's /proc/PID/task/TID/children lists). */
export function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => (readText(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter((s) => s !== '').map(Number));
}

/** Every process below `pid`, parents before children, leaving out the subtrees of `skip`'s direct children. */
export function descendants(pid: number, skip: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  for (let queue = childrenOf(pid).filter((p) => !skip.has(p)); queue.length > 0; ) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...childrenOf(next));
  }
  return out;
}

function isZombie(pid: number): boolean {
  return /^State:\s+Z/m.test(readText(`/proc/${pid}/status`) ?? 'State: Z');
}

function subreaperUnit(libc: Libc, keep: ReadonlySet<number>): Unit {
  const prctl = libc.nr('prctl');
  const wait4 = libc.nr('wait4');
  libc.syscall(prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  const mine = (): number[] => descendants(process.pid, keep);
  return {
    kind: 'subreaper',
    enter: (start) => start(),
    async end() {
      const killed = new Set<number>();
      for (const until = Date.now() + SETTLE_FOR_MS; Date.now() < until; ) {
        const alive = mine().filter((p) => !isZombie(p));
        if (alive.length === 0) break;
        for (const pid of alive) {
          try {
            process.kill(pid, 'SIGKILL');
            killed.add(pid);
          } catch {
            // gone meanwhile
          }
        }
        await sleep(SETTLE_MS);
      }
      // Orphans that came to us are our children now, unknown to Node: reap them (never Node's own children,
      // which `keep` and the launcher's own wait cover).
      for (const pid of childrenOf(process.pid)) {
        if (!keep.has(pid) && killed.has(pid) && isZombie(pid)) libc.syscall(wait4, pid, 0, WNOHANG, 0, 0);
      }
      libc.syscall(prctl, PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
      return killed.size;
    },
  };
}

/** Opens a unit for one program tree. `keep`: children of learn that are not part of it. */
export async function openUnit(keep: ReadonlySet<number> = new Set()): Promise<Unit> {
  return cgroupUnit() ?? subreaperUnit(await loadLibc(), new Set([...keep, ...childrenOf(process.pid)]));
}
