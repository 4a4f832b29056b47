// Whether this kernel runs i386 system calls: some VMs (PVM guests, ia32_emulation=false) have no ia32 entry,
// where `int $0x80` faults with SIGSEGV even without a filter and -m32 binaries fail with ENOEXEC. Tests of live
// i386 calls ask here once and skip with the reason; the i386 checks that need no kernel run everywhere.
// LEARN_TEST_NO_IA32=1 makes it answer "no", to exercise the skip paths on a kernel that has the entry.
import { spawnSync } from 'node:child_process';
import { buildHelperProgram } from './c-program.js';

export type Ia32Support = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let known: Ia32Support | undefined;

export function ia32Support(env: NodeJS.ProcessEnv = process.env): Ia32Support {
  if (env.LEARN_TEST_NO_IA32 === '1') return { ok: false, reason: 'LEARN_TEST_NO_IA32=1 is set' };
  if (known !== undefined) return known;
  if (process.arch !== 'x64') return (known = { ok: false, reason: `not an x86_64 machine (${process.arch})` });
  const r = spawnSync(buildHelperProgram('ia32-probe'), [], { stdio: 'ignore', timeout: 10_000 });
  known = r.status === 0 ? { ok: true }
    : { ok: false, reason: `int $0x80 ${r.signal !== null ? `died with ${r.signal}` : `exited ${r.status}`}: this kernel has no ia32 entry` };
  return known;
}

/** Prints why live i386 tests are skipped (once per test file) and returns whether they may run. */
export function liveI386(suiteName: string): boolean {
  const support = ia32Support();
  if (!support.ok) console.log(`  ${suiteName}: skipping live i386 calls: ${support.reason}`);
  return support.ok;
}
