// EDGE (reads /proc): which processes a replayed target starts, seen by polling every process's parent while
// it runs. Audit records carry a pid but no parent, so this is how a child's record is told from a stranger's.
// (/proc/PID/task/TID/children would be cheaper but needs CONFIG_PROC_CHILDREN.) A child that lives less
// than one interval can be missed: its exe still matches (violations.ts treeRecords).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ReplayTree } from './violations.js';

const INTERVAL_MS = 50;

export interface TreeWatch {
  /** Polls once more, stops, and returns what was seen. */
  stop(): ReplayTree;
}

/** `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last `)`. */
export function parentFromStat(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return close < 0 || !Number.isInteger(ppid) ? null : ppid;
}

function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = parentFromStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (ppid !== null) out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** Starts watching the tree under `rootPid`; `rootExe` is the target's resolved path, known before it runs. */
export function watchTree(rootPid: number, rootExe: string | null): TreeWatch {
  const pids = new Set<number>([rootPid]);
  const exes = new Set<string>(rootExe === null ? [] : [rootExe]);
  const poll = (): void => {
    const parentOf = parents();
    // A few passes: a grandchild may be listed before its parent joined the set.
    for (let changed = true; changed; ) {
      changed = false;
      for (const [pid, ppid] of parentOf) {
        if (pids.has(pid) || !pids.has(ppid)) continue;
        pids.add(pid);
        changed = true;
      }
    }
    for (const pid of pids) {
      const exe = exeOf(pid);
      // Before its execve the loader is Node itself: Node's exe would match strangers.
      if (exe !== null && exe !== process.execPath && !exe.endsWith(' (deleted)')) exes.add(exe);
    }
  };
  const timer = setInterval(poll, INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      poll();
      return { pids, exes, rootPid };
    },
  };
}
