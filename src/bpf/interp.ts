// A classic-BPF interpreter over struct seccomp_data: the reference the tests and `learn check` use.
import { SECCOMP_DATA_SIZE } from '../abi/seccomp.js';
import { BpfError } from './error.js';
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP,
  BPF_A, BPF_JSET, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH,
  BPF_K, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, bpfOp, bpfSrc,
} from './insn.js';
import { encodeSeccompData, type SeccompData } from './seccomp-data.js';
import type { Program } from './validate.js';

export interface ExecResult {
  /** The u32 the filter returned (SECCOMP_RET_*). */
  readonly verdict: number;
  /** Instructions executed, including the final ret. */
  readonly steps: number;
  /** A word beyond nr/arch was read: the kernel's action cache cannot serve this call. */
  readonly readArgs: boolean;
}

/** Runs a validated program on one syscall. */
export function execute(program: Program, data: SeccompData | Uint8Array): ExecResult {
  const bytes = data instanceof Uint8Array ? data : encodeSeccompData(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, SECCOMP_DATA_SIZE);
  const mem = new Uint32Array(16);
  let a = 0;
  let x = 0;
  let steps = 0;
  let readArgs = false;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    steps++;
    switch (code) {
      case BPF_LD | BPF_W | BPF_ABS:
        a = view.getUint32(k, true);
        if (k >= 8) readArgs = true;
        continue;
      case BPF_LD | BPF_W | BPF_LEN: a = SECCOMP_DATA_SIZE; continue;
      case BPF_LDX | BPF_W | BPF_LEN: x = SECCOMP_DATA_SIZE; continue;
      case BPF_LD | BPF_IMM: a = k; continue;
      case BPF_LDX | BPF_IMM: x = k; continue;
      case BPF_LD | BPF_MEM: a = mem[k]!; continue;
      case BPF_LDX | BPF_MEM: x = mem[k]!; continue;
      case BPF_ST: mem[k] = a; continue;
      case BPF_STX: mem[k] = x; continue;
      case BPF_MISC | BPF_TAX: x = a; continue;
      case BPF_MISC | BPF_TXA: a = x; continue;
      case BPF_RET | BPF_K: return { verdict: k >>> 0, steps, readArgs };
      case BPF_RET | BPF_A: return { verdict: a >>> 0, steps, readArgs };
      case BPF_JMP | BPF_JA: pc += k; continue;
      default:
        break;
    }
    const operand = bpfSrc(code) === BPF_X ? x : k;
    if ((code & 0x07) === BPF_ALU) {
      // Division by a zero X ends the filter with 0 (SECCOMP_RET_KILL_THREAD), as the kernel does.
      if (bpfOp(code) === BPF_DIV && operand === 0) return { verdict: 0, steps, readArgs };
      a = alu(bpfOp(code), a, operand);
    } else if ((code & 0x07) === BPF_JMP) {
      pc += jumpTaken(bpfOp(code), a, operand) ? jt : jf;
    } else {
      throw new BpfError('invalid-opcode', pc, `opcode 0x${code.toString(16)} cannot run`);
    }
  }
  throw new BpfError('no-return', program.length - 1, 'ran past the end');
}

function alu(op: number, a: number, v: number): number {
  switch (op) {
    case BPF_ADD: return (a + v) >>> 0;
    case BPF_SUB: return (a - v) >>> 0;
    case BPF_MUL: return Math.imul(a, v) >>> 0;
    case BPF_DIV: return Math.floor(a / v) >>> 0;
    case BPF_OR: return (a | v) >>> 0;
    case BPF_AND: return (a & v) >>> 0;
    case BPF_XOR: return (a ^ v) >>> 0;
    // Constant shifts are checked < 32; the kernel masks an X shift count to 5 bits, as JS does.
    case BPF_LSH: return (a << (v & 31)) >>> 0;
    case BPF_RSH: return a >>> (v & 31);
    case BPF_NEG: return -a >>> 0;
    default: throw new BpfError('invalid-opcode', -1, `ALU operation 0x${op.toString(16)}`);
  }
}

function jumpTaken(op: number, a: number, v: number): boolean {
  switch (op) {
    case BPF_JEQ: return a === v;
    case BPF_JGT: return a > v;
    case BPF_JGE: return a >= v;
    case BPF_JSET: return (a & v) !== 0;
    default: throw new BpfError('invalid-opcode', -1, `jump operation 0x${op.toString(16)}`);
  }
}
