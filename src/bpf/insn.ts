// Classic BPF instructions: the kernel's struct sock_filter as plain data, opcode fields named after
// linux/filter.h, and tiny constructors. No behaviour beyond field access.

export interface Insn {
  /** u16 opcode. */
  readonly code: number;
  /** u8 forward offset taken when a conditional jump holds. */
  readonly jt: number;
  /** u8 forward offset taken when it does not. */
  readonly jf: number;
  /** u32 operand, normalised with `>>> 0`. */
  readonly k: number;
}

// Instruction classes (code & 0x07).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// Load sizes (code & 0x18).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// Load modes (code & 0xe0).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// ALU and jump operations (code & 0xf0).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// Operand source (code & 0x08) and return value source (code & 0x18).
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;

// BPF_MISC operations (code & 0xf8).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Scratch memory words M[0..15]. */
export const BPF_MEMWORDS = 16;
/** Largest conditional jump offset (u8). */
export const MAX_COND_OFFSET = 255;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;
export const bpfMiscOp = (code: number): number => code & 0xf8;

/** A non-jump instruction. */
export function stmt(code: number, k = 0): Insn {
  return { code, jt: 0, jf: 0, k: k >>> 0 };
}

/** A jump; offsets are relative to the next instruction. */
export function jump(code: number, k: number, jt: number, jf: number): Insn {
  return { code, jt, jf, k: k >>> 0 };
}

export function isReturn(i: Insn): boolean {
  return bpfClass(i.code) === BPF_RET;
}

export function isJump(i: Insn): boolean {
  return bpfClass(i.code) === BPF_JMP;
}

export function isConditionalJump(i: Insn): boolean {
  return isJump(i) && bpfOp(i.code) !== BPF_JA;
}

/** Control never reaches the next instruction from this one. */
export function endsFlow(i: Insn): boolean {
  return isReturn(i) || (isJump(i) && bpfOp(i.code) === BPF_JA);
}

/** Absolute indices control can go to after the instruction at `pc`. */
export function successors(i: Insn, pc: number): number[] {
  if (isReturn(i)) return [];
  if (!isJump(i)) return [pc + 1];
  if (bpfOp(i.code) === BPF_JA) return [pc + 1 + i.k];
  return i.jt === i.jf ? [pc + 1 + i.jt] : [pc + 1 + i.jt, pc + 1 + i.jf];
}

export function sameInsn(a: Insn, b: Insn): boolean {
  return a.code === b.code && a.jt === b.jt && a.jf === b.jf && a.k === b.k;
}
