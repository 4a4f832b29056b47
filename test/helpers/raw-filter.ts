// Hand-assembled seccomp filters for replay tests, written before (and independently of) the compiler:
// check the arch (foreign → KILL_PROCESS), then one `nr == N → action` test per rule, else `fallback`.
import { AUDIT_ARCH, type Arch } from '../../src/abi/arch.js';
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_NR, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS } from '../../src/abi/seccomp.js';
import { syscallNumber } from '../../src/syscalls/table.js';

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const RET_K = 0x06;

export const retErrno = (errno: number): number => (SECCOMP_RET_ERRNO | errno) >>> 0;
export const RET_ALLOW = SECCOMP_RET_ALLOW;
export const RET_KILL_PROCESS = SECCOMP_RET_KILL_PROCESS;

export interface RawRule {
  readonly syscall: string;
  /** A SECCOMP_RET_* value. */
  readonly ret: number;
}

export function rawFilter(arch: Arch, rules: readonly RawRule[], fallback: number = SECCOMP_RET_ALLOW): Uint8Array {
  const insns: Array<[number, number, number, number]> = [
    [LD_W_ABS, 0, 0, SECCOMP_DATA_ARCH],
    [JEQ_K, 1, 0, AUDIT_ARCH[arch]],
    [RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS],
    [LD_W_ABS, 0, 0, SECCOMP_DATA_NR],
  ];
  for (const r of rules) {
    const nr = syscallNumber(arch, r.syscall);
    if (nr === undefined) throw new Error(`no ${r.syscall} on ${arch}`);
    insns.push([JEQ_K, 0, 1, nr], [RET_K, 0, 0, r.ret]);
  }
  insns.push([RET_K, 0, 0, fallback]);
  const out = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return new Uint8Array(out);
}
