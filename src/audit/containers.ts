// Unwraps one text line from any container the kernel's audit records end up in, down to the record body:
//   /dev/kmsg     5,346,10250726542,-;audit: type=1326 audit(1795420386.751:3): BODY
//   dmesg         [10250.726542] audit: type=1326 …   (-T, -r, -x, --time-format=iso: same after the prefix)
//   journalctl    Nov 23 07:56:04 vm kernel: audit: type=1326 …   (kernel transport, short formats)
//   audit.log     type=SECCOMP msg=audit(1795420453.423:44): BODY\x1dAUID="unset" …   (enriched part dropped)
//   ausearch      ---- / time->… / type=SECCOMP msg=audit(…): BODY;  -i: msg=audit(11/23/26 07:54:13.423:44) : BODY
// The time that counts is the audit(…) stamp, never the monotonic kmsg/dmesg one (GRAMMAR B.2).
import { AUDIT_SECCOMP, type AuditStamp } from './record.js';

export type Unwrapped =
  | { readonly kind: 'seccomp'; readonly stamp: AuditStamp; readonly body: string; readonly interpreted: boolean }
  /** The kernel dropped records (printk rate limit, backlog): `count` when the line says how many. */
  | { readonly kind: 'lost'; readonly count: number | null }
  /** A SECCOMP record we cannot use, with the reason. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Anything else: other audit types, other kernel messages, separators. */
  | { readonly kind: 'other' };

const OTHER: Unwrapped = { kind: 'other' };
const SERIAL_MAX = 0xffffffff;

/** Builds a stamp from the digits of `audit(SECONDS.MS:SERIAL)`; the kernel always prints exactly 3 ms digits. */
export function makeStamp(seconds: string, ms: string, serial: string): AuditStamp | undefined {
  if (seconds.length > 12 || ms.length !== 3 || serial.length > 10) return undefined;
  const s = Number(seconds);
  const n = Number(serial);
  return n > SERIAL_MAX ? undefined : { seconds: s, ms: Number(ms), serial: n };
}

const KERNEL_HEAD = /audit: type=(\d{1,5}) audit\((\d+)\.(\d+):(\d+)\): ?/y;
const AUDITD_HEAD = /^(?:node=\S+ )?type=(\S+) msg=audit\(([^)]*)\)(:| :) ?/;
const RAW_STAMP = /^(\d+)\.(\d+):(\d+)$/;
const LOCAL_STAMP = /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}):(\d+)$/;
const SUPPRESSED = /kauditd_printk_skb: (\d{1,9}) callbacks suppressed/;
const AUDIT_LOST = /audit: audit_lost=(\d{1,12})/;
const NO_STAMP: Unwrapped = {
  kind: 'skip',
  reason: 'SECCOMP record without its audit(…) stamp (journalctl short/cat output: use -o json or export)',
};

export function unwrapLine(line: string): Unwrapped {
  // auditd lines first: its userspace records quote arbitrary text, which may look like a kernel line.
  if (line.startsWith('type=') || line.startsWith('node=')) return unwrapAuditd(line);
  const kernelAt = line.indexOf('audit: type=');
  if (kernelAt >= 0) return unwrapKernel(line, kernelAt);
  if (line.includes('callbacks suppressed')) {
    const m = SUPPRESSED.exec(line);
    return m?.[1] === undefined ? OTHER : { kind: 'lost', count: Number(m[1]) };
  }
  const lost = AUDIT_LOST.exec(line);
  if (lost?.[1] !== undefined) return { kind: 'lost', count: null };
  if (line.includes('kauditd hold queue overflow') || line.includes('audit: backlog limit exceeded')) {
    return { kind: 'lost', count: null };
  }
  // journald's audit-transport MESSAGE shown without fields: `SECCOMP auid=…` (cat) or `… audit[PID]: SECCOMP auid=…`.
  if (line.startsWith('SECCOMP auid=') || /audit\[\d+\]: SECCOMP auid=/.test(line)) return NO_STAMP;
  return OTHER;
}

function unwrapKernel(line: string, at: number): Unwrapped {
  KERNEL_HEAD.lastIndex = at;
  const m = KERNEL_HEAD.exec(line);
  if (!m) return line.startsWith(`audit: type=${AUDIT_SECCOMP} `, at) ? skip('bad audit(…) stamp') : OTHER;
  if (Number(m[1]) !== AUDIT_SECCOMP) return OTHER;
  const stamp = makeStamp(m[2] ?? '', m[3] ?? '', m[4] ?? '');
  if (!stamp) return skip('bad audit(…) stamp');
  return { kind: 'seccomp', stamp, body: line.slice(KERNEL_HEAD.lastIndex), interpreted: false };
}

function unwrapAuditd(line: string): Unwrapped {
  const m = AUDITD_HEAD.exec(line);
  if (!m) return OTHER;
  const type = m[1] ?? '';
  if (type !== 'SECCOMP' && type !== `UNKNOWN[${AUDIT_SECCOMP}]` && type !== String(AUDIT_SECCOMP)) return OTHER;
  const interpreted = m[3] === ' :';
  const stamp = interpreted ? localStamp(m[2] ?? '') : rawStamp(m[2] ?? '');
  if (!stamp) return skip('bad audit(…) stamp');
  const rest = line.slice(m[0].length);
  const gs = rest.indexOf('\x1d'); // ENRICHED log_format: interpreted copies follow; we read the raw fields
  return { kind: 'seccomp', stamp, body: gs < 0 ? rest : rest.slice(0, gs), interpreted };
}

function rawStamp(text: string): AuditStamp | undefined {
  const m = RAW_STAMP.exec(text);
  return m ? makeStamp(m[1] ?? '', m[2] ?? '', m[3] ?? '') : undefined;
}

/** `ausearch -i` prints the stamp as local time `MM/DD/YY HH:MM:SS.mmm` (C locale), read back in our time zone. */
function localStamp(text: string): AuditStamp | undefined {
  const m = LOCAL_STAMP.exec(text);
  if (!m) return undefined;
  const [, mo = 0, d = 0, y = 0, h = 0, mi = 0, s = 0, ms = 0, serial = 0] = m.map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || serial > SERIAL_MAX) return undefined;
  const date = new Date(2000 + y, mo - 1, d, h, mi, s);
  return { seconds: Math.floor(date.getTime() / 1000), ms, serial };
}

function skip(reason: string): Unwrapped {
  return { kind: 'skip', reason };
}
