import type { Arch } from '../abi/arch.js';
import type { Rule } from '../policy/model.js';

/** One observed call shape of a profile (the union over its runs): a syscall on an arch, plus the argument
 * values for syscalls whose rules inspect arguments. */
export interface ObservedShape {
  readonly arch: Arch;
  readonly nr: number;
  readonly name: string;
  /** Argument values by position (index i = argument i); null where a value was not captured, and the whole
   * array null for syscalls recorded without values. */
  readonly values: readonly (bigint | null)[] | null;
  readonly count: number;
  /** Runs that made this call. */
  readonly runIds: readonly number[];
}

/** A category as the learner sees it: per arch, the rules it has for each syscall it grants. */
export interface Category {
  readonly name: string;
  /** For a bundle (a category that only USEs others): the categories it bundles. */
  readonly parts?: readonly string[];
  readonly syscalls: ReadonlyMap<Arch, ReadonlyMap<string, readonly Rule[]>>;
}
