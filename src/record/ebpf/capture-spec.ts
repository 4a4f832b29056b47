// Pure: which argument values the kernel program captures for which (arch, number), derived from the
// argument positions the learner uses (ARG_SENSITIVE) and our syscall tables, so the eBPF recorder keys its
// counts by exactly the values the strace path decodes from text. Sent to the helper as `--spec`.
import type { Arch } from '../../abi/arch.js';
import { argWidth } from '../../syscalls/args.js';
import { syscallNumber } from '../../syscalls/table.js';
import { ARG_SENSITIVE } from '../../trace/arg-values.js';

/** How the helper reads a call's values (recorder.bpf.c's enum capture_mode). */
export const CAPTURE = { regs: 1, struct0: 2, socketcall: 3, oldMmap: 4 } as const;

/** The spec's arch column: x32 calls are x86_64 numbers with the x32 bit, tabled apart. */
export const SPEC_ARCH = { x86_64: 0, i386: 1, x32: 2 } as const;
export const SPEC_NRS = 1024;

export interface CaptureEntry {
  readonly arch: number;
  readonly nr: number;
  readonly mode: number;
  readonly positions: readonly number[];
  /** Bit i: value i is a 32-bit argument (the kernel reads its low word only; strace prints that). */
  readonly narrow: number;
}

function narrowMask(arch: Arch, name: string, positions: readonly number[]): number {
  return positions.reduce((mask, p, i) => (argWidth(arch, name, p) === 32 ? mask | (1 << i) : mask), 0);
}

/** The capture table for x86_64 tasks (native, x32 and i386 calls). */
export function captureEntries(): CaptureEntry[] {
  const out: CaptureEntry[] = [];
  for (const [name, positions] of Object.entries(ARG_SENSITIVE)) {
    // clone3 passes its flags in a struct; any other call in registers
    const mode = name === 'clone3' ? CAPTURE.struct0 : CAPTURE.regs;
    const native = syscallNumber('x86_64', name);
    if (native !== undefined && native < SPEC_NRS) {
      const narrow = narrowMask('x86_64', name, positions);
      out.push({ arch: SPEC_ARCH.x86_64, nr: native, mode, positions, narrow });
      // x32 shares the x86_64 numbers below 512 (the common ABI); above, its calls are its own
      if (native < 512) out.push({ arch: SPEC_ARCH.x32, nr: native, mode, positions, narrow });
    }
    const i386 = syscallNumber('i386', name);
    if (i386 === undefined || i386 >= SPEC_NRS) continue;
    // i386 `mmap` is old_mmap: one pointer to { addr, len, prot, flags, fd, offset }
    const i386Mode = name === 'mmap' ? CAPTURE.oldMmap : mode;
    out.push({ arch: SPEC_ARCH.i386, nr: i386, mode: i386Mode, positions, narrow: narrowMask('i386', name, positions) });
  }
  const socketcall = syscallNumber('i386', 'socketcall');
  if (socketcall !== undefined) out.push({ arch: SPEC_ARCH.i386, nr: socketcall, mode: CAPTURE.socketcall, positions: [0, 1, 2], narrow: 7 });
  return out;
}

/** `A,NR,MODE,COUNT,P0,P1,P2,NARROW;…` for the helper's --spec. */
export function formatSpec(entries: readonly CaptureEntry[]): string {
  return entries.map((e) => {
    const [p0 = 0, p1 = 0, p2 = 0] = e.positions;
    return [e.arch, e.nr, e.mode, e.positions.length, p0, p1, p2, e.narrow].join(',');
  }).join(';');
}
