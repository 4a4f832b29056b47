// The kernel's checks for a seccomp filter (bpf_check_classic + seccomp_check_filter), so that only a
// program the kernel would load can be executed, encoded or installed.
import { BPF_MAXINSNS, SECCOMP_DATA_SIZE } from '../abi/seccomp.js';
import { BpfError } from './error.js';
import {
  BPF_ABS, BPF_ALU, BPF_DIV, BPF_IMM, BPF_JA, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM,
  BPF_MEMWORDS, BPF_MISC, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_TAX, BPF_TXA, BPF_W, BPF_A, BPF_X,
  BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_NEG, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET,
  bpfClass, isConditionalJump, type Insn,
} from './insn.js';

declare const programBrand: unique symbol;
/** Instructions that passed validate(): the only thing the interpreter runs and the encoder writes. */
export type Program = readonly Insn[] & { readonly [programBrand]: true };

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH];
const COND_OPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];

/** Every opcode the kernel accepts in a seccomp filter. */
export const SECCOMP_OPCODES: ReadonlySet<number> = new Set([
  BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN, BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K, BPF_RET | BPF_A,
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]), BPF_ALU | BPF_NEG,
  BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM, BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX,
  BPF_JMP | BPF_JA, ...COND_OPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
]);

/** Checks `insns` as the kernel would and returns them as a Program, or throws BpfError {code, pc}. */
export function validate(insns: readonly Insn[]): Program {
  const n = insns.length;
  if (n === 0) throw new BpfError('empty', -1, 'a filter needs at least one instruction');
  if (n > BPF_MAXINSNS) throw new BpfError('too-long', -1, `${n} instructions; the kernel accepts at most ${BPF_MAXINSNS}`);
  insns.forEach((insn, pc) => checkInsn(insn, pc, n));
  const last = insns[n - 1]!;
  if (last.code !== (BPF_RET | BPF_K) && last.code !== (BPF_RET | BPF_A)) {
    throw new BpfError('no-return', n - 1, 'the last instruction must be ret');
  }
  checkMemory(insns);
  return insns as Program;
}

function checkInsn(insn: Insn, pc: number, n: number): void {
  const { code, k } = insn;
  if (!SECCOMP_OPCODES.has(code)) throw new BpfError('invalid-opcode', pc, `opcode 0x${code.toString(16)} is not allowed in seccomp filters`);
  if (code === (BPF_LD | BPF_W | BPF_ABS) && (k % 4 !== 0 || k >= SECCOMP_DATA_SIZE)) {
    throw new BpfError('bad-load', pc, `load at offset ${k} is not an aligned word inside seccomp_data`);
  }
  if (code === (BPF_ALU | BPF_DIV | BPF_K) && k === 0) throw new BpfError('division-by-zero', pc, 'division by constant 0');
  if ((code === (BPF_ALU | BPF_LSH | BPF_K) || code === (BPF_ALU | BPF_RSH | BPF_K)) && k >= 32) {
    throw new BpfError('bad-shift', pc, `shift by ${k}`);
  }
  if ((code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM) || code === BPF_ST || code === BPF_STX) && k >= BPF_MEMWORDS) {
    throw new BpfError('bad-memory-index', pc, `scratch memory M[${k}] does not exist`);
  }
  if (code === (BPF_JMP | BPF_JA) && k >= n - pc - 1) throw new BpfError('invalid-jump', pc, `ja +${k} leaves the program`);
  if (isConditionalJump(insn) && (pc + insn.jt + 1 >= n || pc + insn.jf + 1 >= n)) {
    throw new BpfError('invalid-jump', pc, `jump target ${pc + 1 + Math.max(insn.jt, insn.jf)} is past the end`);
  }
}

/** Scratch memory must be written on every path before it is read (kernel check_load_and_stores). */
function checkMemory(insns: readonly Insn[]): void {
  const masks = insns.map(() => 0xffff);
  let valid = 0;
  insns.forEach((insn, pc) => {
    valid &= masks[pc]!;
    if (insn.code === BPF_ST || insn.code === BPF_STX) valid |= 1 << insn.k;
    else if (insn.code === (BPF_LD | BPF_MEM) || insn.code === (BPF_LDX | BPF_MEM)) {
      if ((valid & (1 << insn.k)) === 0) throw new BpfError('uninitialised-memory', pc, `M[${insn.k}] may be read before it is written`);
    } else if (insn.code === (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + insn.k]! &= valid;
      valid = 0xffff;
    } else if (bpfClass(insn.code) === BPF_JMP) {
      masks[pc + 1 + insn.jt]! &= valid;
      masks[pc + 1 + insn.jf]! &= valid;
      valid = 0xffff;
    }
  });
}
