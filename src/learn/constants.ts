// Names for the argument values the learner writes into comments, so a reviewer reads `AF_NETLINK`, not 16.
// Values from the Linux UAPI headers (socket.h, personality.h, prctl.h, ioctls.h, sched.h, mman.h).

export const AF: Readonly<Record<number, string>> = {
  0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 4: 'AF_IPX', 5: 'AF_APPLETALK', 9: 'AF_X25', 10: 'AF_INET6',
  16: 'AF_NETLINK', 17: 'AF_PACKET', 29: 'AF_CAN', 31: 'AF_BLUETOOTH', 38: 'AF_ALG', 40: 'AF_VSOCK', 44: 'AF_XDP',
};

export const SOCK_TYPE_MASK = 0xfn;
export const SOCK_TYPE: Readonly<Record<number, string>> = {
  1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 6: 'SOCK_DCCP', 10: 'SOCK_PACKET',
};
export const SOCK_FLAGS: Readonly<Record<number, string>> = { 0o4000: 'SOCK_NONBLOCK', 0o2000000: 'SOCK_CLOEXEC' };

export const PERSONALITY: Readonly<Record<number, string>> = {
  0: 'PER_LINUX', 8: 'PER_LINUX32', 0x0020000: 'UNAME26', 0x0040000: 'ADDR_NO_RANDOMIZE', 0x0400000: 'READ_IMPLIES_EXEC',
  0x20008: 'PER_LINUX32|UNAME26', 0xffffffff: 'query (0xffffffff)',
};

export const PR: Readonly<Record<number, string>> = {
  1: 'PR_SET_PDEATHSIG', 2: 'PR_GET_PDEATHSIG', 3: 'PR_GET_DUMPABLE', 4: 'PR_SET_DUMPABLE', 8: 'PR_SET_KEEPCAPS',
  15: 'PR_SET_NAME', 16: 'PR_GET_NAME', 22: 'PR_SET_SECCOMP', 21: 'PR_GET_SECCOMP', 23: 'PR_CAPBSET_READ',
  24: 'PR_CAPBSET_DROP', 36: 'PR_SET_CHILD_SUBREAPER', 37: 'PR_GET_CHILD_SUBREAPER', 38: 'PR_SET_NO_NEW_PRIVS',
  39: 'PR_GET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT', 0x53564d41: 'PR_SET_VMA', 53: 'PR_SET_SPECULATION_CTRL',
  52: 'PR_GET_SPECULATION_CTRL', 35: 'PR_SET_MM', 0x59616d61: 'PR_SET_PTRACER',
};

export const IOCTL: Readonly<Record<number, string>> = {
  0x5401: 'TCGETS', 0x5402: 'TCSETS', 0x5403: 'TCSETSW', 0x5404: 'TCSETSF', 0x540f: 'TIOCGPGRP', 0x5410: 'TIOCSPGRP',
  0x5413: 'TIOCGWINSZ', 0x5414: 'TIOCSWINSZ', 0x541b: 'FIONREAD', 0x5421: 'FIONBIO', 0x5450: 'FIONCLEX',
  0x5451: 'FIOCLEX', 0x5452: 'FIOASYNC', 0x540e: 'TIOCSCTTY', 0x5422: 'TIOCNOTTY', 0x8912: 'SIOCGIFCONF',
  0x8933: 'SIOCGIFINDEX', 0x8927: 'SIOCGIFHWADDR', 0x80045430: 'TIOCGPTN', 0x40045431: 'TIOCSPTLCK',
  0x80086601: 'FS_IOC_GETFLAGS', 0x5441: 'TIOCGPTPEER',
};

/** Namespace flags clone(2) takes in its flags argument (CLONE_NEWTIME needs clone3 and is 0x80 = CSIGNAL bits there). */
export const CLONE_NS: Readonly<Record<number, string>> = {
  0x00020000: 'CLONE_NEWNS', 0x02000000: 'CLONE_NEWCGROUP', 0x04000000: 'CLONE_NEWUTS', 0x08000000: 'CLONE_NEWIPC',
  0x10000000: 'CLONE_NEWUSER', 0x20000000: 'CLONE_NEWPID', 0x40000000: 'CLONE_NEWNET',
};
export const CLONE_NS_MASK = Object.keys(CLONE_NS).reduce((m, k) => m | BigInt(k), 0n);

/** O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND|__O_TMPFILE: open flags that write or create. */
export const O_WRITE_MASK = 0x400643n;

export const PROT_WRITE = 0x2n;
export const PROT_EXEC = 0x4n;

/** `NAME=value` when the value has a name, else the number in hex. */
export function nameValue(table: Readonly<Record<number, string>>, value: bigint): string {
  const name = value <= 0xffffffffn ? table[Number(value)] : undefined;
  return name === undefined ? hex(value) : `${name}=${hex(value)}`;
}

/** The set bits of `value` named from `table`, the rest as hex: `CLONE_NEWNS|CLONE_NEWPID`. */
export function flagNames(table: Readonly<Record<number, string>>, value: bigint): string {
  const parts: string[] = [];
  let rest = value;
  for (const [bit, name] of Object.entries(table)) {
    const b = BigInt(bit);
    if ((value & b) === b && b !== 0n) {
      parts.push(name);
      rest &= ~b;
    }
  }
  if (rest !== 0n || parts.length === 0) parts.push(hex(rest));
  return parts.join('|');
}

export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

const ARG_NAMES: Readonly<Record<string, Readonly<Record<number, Readonly<Record<number, string>>>>>> = {
  socket: { 0: AF, 1: SOCK_TYPE },
  socketpair: { 0: AF, 1: SOCK_TYPE },
  personality: { 0: PERSONALITY },
  prctl: { 0: PR },
  ioctl: { 1: IOCTL },
};

/** The constant's name for a value compared in a learned rule (for the printer's `/*NAME*\/` comments). */
export function constantName(syscall: string, arg: number, value: bigint): string | undefined {
  const table = ARG_NAMES[syscall]?.[arg];
  return table === undefined || value > 0xffffffffn ? undefined : table[Number(value)];
}
