// Names for the arguments reviewers care about, so a change reads `domain=AF_NETLINK`, not `arg0=16`.
// Constant names come from the learner's tables (learn/constants.ts); this adds argument names and flag sets.
import { CLONE_NS, constantName, flagNames, PROT_EXEC, PROT_WRITE } from '../learn/constants.js';

const PROT: Readonly<Record<number, string>> = { 1: 'PROT_READ', [Number(PROT_WRITE)]: 'PROT_WRITE', [Number(PROT_EXEC)]: 'PROT_EXEC' };

const PARAMS: Readonly<Record<string, readonly string[]>> = {
  socket: ['domain', 'type', 'protocol'],
  socketpair: ['domain', 'type', 'protocol', 'sv'],
  clone: ['flags'],
  unshare: ['flags'],
  setns: ['fd', 'nstype'],
  prctl: ['option', 'arg2', 'arg3', 'arg4', 'arg5'],
  personality: ['persona'],
  ioctl: ['fd', 'request', 'arg'],
  mmap: ['addr', 'len', 'prot', 'flags', 'fd', 'offset'],
  mprotect: ['addr', 'len', 'prot'],
  pkey_mprotect: ['addr', 'len', 'prot', 'pkey'],
  kill: ['pid', 'sig'],
  tgkill: ['tgid', 'tid', 'sig'],
  tkill: ['tid', 'sig'],
  fcntl: ['fd', 'cmd', 'arg'],
  openat: ['dirfd', 'pathname', 'flags', 'mode'],
  setsockopt: ['fd', 'level', 'optname', 'optval', 'optlen'],
  getsockopt: ['fd', 'level', 'optname', 'optval', 'optlen'],
};

/** Flag-set arguments, named bit by bit. */
const FLAGS: Readonly<Record<string, Readonly<Record<number, Readonly<Record<number, string>>>>>> = {
  // The catalog's thread-only rule masks CLONE_THREAD with the namespace flags.
  clone: { 0: { ...CLONE_NS, 0x00010000: 'CLONE_THREAD' } },
  unshare: { 0: CLONE_NS },
  setns: { 1: CLONE_NS },
  mmap: { 2: PROT },
  mprotect: { 2: PROT },
  pkey_mprotect: { 2: PROT },
};

export function argName(syscall: string, index: number): string {
  return PARAMS[syscall]?.[index] ?? `arg${index}`;
}

/** A value as a reviewer reads it: a constant or flag names where known, else decimal (small) or hex. */
export function valueName(syscall: string, index: number, value: bigint): string {
  const named = constantName(syscall, index, value);
  if (named !== undefined) return named;
  const flags = FLAGS[syscall]?.[index];
  if (flags !== undefined && value !== 0n) return flagNames(flags, value);
  return value < 10n ? value.toString() : `0x${value.toString(16)}`;
}
