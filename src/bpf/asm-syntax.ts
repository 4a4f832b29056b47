// The text form of one instruction, shared by the disassembler and the assembler: one table maps each
// mnemonic + operand shape to its opcode, so printing and parsing cannot drift apart.
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ,
  BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD,
  BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W,
  BPF_X, BPF_XOR, type Insn,
} from './insn.js';

/** Operand shapes: `#k`, `[k]`, `[x+k]`, `M[k]`, `#len`, `4*([k]&0xf)`, `x`, `a`, none, jump forms. */
export type Operand = 'imm' | 'abs' | 'ind' | 'mem' | 'len' | 'msh' | 'x' | 'a' | 'none' | 'ja' | 'cond-k' | 'cond-x';

export interface Form {
  readonly mnemonic: string;
  readonly operand: Operand;
  readonly code: number;
}

const ALU_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['add', BPF_ADD], ['sub', BPF_SUB], ['mul', BPF_MUL], ['div', BPF_DIV], ['mod', BPF_MOD], ['or', BPF_OR],
  ['and', BPF_AND], ['xor', BPF_XOR], ['lsh', BPF_LSH], ['rsh', BPF_RSH],
];
const JUMP_NAMES: ReadonlyArray<readonly [string, number]> = [['jeq', BPF_JEQ], ['jgt', BPF_JGT], ['jge', BPF_JGE], ['jset', BPF_JSET]];

export const FORMS: readonly Form[] = [
  { mnemonic: 'ld', operand: 'imm', code: BPF_LD | BPF_W | BPF_IMM },
  { mnemonic: 'ld', operand: 'abs', code: BPF_LD | BPF_W | BPF_ABS },
  { mnemonic: 'ld', operand: 'ind', code: BPF_LD | BPF_W | BPF_IND },
  { mnemonic: 'ld', operand: 'mem', code: BPF_LD | BPF_W | BPF_MEM },
  { mnemonic: 'ld', operand: 'len', code: BPF_LD | BPF_W | BPF_LEN },
  { mnemonic: 'ldh', operand: 'abs', code: BPF_LD | BPF_H | BPF_ABS },
  { mnemonic: 'ldh', operand: 'ind', code: BPF_LD | BPF_H | BPF_IND },
  { mnemonic: 'ldb', operand: 'abs', code: BPF_LD | BPF_B | BPF_ABS },
  { mnemonic: 'ldb', operand: 'ind', code: BPF_LD | BPF_B | BPF_IND },
  { mnemonic: 'ldx', operand: 'imm', code: BPF_LDX | BPF_W | BPF_IMM },
  { mnemonic: 'ldx', operand: 'mem', code: BPF_LDX | BPF_W | BPF_MEM },
  { mnemonic: 'ldx', operand: 'len', code: BPF_LDX | BPF_W | BPF_LEN },
  { mnemonic: 'ldxb', operand: 'msh', code: BPF_LDX | BPF_B | BPF_MSH },
  { mnemonic: 'st', operand: 'mem', code: BPF_ST },
  { mnemonic: 'stx', operand: 'mem', code: BPF_STX },
  ...ALU_NAMES.flatMap(([m, op]): Form[] => [
    { mnemonic: m, operand: 'imm', code: BPF_ALU | op | BPF_K },
    { mnemonic: m, operand: 'x', code: BPF_ALU | op | BPF_X },
  ]),
  { mnemonic: 'neg', operand: 'none', code: BPF_ALU | BPF_NEG },
  { mnemonic: 'ja', operand: 'ja', code: BPF_JMP | BPF_JA },
  ...JUMP_NAMES.flatMap(([m, op]): Form[] => [
    { mnemonic: m, operand: 'cond-k', code: BPF_JMP | op | BPF_K },
    { mnemonic: m, operand: 'cond-x', code: BPF_JMP | op | BPF_X },
  ]),
  { mnemonic: 'ret', operand: 'imm', code: BPF_RET | BPF_K },
  { mnemonic: 'ret', operand: 'x', code: BPF_RET | BPF_X },
  { mnemonic: 'ret', operand: 'a', code: BPF_RET | BPF_A },
  { mnemonic: 'tax', operand: 'none', code: BPF_MISC | BPF_TAX },
  { mnemonic: 'txa', operand: 'none', code: BPF_MISC | BPF_TXA },
];

export const FORM_BY_CODE: ReadonlyMap<number, Form> = new Map(FORMS.map((f) => [f.code, f]));

export const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;

/** Raw form for anything without a canonical spelling: `.raw code jt jf k`. */
export function rawText(insn: Insn): string {
  return `.raw ${hex(insn.code)} ${insn.jt} ${insn.jf} ${hex(insn.k)}`;
}

/** Canonical text of `insn` at index `pc` (jump targets absolute), before checking that it round-trips. */
export function insnText(insn: Insn, pc: number): string {
  const form = FORM_BY_CODE.get(insn.code);
  if (!form) return rawText(insn);
  const op = (s: string): string => `${form.mnemonic.padEnd(4)} ${s}`;
  switch (form.operand) {
    case 'imm': return op(`#${hex(insn.k)}`);
    case 'abs': return op(`[${insn.k}]`);
    case 'ind': return op(`[x+${insn.k}]`);
    case 'mem': return op(`M[${insn.k}]`);
    case 'len': return op('#len');
    case 'msh': return op(`4*([${insn.k}]&0xf)`);
    case 'x': return op('x');
    case 'a': return op('a');
    case 'none': return form.mnemonic;
    case 'ja': return op(`${pc + 1 + insn.k}`);
    case 'cond-k': return op(`#${hex(insn.k)} jt ${pc + 1 + insn.jt} jf ${pc + 1 + insn.jf}`);
    case 'cond-x': return op(`x jt ${pc + 1 + insn.jt} jf ${pc + 1 + insn.jf}`);
  }
}
