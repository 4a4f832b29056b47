import type { Arch } from '../abi/arch.js';

/** One completed syscall as strace reported it (unfinished/resumed halves already joined). */
export interface SyscallEvent {
  readonly kind: 'syscall';
  readonly pid: number;
  readonly arch: Arch;
  /** Syscall number on `arch`; -1 only when neither -n nor the name told us. */
  readonly nr: number;
  /** Name as strace printed it (`syscall_0x1234` for unknown numbers). */
  readonly name: string;
  /** Top-level argument texts, split at commas outside quotes and brackets. */
  readonly args: readonly string[];
  /** Return value text (`0`, `-1`, `?`, `0x7f…`), or null when the call never returned (exit, execve of a thread). */
  readonly ret: string | null;
  /** Errno name when the call failed (`ENOENT`, `ERESTARTSYS`), else null. */
  readonly errno: string | null;
  /** 1-based line where the call started (the unfinished half, when split). */
  readonly line: number;
  /** The raw line text (the joined text for unfinished/resumed pairs). */
  readonly raw: string;
}

export interface ExitEvent {
  readonly kind: 'exit';
  readonly pid: number;
  /** `exited with N` → code; `killed by SIG` → signal name. */
  readonly code: number | null;
  readonly signal: string | null;
  readonly coreDumped: boolean;
  /** `+++ superseded by execve in pid N +++`: N, the thread whose execve now continues under `pid`
   * (not an exit of `pid`: code and signal are null); else null. */
  readonly superseded: number | null;
  readonly line: number;
}

export interface SignalEvent {
  readonly kind: 'signal';
  readonly pid: number;
  readonly signal: string;
  /** For SIGSYS from seccomp: the syscall number and arch in `si_syscall`/`si_arch`. */
  readonly syscall: number | null;
  /** The arch of `syscall` (from `si_arch`), null when not given. */
  readonly syscallArch: Arch | null;
  readonly line: number;
}

/** `[ Process PID N runs in 32 bit mode. ]` and friends. */
export interface PersonalityEvent {
  readonly kind: 'personality';
  readonly pid: number;
  readonly arch: Arch;
  /** x32 mode: x86_64 calls numbered with X32_SYSCALL_BIT. */
  readonly x32: boolean;
  readonly line: number;
}

export type TraceEvent = SyscallEvent | ExitEvent | SignalEvent | PersonalityEvent;

/** A line the parser could not make sense of; counted and a few reported, never fatal. */
export interface ParseProblem {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}
