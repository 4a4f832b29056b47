// Pure: the kernel's SECCOMP audit records of a replayed process tree → what the filter stopped or logged,
// by syscall, and the call that killed a process when one died of SIGSYS.
import type { Arch } from '../abi/arch.js';
import type { AuditAction, AuditRecord } from '../audit/record.js';
import { displayName } from '../syscalls/table.js';

/** The processes a replay started, as far as the launcher could see them. */
export interface ReplayTree {
  /** The target (the loader's pid, or bwrap's) and every descendant seen while it ran. */
  readonly pids: ReadonlySet<number>;
  /** Executables of those processes: a child too short-lived to be seen is matched by its exe. */
  readonly exes: ReadonlySet<string>;
  /** The target's pid: pids the kernel handed out before it are not ours. */
  readonly rootPid: number;
}

export interface Violation {
  readonly arch: Arch | null;
  readonly archText: string;
  readonly nr: number;
  readonly name: string;
  readonly action: AuditAction;
  readonly count: number;
  /** Processes that made the call, ascending. */
  readonly pids: readonly number[];
}

/** A process of the tree that a KILL action ended, and the call that did it. */
export interface FatalCall {
  readonly pid: number;
  readonly arch: Arch | null;
  readonly nr: number;
  readonly name: string;
  readonly action: AuditAction;
}

export interface ViolationReport {
  readonly violations: readonly Violation[];
  readonly fatal: readonly FatalCall[];
}

const KILL_ACTIONS: ReadonlySet<AuditAction> = new Set(['kill-process', 'kill-thread', 'kill']);

/** Records made by the tree: a known pid, or a known exe in a pid handed out after the target's (pids wrap,
 * but not within one replay on a machine whose pid_max exceeds what it forks meanwhile). */
export function treeRecords(records: readonly AuditRecord[], tree: ReplayTree): AuditRecord[] {
  return records.filter((r) => tree.pids.has(r.pid) || (r.exe !== null && tree.exes.has(r.exe) && r.pid > tree.rootPid));
}

function recordName(r: AuditRecord): string {
  return r.name ?? (r.arch === null ? `syscall_${r.nr}` : displayName(r.arch, r.nr));
}

/** Groups the tree's records by (arch, syscall, action), in the order they first happened. */
export function summarizeViolations(records: readonly AuditRecord[]): ViolationReport {
  const groups = new Map<string, { v: Omit<Violation, 'count' | 'pids'>; count: number; pids: Set<number> }>();
  const fatal: FatalCall[] = [];
  for (const r of records) {
    const name = recordName(r);
    const key = `${r.archText}:${r.nr}:${r.action}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { v: { arch: r.arch, archText: r.archText, nr: r.nr, name, action: r.action }, count: 0, pids: new Set() };
      groups.set(key, g);
    }
    g.count += 1;
    g.pids.add(r.pid);
    if (KILL_ACTIONS.has(r.action)) fatal.push({ pid: r.pid, arch: r.arch, nr: r.nr, name, action: r.action });
  }
  const violations = [...groups.values()].map((g) => ({ ...g.v, count: g.count, pids: [...g.pids].sort((a, b) => a - b) }));
  return { violations, fatal };
}

/** The call that killed `pid`, or (bwrap: the target is a child of the pid we know) the first kill in the tree. */
export function fatalCallOf(report: ViolationReport, pid: number): FatalCall | undefined {
  return report.fatal.find((f) => f.pid === pid) ?? report.fatal[0];
}
