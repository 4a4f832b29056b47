// One instruction a line: index, mnemonic, operands with absolute jump targets, and a comment naming the
// seccomp_data field loaded, the syscall or arch compared against, or the action returned. The text
// assembles back to the same bytes (asm-parse.ts); instructions without a canonical spelling print raw.
import { AUDIT_ARCH, X32_SYSCALL_BIT, archFromAudit, type Arch } from '../abi/arch.js';
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_NR } from '../abi/seccomp.js';
import { parseInsn } from './asm-parse.js';
import { hex, insnText, rawText } from './asm-syntax.js';
import { describeRet } from './actions.js';
import { BPF_ABS, BPF_ALU, BPF_MISC, BPF_TXA, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, bpfClass, bpfSrc, isConditionalJump, sameInsn, successors, type Insn } from './insn.js';
import { dataFieldName } from './seccomp-data.js';

export interface DisasmOptions {
  /** Arch for syscall names; inferred from the program's AUDIT_ARCH compare when absent. */
  readonly arch?: Arch;
  /** Name lookup for syscall numbers (the CLI passes the syscall tables). */
  readonly syscallName?: (arch: Arch, nr: number) => string | undefined;
}

/** Offset of the seccomp_data word A holds before each instruction, or -1 when unknown. */
export function accumulatorWords(insns: readonly Insn[]): number[] {
  const before: Array<number | undefined> = insns.map(() => undefined);
  const merge = (pc: number, word: number): void => {
    const cur = before[pc];
    before[pc] = cur === undefined || cur === word ? word : -1;
  };
  if (insns.length > 0) merge(0, -1);
  insns.forEach((insn, pc) => {
    const a = before[pc] ?? -1;
    const after = insn.code === (BPF_LD | BPF_W | BPF_ABS) ? insn.k : bpfClass(insn.code) === BPF_JMP ? a : writesA(insn) ? -1 : a;
    for (const next of successors(insn, pc)) if (next < insns.length) merge(next, after);
  });
  return before.map((w) => w ?? -1);
}

/** The arch a program checks for: the first AUDIT_ARCH constant compared with the arch word. */
export function inferArch(insns: readonly Insn[]): Arch | undefined {
  const words = accumulatorWords(insns);
  for (const [pc, insn] of insns.entries()) {
    if (words[pc] === SECCOMP_DATA_ARCH && isConditionalJump(insn) && bpfSrc(insn.code) === BPF_K) {
      const arch = archFromAudit(insn.k);
      if (arch) return arch;
    }
  }
  return undefined;
}

export function disassemble(insns: readonly Insn[], options: DisasmOptions = {}): string {
  const arch = options.arch ?? inferArch(insns);
  const words = accumulatorWords(insns);
  const width = String(Math.max(insns.length - 1, 0)).length;
  return insns.map((insn, pc) => {
    const text = canonicalText(insn, pc);
    const note = comment(insn, words[pc] ?? -1, arch, options);
    const line = `${String(pc).padStart(width)}: ${text}`;
    return note ? `${line.padEnd(width + 34)} ; ${note}\n` : `${line}\n`;
  }).join('');
}

/** The instruction's text, or its raw form when the text would not assemble back to the same bytes. */
function canonicalText(insn: Insn, pc: number): string {
  const text = insnText(insn, pc);
  try {
    if (sameInsn(parseInsn(text, pc, (m) => { throw new Error(m); }), insn)) return text;
  } catch {
    // A jump out of the u8/u32 range or a stray field: fall through to the raw form.
  }
  return rawText(insn);
}

function writesA(insn: Insn): boolean {
  const cls = bpfClass(insn.code);
  return cls === BPF_LD || cls === BPF_ALU || insn.code === (BPF_MISC | BPF_TXA);
}

function comment(insn: Insn, word: number, arch: Arch | undefined, options: DisasmOptions): string | undefined {
  if (insn.code === (BPF_LD | BPF_W | BPF_ABS)) return dataFieldName(insn.k);
  if (insn.code === (BPF_RET | BPF_K)) return describeRet(insn.k);
  if (!isConditionalJump(insn) || bpfSrc(insn.code) !== BPF_K) return undefined;
  if (word === SECCOMP_DATA_ARCH) {
    const a = archFromAudit(insn.k);
    return a ? `${a} (AUDIT_ARCH ${hex(AUDIT_ARCH[a])})` : 'unknown arch';
  }
  if (word !== SECCOMP_DATA_NR) return undefined;
  if (insn.k === 0xffffffff) return 'nr -1';
  if (arch === 'x86_64' && insn.k >= X32_SYSCALL_BIT) return insn.k === X32_SYSCALL_BIT ? 'x32 syscalls' : `x32 ${insn.k - X32_SYSCALL_BIT}`;
  const name = (arch && options.syscallName?.(arch, insn.k)) ?? String(insn.k);
  // A jge/jgt bounds a range of numbers; say so, so it is not read as a test for that one syscall.
  const op = insn.code & 0xf0;
  return op === 0x30 ? `nr >= ${name}` : op === 0x20 ? `nr > ${name}` : op === 0x40 ? `nr & ${hex(insn.k)}` : name;
}
