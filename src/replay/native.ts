// EDGE: the loader's only contact with the kernel, through koffi and libc's syscall(). Raw syscalls rather than
// libc wrappers: glibc's sigaction refuses its internal signals 32/33, and fcntl/prctl are variadic.
import { readdirSync } from 'node:fs';
import { runningArch, type Arch } from '../abi/arch.js';
import { EnvironmentError } from '../errors.js';
import { syscallNumber } from '../syscalls/table.js';
import { packExecBlock, type ExecBlockInput } from './exec-block.js';
import { loadKoffi, type RawSyscall } from './libc.js';


const SIGKILL = 9;
const SIGSTOP = 19;
const SIG_SETMASK = 2;
const KERNEL_SIGSET_SIZE = 8;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const O_NONBLOCK = 0o4000;
const CLOSE_RANGE_CLOEXEC = 4;
const RLIMIT_NOFILE = 7;
const PR_SET_NO_NEW_PRIVS = 38;
const SECCOMP_SET_MODE_FILTER = 1;
// Makes the kernel log ERRNO and TRAP verdicts too (it always logs KILL and LOG), so replay can list every denial.
const SECCOMP_FILTER_FLAG_LOG = 2;
const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
// Once the supervisor has received a notification, only a fatal signal interrupts the caller (5.19): a
// handled signal would otherwise restart the call and notify it twice.
const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32;
const EINVAL = 22;

/** Hosts the loader supports: 64-bit little-endian, where exec-block.ts's layout holds. */
export function hostArch(): Arch {
  const arch = runningArch();
  if (arch === 'x86_64' || arch === 'aarch64') return arch;
  throw new EnvironmentError(`the replay loader supports x86_64 and aarch64 hosts, not ${process.arch}`, {
    hint: 'use --launcher bwrap',
  });
}

/** A failed step: which syscall and the errno it set. */
export interface StepFailure {
  readonly step: string;
  readonly errno: number;
}

export interface Native {
  /** Every disposition 1–64 (but SIGKILL/SIGSTOP) to SIG_DFL, and an empty blocked mask on this thread. */
  resetSignals(): void;
  /** 0–2: inherited across exec and blocking; every other fd close-on-exec. */
  prepareFds(): void;
  setNofileSoft(soft: number): void;
  /** Packs path, argv, env and filter into native memory; returns what `execUnderFilter` needs. */
  packExec(input: ExecBlockInput): PackedExec;
  /** NO_NEW_PRIVS, seccomp on this thread, execve: returns only on failure. */
  execUnderFilter(packed: PackedExec): StepFailure;
  /** Where `execUnderSupervisedFilter` reads the go-ahead byte: the supervisor recognises that read. */
  readonly waitAddr: bigint;
  /** Like execUnderFilter with a listener for the supervisor (SECCOMP_FILTER_FLAG_NEW_LISTENER); between
   * seccomp and execve it waits for one byte on `waitFd`, sent once the supervisor holds the listener. */
  execUnderSupervisedFilter(packed: PackedExec, waitFd: number): StepFailure;
}

export interface PackedExec {
  readonly path: bigint;
  readonly argv: bigint;
  readonly env: bigint;
  readonly prog: bigint;
  /** Keeps the native block alive. */
  readonly keep: unknown;
}

export async function loadNative(arch: Arch): Promise<Native> {
  const koffi = await loadKoffi();
  const libc = koffi.load('libc.so.6');
  const syscall = libc.func('long syscall(long nr, long a, long b, long c, long d, long e)') as RawSyscall;
  const nr = (name: string): number => {
    const n = syscallNumber(arch, name);
    if (n === undefined) throw new EnvironmentError(`no ${name} syscall on ${arch}`);
    return n;
  };
  const NR = {
    rt_sigaction: nr('rt_sigaction'),
    rt_sigprocmask: nr('rt_sigprocmask'),
    fcntl: nr('fcntl'),
    close_range: nr('close_range'),
    prlimit64: nr('prlimit64'),
    prctl: nr('prctl'),
    seccomp: nr('seccomp'),
    execve: nr('execve'),
    read: nr('read'),
  };
  const call = (step: string, n: number, a: number | bigint, b: number | bigint = 0, c: number | bigint = 0, d: number | bigint = 0): number => {
    const r = syscall(n, a, b, c, d, 0);
    if (r < 0) throw Object.assign(new Error(`${step}: errno ${koffi.errno()}`), { errno: koffi.errno() });
    return r;
  };
  // Zeroed native scratch: a kernel struct sigaction (SIG_DFL, no flags, empty mask) and an empty sigset.
  const scratchBytes = 64;
  const scratch = koffi.alloc('uint8', scratchBytes);
  new Uint8Array(koffi.view(scratch, scratchBytes)).fill(0);
  const scratchAt = koffi.address(scratch);
  const waitBuf = koffi.alloc('uint8', 8);
  const waitAddr = koffi.address(waitBuf);

  return {
    resetSignals() {
      for (let sig = 1; sig <= 64; sig++) {
        if (sig !== SIGKILL && sig !== SIGSTOP) call(`rt_sigaction(${sig})`, NR.rt_sigaction, sig, scratchAt, 0, KERNEL_SIGSET_SIZE);
      }
      call('rt_sigprocmask', NR.rt_sigprocmask, SIG_SETMASK, scratchAt, 0, KERNEL_SIGSET_SIZE);
    },
    prepareFds() {
      for (let fd = 0; fd <= 2; fd++) {
        if (syscall(NR.fcntl, fd, F_GETFD, 0, 0, 0) < 0) continue; // closed by the invoker: leave it closed
        call('fcntl(F_SETFD)', NR.fcntl, fd, F_SETFD, 0);
        const flags = call('fcntl(F_GETFL)', NR.fcntl, fd, F_GETFL);
        if (flags & O_NONBLOCK) call('fcntl(F_SETFL)', NR.fcntl, fd, F_SETFL, flags & ~O_NONBLOCK);
      }
      if (syscall(NR.close_range, 3, 0xffffffff, CLOSE_RANGE_CLOEXEC, 0, 0) === 0) return;
      // Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: mark what is open one by one.
      for (const name of readdirSync('/proc/self/fd')) {
        const fd = Number(name);
        if (fd > 2) syscall(NR.fcntl, fd, F_SETFD, FD_CLOEXEC, 0, 0);
      }
    },
    setNofileSoft(soft) {
      const lim = new BigUint64Array(koffi.view(scratch, scratchBytes), 0, 2);
      call('prlimit64(get)', NR.prlimit64, 0, RLIMIT_NOFILE, 0, scratchAt);
      const hard = lim[1] ?? 0n;
      lim[0] = BigInt(soft) < hard ? BigInt(soft) : hard;
      call('prlimit64(set)', NR.prlimit64, 0, RLIMIT_NOFILE, scratchAt, 0);
      lim.fill(0n);
    },
    packExec(input) {
      const size = packExecBlock(input, 0n).layout.size;
      const block = koffi.alloc('uint8', size);
      const base = koffi.address(block);
      const { bytes, layout } = packExecBlock(input, base);
      new Uint8Array(koffi.view(block, size)).set(bytes);
      const at = (offset: number): bigint => base + BigInt(offset);
      return { path: at(layout.path), argv: at(layout.argv), env: at(layout.env), prog: at(layout.prog), keep: block };
    },
    execUnderFilter(p) {
      // From seccomp() to execve(): three back-to-back calls on addresses and small integers, nothing that
      // allocates (the results fit in a small integer), so this thread makes no other syscall in between.
      if (syscall(NR.prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) return { step: 'prctl(PR_SET_NO_NEW_PRIVS)', errno: koffi.errno() };
      if (syscall(NR.seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, p.prog, 0, 0) !== 0) return { step: 'seccomp', errno: koffi.errno() };
      syscall(NR.execve, p.path, p.argv, p.env, 0, 0);
      return { step: 'execve', errno: koffi.errno() };
    },
    waitAddr,
    execUnderSupervisedFilter(p, waitFd) {
      if (syscall(NR.prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) return { step: 'prctl(PR_SET_NO_NEW_PRIVS)', errno: koffi.errno() };
      const flags = SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER;
      let listener = syscall(NR.seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, p.prog, 0, 0);
      // Before 5.19 the flag is unknown (EINVAL, nothing installed): a handled signal may then notify a call twice.
      if (listener < 0 && koffi.errno() === EINVAL) listener = syscall(NR.seccomp, SECCOMP_SET_MODE_FILTER, flags, p.prog, 0, 0);
      if (listener < 0) return { step: 'seccomp', errno: koffi.errno() };
      // The listener is close-on-exec: the program never holds it. EOF instead of the byte: the launcher is gone.
      if (syscall(NR.read, waitFd, waitAddr, 1, 0, 0) !== 1) return { step: 'waiting for the supervisor', errno: koffi.errno() || 32 };
      syscall(NR.execve, p.path, p.argv, p.env, 0, 0);
      return { step: 'execve', errno: koffi.errno() };
    },
  };
}
