// One SECCOMP record body (`auid=… pid=… comm=… exe=… sig=… arch=… syscall=… compat=… ip=… code=…`) → AuditRecord.
// Two spellings: raw (kernel, audit.log, journald MESSAGE) and interpreted (`ausearch -i`: names instead of numbers,
// comm/exe decoded and unquoted). Anything invalid gives a one-line reason instead of a record; nothing throws.
import { archFromAudit, isArch, X32_SYSCALL_BIT, type Arch } from '../abi/arch.js';
import { syscallName, syscallNumber } from '../syscalls/table.js';
import type { AuditAction, AuditRecord, AuditStamp } from './record.js';
import {
  actionFromCode,
  actionFromName,
  decodeAuditString,
  decodeHex,
  decodeId,
  decodeInt,
  decodeSignal,
  MAX_STRING_BYTES,
} from './values.js';

export type ParseResult = { readonly ok: true; readonly record: AuditRecord } | { readonly ok: false; readonly reason: string };

/** The kernel's audit messages are at most MAX_AUDIT_MESSAGE_LENGTH (8970) bytes; allow headroom, no more. */
export const MAX_BODY_LENGTH = 16384;
const PID_MAX = 4194304; // PID_MAX_LIMIT on 64-bit kernels
const COMM_MAX = 64; // TASK_COMM_LEN is 16; leave room for multibyte decoding, reject anything absurd

const fail = (reason: string): ParseResult => ({ ok: false, reason });

export function parseSeccompBody(body: string, stamp: AuditStamp, interpreted = false): ParseResult {
  if (body.length > MAX_BODY_LENGTH) return fail(`record longer than ${MAX_BODY_LENGTH} characters`);
  const fields = interpreted ? splitInterpreted(body) : splitRaw(body);
  return typeof fields === 'string' ? fail(fields) : buildRecord(fields, stamp, interpreted);
}

type Fields = Map<string, string>;

/** Raw bodies have no spaces inside values: the kernel hex-encodes any string containing one. */
function splitRaw(body: string): Fields | string {
  const fields: Fields = new Map();
  for (const token of body.split(' ')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq <= 0) return `stray text '${clip(token)}'`;
    const key = token.slice(0, eq);
    if (fields.has(key)) return `duplicate field ${clip(key)}`;
    fields.set(key, token.slice(eq + 1));
  }
  return fields;
}

const INTERPRETED_TAIL = / sig=(\S+) arch=(\S+) syscall=(\S+) compat=(\S+) ip=(\S+) code=(\S+)$/;

/** `ausearch -i` prints decoded comm/exe bare, so they may hold spaces: cut them out by the fixed field order. */
function splitInterpreted(body: string): Fields | string {
  const text = body.trimEnd();
  const tail = INTERPRETED_TAIL.exec(text);
  if (!tail) return 'interpreted record does not end with sig= arch= syscall= compat= ip= code=';
  const head = text.slice(0, tail.index);
  const commAt = head.indexOf(' comm=');
  const exeAt = head.indexOf(' exe=', commAt + 1);
  if (commAt < 0 || exeAt < 0) return 'interpreted record without comm= and exe=';
  const fields = splitRaw(head.slice(0, commAt));
  if (typeof fields === 'string') return fields;
  fields.set('comm', head.slice(commAt + ' comm='.length, exeAt));
  fields.set('exe', head.slice(exeAt + ' exe='.length));
  const names = ['sig', 'arch', 'syscall', 'compat', 'ip', 'code'];
  names.forEach((name, i) => fields.set(name, tail[i + 1] ?? ''));
  return fields;
}

function buildRecord(f: Fields, stamp: AuditStamp, interpreted: boolean): ParseResult {
  for (const key of ['pid', 'arch', 'syscall', 'code']) if (!f.has(key)) return fail(`missing field ${key}`);
  const get = (key: string): string => f.get(key) ?? '';

  const pid = decodeInt(get('pid'), 1, PID_MAX);
  if (pid === undefined) return bad('pid', get('pid'));

  const archText = get('arch');
  const arch = interpreted ? interpretedArch(archText) : rawArch(archText);
  if (arch === undefined) return bad('arch', archText);

  const nr = syscallNr(get('syscall'), arch, interpreted);
  if (nr === undefined) return bad('syscall', get('syscall'));

  const codeText = get('code');
  const code = interpreted ? null : decodeHex(codeText, 8, true);
  if (code === undefined) return bad('code', codeText);
  const action: AuditAction | undefined = code === null ? actionFromName(codeText) : actionFromCode(code);
  if (action === undefined) return bad('code', codeText);

  const uid = f.has('uid') ? decodeId(get('uid'), interpreted) : null;
  if (uid === undefined) return bad('uid', get('uid'));
  const gid = f.has('gid') ? decodeId(get('gid'), interpreted) : null;
  if (gid === undefined) return bad('gid', get('gid'));

  const comm = f.has('comm') ? stringField(get('comm'), interpreted) : null;
  if (comm === undefined || (comm !== null && comm.length > COMM_MAX)) return bad('comm', get('comm'));
  const exe = f.has('exe') ? stringField(get('exe'), interpreted) : null;
  if (exe === undefined) return bad('exe', get('exe'));

  const sig = f.has('sig') ? decodeSignal(get('sig')) : 0;
  if (sig === undefined) return bad('sig', get('sig'));
  const compat = f.has('compat') ? decodeInt(get('compat'), 0, 1) : 0;
  if (compat === undefined) return bad('compat', get('compat'));
  const ip = f.get('ip') ?? '';
  if (f.has('ip') && decodeHex(ip, 16, true) === undefined) return bad('ip', ip);

  const record: AuditRecord = {
    stamp,
    arch,
    archText,
    nr,
    name: arch === null ? null : nameOf(arch, nr),
    compat: compat === 1,
    action,
    code,
    pid,
    uid,
    gid,
    comm,
    exe,
    sig,
    ip,
  };
  return { ok: true, record };
}

function bad(field: string, value: string): ParseResult {
  return fail(value === '' ? `empty ${field}` : `bad ${field} '${clip(value)}'`);
}

/** `c000003e` → x86_64; a valid hex value we have no table for → null (the caller reports it). */
function rawArch(text: string): Arch | null | undefined {
  const value = decodeHex(text, 8, false);
  return value === undefined ? undefined : (archFromAudit(value) ?? null);
}

function interpretedArch(text: string): Arch | null | undefined {
  if (isArch(text)) return text;
  return /^[a-z][a-z0-9_]{0,15}$/.test(text) ? null : undefined;
}

/** A number (raw), or a name / `unknown-syscall(N)` (interpreted) looked up in the record's own arch. */
function syscallNr(text: string, arch: Arch | null, interpreted: boolean): number | undefined {
  const n = decodeInt(text, -1, 0xffffffff);
  if (n !== undefined || !interpreted) return n;
  const unknown = /^unknown-syscall\((-?\d{1,10})\)$/.exec(text);
  if (unknown?.[1] !== undefined) return decodeInt(unknown[1], -1, 0xffffffff);
  return arch === null ? undefined : syscallNumber(arch, text);
}

/** x32 calls (x86_64 numbers with bit 30 set) are refused by every filter we write, so they have no name here. */
function nameOf(arch: Arch, nr: number): string | null {
  if (arch === 'x86_64' && nr >= X32_SYSCALL_BIT) return null;
  return syscallName(arch, nr) ?? null;
}

function stringField(text: string, interpreted: boolean): string | null | undefined {
  if (!interpreted) return decodeAuditString(text);
  if (text.length > MAX_STRING_BYTES) return undefined;
  return text === '(null)' || text === '?' ? null : text;
}

function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 24 ? `${printable.slice(0, 24)}…` : printable;
}
