// The parsed form of one kernel SECCOMP audit record (type 1326), whatever container it came in.
import type { Arch } from '../abi/arch.js';

export const AUDIT_SECCOMP = 1326;

/** `audit(SECONDS.MS:SERIAL)`: wall-clock time of the event and the per-boot serial. */
export interface AuditStamp {
  readonly seconds: number;
  readonly ms: number;
  readonly serial: number;
}

/** The action the filter returned. The kernel masks the data bits out of `code`, so ERRNO/TRAP/TRACE carry none.
 * `kill` is what `ausearch -i` prints for both KILL_PROCESS and KILL_THREAD: the interpreted text cannot tell. */
export type AuditAction =
  | 'kill-process'
  | 'kill-thread'
  | 'kill'
  | 'trap'
  | 'errno'
  | 'user-notif'
  | 'trace'
  | 'log'
  | 'allow';

export interface AuditRecord {
  readonly stamp: AuditStamp;
  /** null when the AUDIT_ARCH value is not one we have tables for; `archText` keeps what the record said. */
  readonly arch: Arch | null;
  readonly archText: string;
  /** Syscall number in `arch`'s table (i386 64 is getppid, x86_64 64 is semget). */
  readonly nr: number;
  /** Name from the per-arch table; null when arch is unknown or the number is out of the table's range. */
  readonly name: string | null;
  readonly compat: boolean;
  readonly action: AuditAction;
  /** The raw `code` value; null for `ausearch -i` output, which prints only the action's name. */
  readonly code: number | null;
  readonly pid: number;
  /** null when the record gave a user name (`ausearch -i`) we cannot map back. */
  readonly uid: number | null;
  readonly gid: number | null;
  readonly comm: string | null;
  readonly exe: string | null;
  readonly sig: number;
  /** Instruction pointer after the syscall instruction, as printed (`0x7f…`). */
  readonly ip: string;
}

/** Key that identifies one record within a boot: journald's two copies of a record share it. */
export function stampKey(s: AuditStamp): string {
  return `${s.seconds}.${String(s.ms).padStart(3, '0')}:${s.serial}`;
}

export function stampMs(s: AuditStamp): number {
  return s.seconds * 1000 + s.ms;
}
