// Policy actions <-> SECCOMP_RET_* return values.
import {
  MAX_ERRNO, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP,
  SECCOMP_RET_USER_NOTIF,
} from '../abi/seccomp.js';
import { assertNever, type Action } from '../policy/model.js';
import { BpfError } from './error.js';

/** The value a filter returns for `action`. */
export function actionToRet(action: Action): number {
  switch (action.kind) {
    case 'allow': return SECCOMP_RET_ALLOW;
    case 'log': return SECCOMP_RET_LOG;
    case 'errno':
      if (!Number.isInteger(action.errno) || action.errno < 0 || action.errno > MAX_ERRNO) {
        throw new BpfError('bad-action', -1, `ERRNO(${action.errno}) is out of range 0..${MAX_ERRNO}`);
      }
      return (SECCOMP_RET_ERRNO | action.errno) >>> 0;
    case 'trap': return (SECCOMP_RET_TRAP | ((action.data ?? 0) & SECCOMP_RET_DATA)) >>> 0;
    case 'kill-process': return SECCOMP_RET_KILL_PROCESS;
    case 'kill-thread': return SECCOMP_RET_KILL_THREAD;
    case 'user-notif': return SECCOMP_RET_USER_NOTIF;
    default: return assertNever(action);
  }
}

/** What the kernel does with a filter's return value, as an Action; undefined for TRACE (no policy action). */
export function retToAction(ret: number): Action | undefined {
  const data = ret & SECCOMP_RET_DATA;
  switch ((ret & SECCOMP_RET_ACTION_FULL) >>> 0) {
    case SECCOMP_RET_ALLOW: return { kind: 'allow' };
    case SECCOMP_RET_LOG: return { kind: 'log' };
    // The kernel caps the errno at MAX_ERRNO.
    case SECCOMP_RET_ERRNO: return { kind: 'errno', errno: Math.min(data, MAX_ERRNO) };
    case SECCOMP_RET_TRAP: return data === 0 ? { kind: 'trap' } : { kind: 'trap', data };
    case SECCOMP_RET_KILL_THREAD: return { kind: 'kill-thread' };
    case SECCOMP_RET_USER_NOTIF: return { kind: 'user-notif' };
    case SECCOMP_RET_TRACE: return undefined;
    // KILL_PROCESS, and any unknown action, which the kernel treats as KILL_PROCESS.
    default: return { kind: 'kill-process' };
  }
}

/** A return value in the policy language's spelling: ALLOW, ERRNO(1), KILL_PROCESS, TRACE(3), … */
export function describeRet(ret: number): string {
  const action = retToAction(ret);
  if (action === undefined) return `TRACE(${ret & SECCOMP_RET_DATA})`;
  switch (action.kind) {
    case 'allow': return 'ALLOW';
    case 'log': return 'LOG';
    case 'errno': return `ERRNO(${action.errno})`;
    case 'trap': return (ret & SECCOMP_RET_DATA) === 0 ? 'TRAP' : `TRAP(${ret & SECCOMP_RET_DATA})`;
    case 'kill-process': return (ret >>> 0) === SECCOMP_RET_KILL_PROCESS ? 'KILL_PROCESS' : `KILL_PROCESS (unknown 0x${(ret >>> 0).toString(16)})`;
    case 'kill-thread': return 'KILL_THREAD';
    case 'user-notif': return 'USER_NOTIF';
    default: return assertNever(action);
  }
}
