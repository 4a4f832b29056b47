// EDGE: libc's syscall() through koffi, for the few raw calls replay makes outside the loader (the supervisor,
// the unit that contains a replayed program). Raw calls, not libc wrappers: several are variadic or missing.
import { runningArch } from '../abi/arch.js';
import { EnvironmentError } from '../errors.js';
import { syscallNumber } from '../syscalls/table.js';

export type Koffi = typeof import('koffi');
export type RawSyscall = (nr: number, a: number | bigint, b: number | bigint, c: number | bigint, d: number | bigint, e: number | bigint) => number;

export interface Libc {
  readonly koffi: Koffi;
  readonly syscall: RawSyscall;
  /** This machine's number for `name`; throws EnvironmentError when it has none. */
  nr(name: string): number;
}

export async function loadKoffi(): Promise<Koffi> {
  try {
    return await import('koffi');
  } catch (cause) {
    throw new EnvironmentError(`cannot load koffi's native module: ${(cause as Error).message}`, {
      cause,
      hint: "koffi's binary is an optional dependency: reinstall without --omit=optional (npm ci)",
    });
  }
}

export async function loadLibc(): Promise<Libc> {
  const koffi = await loadKoffi();
  const syscall = koffi.load('libc.so.6').func('long syscall(long nr, long a, long b, long c, long d, long e)') as RawSyscall;
  const arch = runningArch();
  return {
    koffi,
    syscall,
    nr(name) {
      const n = arch === undefined ? undefined : syscallNumber(arch, name);
      if (n === undefined) throw new EnvironmentError(`no ${name} syscall on ${process.arch}`);
      return n;
    },
  };
}
