// EDGE (procfs): who a process is. A pid alone is reused; pid plus start time names one process for good.
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null when the process is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

/** This process's identity: pid plus start time, so a reused pid is not mistaken for us. */
export function ownerIdentity(pid = process.pid): { pid: number; start: string | null } {
  return { pid, start: processStartTime(pid) };
}

/** Whether the process that took `identity` still runs (false once its pid is gone or reused). */
export function isAlive(identity: { pid: number; start: string | null }): boolean {
  return identity.start !== null && processStartTime(identity.pid) === identity.start;
}

/** Who a traced program is, for runs.exe/uid: the executable's real path and the real uid it runs as. */
export interface ProgramIdentity {
  readonly exe: string | null;
  readonly uid: number | null;
}

/** A program we start from `path`: it runs as we do. */
export function identityOfCommand(path: string | null): ProgramIdentity {
  let exe: string | null = null;
  try {
    exe = path === null ? null : realpathSync(path);
  } catch {
    // gone: unknown
  }
  return { exe, uid: process.getuid?.() ?? null };
}

/** A running process: its /proc exe link and the real uid in /proc/PID/status. */
export function identityOfProcess(pid: number): ProgramIdentity {
  let exe: string | null = null;
  let uid: number | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    // gone, or not ours to read
  }
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    uid = m?.[1] === undefined ? null : Number(m[1]);
  } catch {
    // gone
  }
  return { exe, uid };
}
