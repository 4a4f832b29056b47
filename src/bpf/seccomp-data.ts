// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } in little-endian
// bytes, as the filter sees it (seccomp is only used here on little-endian targets).
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_ARGS, SECCOMP_DATA_IP, SECCOMP_DATA_NR, SECCOMP_DATA_SIZE } from '../abi/seccomp.js';

export interface SeccompData {
  /** Syscall number; -1 and 0xffffffff are the same word. */
  readonly nr: number;
  readonly arch: number;
  readonly ip?: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  readonly args?: readonly bigint[];
}

const U64 = (1n << 64n) - 1n;

export function encodeSeccompData(data: SeccompData): Uint8Array {
  const bytes = new Uint8Array(SECCOMP_DATA_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(SECCOMP_DATA_NR, data.nr >>> 0, true);
  view.setUint32(SECCOMP_DATA_ARCH, data.arch >>> 0, true);
  view.setBigUint64(SECCOMP_DATA_IP, (data.ip ?? 0n) & U64, true);
  for (let i = 0; i < 6; i++) view.setBigUint64(SECCOMP_DATA_ARGS + 8 * i, (data.args?.[i] ?? 0n) & U64, true);
  return bytes;
}

/** Offset of the low (`hi` false) or high 32-bit word of argument `index`. */
export function argWordOffset(index: number, hi: boolean): number {
  return SECCOMP_DATA_ARGS + 8 * index + (hi ? 4 : 0);
}

/** Human name of the 32-bit word at `offset`: nr, arch, ip.lo, args[2].hi, … */
export function dataFieldName(offset: number): string | undefined {
  if (offset === SECCOMP_DATA_NR) return 'nr';
  if (offset === SECCOMP_DATA_ARCH) return 'arch';
  if (offset === SECCOMP_DATA_IP) return 'ip.lo';
  if (offset === SECCOMP_DATA_IP + 4) return 'ip.hi';
  if (offset >= SECCOMP_DATA_ARGS && offset < SECCOMP_DATA_SIZE && offset % 4 === 0) {
    const i = Math.floor((offset - SECCOMP_DATA_ARGS) / 8);
    return `args[${i}].${offset % 8 === 0 ? 'lo' : 'hi'}`;
  }
  return undefined;
}
