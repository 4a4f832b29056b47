import type { Arch } from '../abi/arch.js';
import type { ArgWidth } from '../syscalls/args.js';
import type { Action, Expr } from './model.js';

/** One guarded verdict: the first clause whose `when` holds (or is null) decides the syscall. */
export interface Clause {
  readonly when: Expr | null;
  readonly action: Action;
}

export interface ResolvedSyscall {
  readonly nr: number;
  readonly name: string;
  /** In evaluation order; conditional clauses come before an unconditional one, which ends the list. */
  readonly clauses: readonly Clause[];
  /** Width of each of the six arguments on this arch. */
  readonly widths: readonly ArgWidth[];
}

/** A policy with every name resolved to a number for one arch: what the BPF compiler and the evaluator take. */
export interface ResolvedPolicy {
  readonly arch: Arch;
  readonly defaultAction: Action;
  /** What a call from another arch (e.g. `int $0x80` from a 64-bit process) gets. */
  readonly foreignArchAction: Action;
  /** Sorted by nr, one entry per syscall. */
  readonly syscalls: readonly ResolvedSyscall[];
}
