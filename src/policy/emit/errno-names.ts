// errno names for the values policies use as ERRNO(n) (asm-generic/errno-base.h, errno.h: same on x86_64/aarch64).
const NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF',
  10: 'ECHILD', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 24: 'EMFILE', 25: 'ENOTTY', 28: 'ENOSPC', 30: 'EROFS', 38: 'ENOSYS',
  61: 'ENODATA', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT', 111: 'ECONNREFUSED',
};

/** `EPERM` for 1; the number itself when it has no name here (systemd and firejail accept both). */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? String(errno);
}

/** 1 for `EPERM`; undefined for a name not in the table. */
export function errnoNumber(name: string): number | undefined {
  const found = Object.entries(NAMES).find(([, n]) => n === name);
  return found === undefined ? undefined : Number(found[0]);
}
