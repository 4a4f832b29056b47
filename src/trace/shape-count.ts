import type { Arch } from '../abi/arch.js';

/** How often one call shape was seen: a syscall on an arch plus its shape key (the values of its sensitive
 * arguments, '' for none). The unit the store aggregates, the learner covers and `check` replays. */
export interface ShapeCount {
  readonly arch: Arch;
  readonly nr: number;
  readonly name: string;
  readonly shape: string;
  readonly count: number;
}
