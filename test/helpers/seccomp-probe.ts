// Builds test/helpers/seccomp-probe.c with gcc into a cache dir under the temp dir, and runs probes
// through it: the kernel's verdict for each (nr, arch mode, args) under a raw filter.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelperProgram } from './c-program.js';
import { retToAction } from '../../src/bpf/actions.js';
import { encodeProgram } from '../../src/bpf/encode.js';
import { BPF_RET, BPF_K } from '../../src/bpf/insn.js';
import type { Program } from '../../src/bpf/validate.js';


export interface Probe {
  /** 'native' issues syscall(2); 'int80' an i386 call via `int $0x80` (args cut to 32 bits, as an i386 process has them). */
  readonly mode: 'native' | 'int80';
  readonly nr: number;
  readonly args: readonly bigint[];
}

export function buildSeccompProbe(): string {
  return buildHelperProgram('seccomp-probe', ['-pthread']);
}

/** Refuses a filter that could let a probed syscall run: every return must be an ERRNO. */
export function assertErrnoOnly(program: Program): void {
  for (const insn of program) {
    if ((insn.code & 0x07) !== BPF_RET) continue;
    if (insn.code !== (BPF_RET | BPF_K) || retToAction(insn.k)?.kind !== 'errno') {
      throw new Error(`refusing to probe: the filter can return 0x${insn.k.toString(16)} (code 0x${insn.code.toString(16)})`);
    }
  }
}

/** Kernel results (raw return values, -errno) for each probe under `program`. */
export function runProbes(binary: string, program: Program, probes: readonly Probe[]): number[] {
  assertErrnoOnly(program);
  const dir = mkdtempSync(join(tmpdir(), 'learn-probe-'));
  try {
    const filter = join(dir, 'filter.bpf');
    const list = join(dir, 'probes');
    writeFileSync(filter, encodeProgram(program));
    const u64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;
    writeFileSync(list, probes.map((p) => `${p.mode === 'int80' ? 'i' : 'n'} ${p.nr >>> 0} ${[0, 1, 2, 3, 4, 5].map((i) => u64(p.args[i] ?? 0n)).join(' ')}\n`).join(''));
    const out = execFileSync(binary, [filter, list], { encoding: 'utf8', timeout: 30_000 });
    const results = out.trim().split('\n').filter(Boolean).map(Number);
    if (results.length !== probes.length) throw new Error(`expected ${probes.length} results, got ${results.length}`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
