import type { Arch } from '../abi/arch.js';

/** How many bits of an argument the kernel reads: `int`/`unsigned int` parameters are 32-bit, and their
 * high word in seccomp_data may hold garbage (musl's ioctl), so filters must compare only the low word. */
export type ArgWidth = 32 | 64;

// Parameters declared int/unsigned int/pid_t/clockid_t/umode_t in the kernel's SYSCALL_DEFINE (x86_64 and
// aarch64 agree); a syscall missing here is treated as all-64-bit, which compares more, never less.
const WIDTHS: Readonly<Record<string, readonly ArgWidth[]>> = {
  socket: [32, 32, 32],
  socketpair: [32, 32, 32, 64],
  personality: [32],
  prctl: [32, 64, 64, 64, 64],
  ioctl: [32, 32, 64],
  fcntl: [32, 32, 64],
  kill: [32, 32],
  tkill: [32, 32],
  tgkill: [32, 32, 32],
  setsockopt: [32, 32, 32, 64, 32],
  getsockopt: [32, 32, 32, 64, 64],
  openat: [32, 64, 32, 32],
  open: [64, 32, 32],
  accept4: [32, 64, 64, 32],
  futex: [64, 32, 32, 64, 64, 32],
  madvise: [64, 64, 32],
  clock_gettime: [32, 64],
  setns: [32, 32],
  getrandom: [64, 64, 32],
  bpf: [32, 64, 32],
  keyctl: [32, 64, 64, 64, 64],
  seccomp: [32, 32, 64],
  sendto: [32, 64, 64, 32, 64, 32],
  recvfrom: [32, 64, 64, 32, 64, 64],
  sendmsg: [32, 64, 32],
  recvmsg: [32, 64, 32],
  pipe2: [64, 32],
  eventfd2: [32, 32],
  epoll_create1: [32],
  wait4: [32, 64, 32, 64],
  dup3: [32, 32, 32],
  close: [32],
  socketcall: [32, 64],
};

export function argWidth(arch: Arch, syscall: string, index: number): ArgWidth {
  // A compat (i386) task's arguments are 32-bit registers zero-extended into seccomp_data.
  if (arch === 'i386') return 32;
  return WIDTHS[syscall]?.[index] ?? 64;
}
