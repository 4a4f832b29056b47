// EDGE: the supervisor's contact with the kernel (seccomp_unotify(2)), through koffi and libc's syscall().
// Used on two threads: the main thread takes the listener fd out of the loader (pidfd_getfd), the supervisor
// worker receives and answers notifications on it. Every buffer is allocated once, up front.
import { EnvironmentError } from '../errors.js';
import { loadLibc } from './libc.js';

// _IOWR('!', 0, struct seccomp_notif), _IOWR('!', 1, struct seccomp_notif_resp), _IOW('!', 2, __u64): the
// sizes are the UAPI's (80 and 24 bytes); a kernel with larger structs still accepts these (it checks sizes
// through SECCOMP_GET_NOTIF_SIZES, which we read to size the buffers).
const NOTIF_RECV = 0xc0502100;
const NOTIF_SEND = 0xc0182101;
const NOTIF_ID_VALID = 0x40082102;
const SECCOMP_GET_NOTIF_SIZES = 3;
const SECCOMP_GET_ACTION_AVAIL = 2;
const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
const POLLIN = 0x1;
const POLLHUP = 0x10;
const EINTR = 4;
const ENOENT = 2;
const ENOSYS = 38;

/** One notification as the kernel reported it. */
export interface Notification {
  readonly id: bigint;
  /** Thread id of the caller in our PID namespace; 0 when it is not visible there. */
  readonly pid: number;
  readonly nr: number;
  /** AUDIT_ARCH value. */
  readonly arch: number;
  readonly args: readonly bigint[];
}

export type Answer =
  | { readonly kind: 'continue' }
  | { readonly kind: 'errno'; readonly errno: number };

export type Wait = 'ready' | 'timeout' | 'hangup';

export interface NotifyNative {
  /** poll() the listener: a notification is waiting, nothing came in `ms`, or no process uses the filter any more. */
  wait(fd: number, ms: number): Wait;
  /** The next notification, or null when it went away meanwhile (its caller was killed: ENOENT). */
  receive(fd: number): Notification | null;
  /** Is the notification still pending (its caller alive and still in that call)? */
  idValid(fd: number, id: bigint): boolean;
  /** false when the caller is gone (ENOENT): the answer had no one to reach. */
  send(fd: number, id: bigint, answer: Answer): boolean;
  kill(pid: number, signal: number): boolean;
  close(fd: number): void;
}

export interface ListenerTaker {
  /** A copy of fd `fd` of process `pid` in this process (pidfd_open + pidfd_getfd). Throws with the errno. */
  take(pid: number, fd: number): number;
  close(fd: number): void;
}

export async function loadNotifyNative(): Promise<NotifyNative> {
  const { koffi, syscall, nr } = await loadLibc();
  const NR = { ioctl: nr('ioctl'), ppoll: nr('ppoll'), seccomp: nr('seccomp'), kill: nr('kill'), close: nr('close') };
  // struct seccomp_notif_sizes { u16 notif, resp, data }: the kernel wants RECV's buffer zeroed at its size.
  const sizesBuf = koffi.alloc('uint8', 8);
  const sizesAt = koffi.address(sizesBuf);
  if (syscall(NR.seccomp, SECCOMP_GET_NOTIF_SIZES, 0, sizesAt, 0, 0) !== 0) throw new EnvironmentError(`SECCOMP_GET_NOTIF_SIZES failed: errno ${koffi.errno()}`);
  const sizes = new Uint16Array(koffi.view(sizesBuf, 8), 0, 3);
  const notifSize = Math.max(80, sizes[0] ?? 0);
  const respSize = Math.max(24, sizes[1] ?? 0);
  const buf = koffi.alloc('uint8', notifSize + respSize + 64);
  const base = koffi.address(buf);
  const mem = koffi.view(buf, notifSize + respSize + 64);
  const notif = new DataView(mem, 0, notifSize);
  const notifBytes = new Uint8Array(mem, 0, notifSize);
  const resp = new DataView(mem, notifSize, respSize);
  const respBytes = new Uint8Array(mem, notifSize, respSize);
  const respAt = base + BigInt(notifSize);
  // struct pollfd (8 bytes), struct timespec (16) and the id for ID_VALID (8), after the two structs.
  const extra = new DataView(mem, notifSize + respSize, 64);
  const pollAt = respAt + BigInt(respSize);
  const timeAt = pollAt + 8n;
  const idAt = pollAt + 24n;

  return {
    wait(fd, ms) {
      extra.setInt32(0, fd, true);
      extra.setInt16(4, POLLIN, true);
      extra.setInt16(6, 0, true);
      extra.setBigInt64(8, BigInt(Math.floor(ms / 1000)), true);
      extra.setBigInt64(16, BigInt((ms % 1000) * 1_000_000), true);
      const r = syscall(NR.ppoll, pollAt, 1, timeAt, 0, 8);
      if (r < 0) {
        if (koffi.errno() === EINTR) return 'timeout';
        throw new EnvironmentError(`ppoll on the seccomp listener failed: errno ${koffi.errno()}`);
      }
      if (r === 0) return 'timeout';
      const revents = extra.getInt16(6, true);
      if (revents & POLLIN) return 'ready';
      if (revents & POLLHUP) return 'hangup';
      return 'timeout';
    },
    receive(fd) {
      notifBytes.fill(0);
      if (syscall(NR.ioctl, fd, NOTIF_RECV, base, 0, 0) !== 0) {
        const errno = koffi.errno();
        if (errno === ENOENT || errno === EINTR) return null;
        throw new EnvironmentError(`SECCOMP_IOCTL_NOTIF_RECV failed: errno ${errno}`);
      }
      const args: bigint[] = [];
      for (let i = 0; i < 6; i++) args.push(notif.getBigUint64(32 + i * 8, true));
      return { id: notif.getBigUint64(0, true), pid: notif.getUint32(8, true), nr: notif.getInt32(16, true), arch: notif.getUint32(20, true), args };
    },
    idValid(fd, id) {
      extra.setBigUint64(24, id, true);
      return syscall(NR.ioctl, fd, NOTIF_ID_VALID, idAt, 0, 0) === 0;
    },
    send(fd, id, answer) {
      respBytes.fill(0);
      resp.setBigUint64(0, id, true);
      if (answer.kind === 'continue') resp.setUint32(20, SECCOMP_USER_NOTIF_FLAG_CONTINUE, true);
      else resp.setInt32(16, -answer.errno, true);
      if (syscall(NR.ioctl, fd, NOTIF_SEND, respAt, 0, 0) === 0) return true;
      const errno = koffi.errno();
      if (errno === ENOENT) return false;
      throw new EnvironmentError(`SECCOMP_IOCTL_NOTIF_SEND failed: errno ${errno}`);
    },
    kill(pid, signal) {
      return pid > 0 && syscall(NR.kill, pid, signal, 0, 0, 0) === 0;
    },
    close(fd) {
      syscall(NR.close, fd, 0, 0, 0, 0);
    },
  };
}

export async function loadListenerTaker(): Promise<ListenerTaker> {
  const { koffi, syscall, nr } = await loadLibc();
  const NR = { pidfdOpen: nr('pidfd_open'), pidfdGetfd: nr('pidfd_getfd'), close: nr('close') };
  return {
    take(pid, fd) {
      const pidfd = syscall(NR.pidfdOpen, pid, 0, 0, 0, 0);
      if (pidfd < 0) throw new EnvironmentError(`pidfd_open(${pid}) failed: errno ${koffi.errno()}`);
      const copy = syscall(NR.pidfdGetfd, pidfd, fd, 0, 0, 0);
      const errno = koffi.errno();
      syscall(NR.close, pidfd, 0, 0, 0, 0);
      if (copy < 0) throw new EnvironmentError(`pidfd_getfd(${pid}, ${fd}) failed: errno ${errno}`);
      return copy;
    },
    close(fd) {
      syscall(NR.close, fd, 0, 0, 0, 0);
    },
  };
}

/** Why the supervisor cannot run here, or null when it can: USER_NOTIF (5.0), the CONTINUE flag (5.5) and
 * pidfd_getfd (5.6) are all needed. Probed, not read from the version: backports exist. */
export async function supervisorUnavailable(): Promise<string | null> {
  let lib;
  try {
    lib = await loadLibc();
  } catch (error) {
    return (error as Error).message;
  }
  const { koffi, syscall } = lib;
  let nr;
  try {
    nr = { seccomp: lib.nr('seccomp'), pidfdGetfd: lib.nr('pidfd_getfd') };
  } catch (error) {
    return (error as Error).message;
  }
  const action = koffi.alloc('uint32', 1);
  new Uint32Array(koffi.view(action, 4))[0] = SECCOMP_RET_USER_NOTIF;
  if (syscall(nr.seccomp, SECCOMP_GET_ACTION_AVAIL, 0, koffi.address(action), 0, 0) !== 0) return 'the kernel has no SECCOMP_RET_USER_NOTIF (Linux 5.0)';
  if (syscall(nr.pidfdGetfd, -1, 0, 0, 0, 0) < 0 && koffi.errno() === ENOSYS) return 'the kernel has no pidfd_getfd (Linux 5.6)';
  return null;
}
