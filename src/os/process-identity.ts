// EDGE (procfs): who a process is. A pid alone is reused; pid plus start time names one process for good.
import { readFileSync } from 'node:fs';

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
