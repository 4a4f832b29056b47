// Decoding single audit field values. Each returns undefined when the text is not a valid value of its kind,
// so the record parser can name the field in its skip reason.
import { constants } from 'node:os';
import {
  SECCOMP_RET_ACTION_FULL,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG,
  SECCOMP_RET_TRACE,
  SECCOMP_RET_TRAP,
  SECCOMP_RET_USER_NOTIF,
} from '../abi/seccomp.js';
import type { AuditAction } from './record.js';

/** Longest string value we accept: an exe path is at most PATH_MAX (4096) bytes, 8192 hex digits. */
export const MAX_STRING_BYTES = 4096;

const DECIMAL = /^-?\d{1,20}$/;
const HEX_TOKEN = /^(?:[0-9A-Fa-f]{2})+$/;

/** A decimal integer within [min, max]. */
export function decodeInt(text: string, min: number, max: number): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A `0x`-less (arch) or `0x`-prefixed (code, ip) hex number of at most `digits` digits. */
export function decodeHex(text: string, digits: number, prefixed: boolean): number | undefined {
  const body = prefixed ? (text.startsWith('0x') ? text.slice(2) : '') : text;
  if (body.length === 0 || body.length > digits || !/^[0-9A-Fa-f]+$/.test(body)) return undefined;
  return Number.parseInt(body, 16);
}

/** An untrusted string field as the kernel writes it: `"text"`, bare uppercase hex, or a bare `(null)`/`?`.
 * Returns null for the placeholders, undefined when the text is none of these. */
export function decodeAuditString(text: string): string | null | undefined {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    const inner = text.slice(1, -1);
    return inner.includes('"') || inner.length > MAX_STRING_BYTES ? undefined : inner;
  }
  if (text === '(null)' || text === '?' || text === '(none)') return null;
  if (!HEX_TOKEN.test(text) || text.length > 2 * MAX_STRING_BYTES) return undefined;
  return Buffer.from(text, 'hex').toString('utf8');
}

const ACTIONS_BY_CODE: ReadonlyMap<number, AuditAction> = new Map<number, AuditAction>([
  [SECCOMP_RET_KILL_PROCESS, 'kill-process'],
  [SECCOMP_RET_KILL_THREAD, 'kill-thread'],
  [SECCOMP_RET_TRAP, 'trap'],
  [SECCOMP_RET_ERRNO, 'errno'],
  [SECCOMP_RET_USER_NOTIF, 'user-notif'],
  [SECCOMP_RET_TRACE, 'trace'],
  [SECCOMP_RET_LOG, 'log'],
  [SECCOMP_RET_ALLOW, 'allow'],
]);

/** The action of a raw `code` value. The kernel logs the action bits only, so data bits mean a damaged record. */
export function actionFromCode(code: number): AuditAction | undefined {
  if ((code & ~SECCOMP_RET_ACTION_FULL) !== 0) return undefined;
  return ACTIONS_BY_CODE.get(code >>> 0);
}

// ausearch -i spellings (auparse's seccomp table prints both kill actions as `kill`).
const ACTIONS_BY_NAME: ReadonlyMap<string, AuditAction> = new Map<string, AuditAction>([
  ['kill', 'kill'],
  ['kill-process', 'kill-process'],
  ['kill-thread', 'kill-thread'],
  ['trap', 'trap'],
  ['errno', 'errno'],
  ['user-notif', 'user-notif'],
  ['trace', 'trace'],
  ['log', 'log'],
  ['allow', 'allow'],
]);

export function actionFromName(name: string): AuditAction | undefined {
  return ACTIONS_BY_NAME.get(name);
}

/** `SIG0`, `SIGSYS` (ausearch -i) or a number. */
export function decodeSignal(text: string): number | undefined {
  if (text === 'SIG0') return 0;
  if (text.startsWith('SIG')) {
    const n = (constants.signals as Record<string, number | undefined>)[text];
    return typeof n === 'number' ? n : undefined;
  }
  return decodeInt(text, 0, 64);
}

const UID_MAX = 4294967295;

/** A uid/gid: a number, or the names `ausearch -i` prints for the values every system agrees on. */
export function decodeId(text: string, interpreted: boolean): number | null | undefined {
  const n = decodeInt(text, 0, UID_MAX);
  if (n !== undefined || !interpreted) return n;
  if (text === 'root') return 0;
  if (text === 'unset') return UID_MAX;
  const unknown = /^unknown\((\d{1,10})\)$/.exec(text);
  if (unknown?.[1] !== undefined) return decodeInt(unknown[1], 0, UID_MAX);
  return null;
}
