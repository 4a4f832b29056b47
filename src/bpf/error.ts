import { ToolError } from '../errors.js';

export type BpfErrorCode =
  | 'empty'
  | 'too-long'
  | 'bad-size'
  | 'bad-action'
  | 'invalid-opcode'
  | 'invalid-jump'
  | 'no-return'
  | 'bad-load'
  | 'bad-memory-index'
  | 'uninitialised-memory'
  | 'division-by-zero'
  | 'bad-shift'
  | 'label';

/** A program the kernel would refuse (or the builder cannot lay out), with the instruction at fault. */
export class BpfError extends ToolError {
  override readonly name = 'BpfError';
  readonly code: BpfErrorCode;
  /** Index of the offending instruction, or -1 for the whole program. */
  readonly pc: number;
  constructor(code: BpfErrorCode, pc: number, detail: string, options: { hint?: string } = {}) {
    super(pc >= 0 ? `BPF ${code} at instruction ${pc}: ${detail}` : `BPF ${code}: ${detail}`, options);
    this.code = code;
    this.pc = pc;
  }
}
