// A journald entry (from `journalctl -o json`, `-o export` or `-o verbose`) → record body, like containers.ts does
// for lines. journald keeps each SECCOMP record twice when no auditd runs (GRAMMAR B.5): an audit-transport copy
// (MESSAGE `SECCOMP BODY`, stamp in _SOURCE_REALTIME_TIMESTAMP, serial in _AUDIT_ID) and a kernel-transport copy
// (MESSAGE `audit: type=1326 audit(…): BODY`). Both unwrap to the same stamp, so the collector counts one.
import { unwrapLine, makeStamp, type Unwrapped } from './containers.js';
import { AUDIT_SECCOMP } from './record.js';

/** Field name → value; binary values already decoded to text. */
export type JournalFields = ReadonlyMap<string, string>;

export function unwrapJournalEntry(fields: JournalFields): Unwrapped {
  const message = fields.get('MESSAGE');
  const transport = fields.get('_TRANSPORT');
  // Only journald-set transports are trusted: any program can log text that looks like a kernel record.
  if (message === undefined || (transport !== 'audit' && transport !== 'kernel')) return { kind: 'other' };
  if (transport === 'kernel') return unwrapLine(message);
  if (fields.get('_AUDIT_TYPE') !== String(AUDIT_SECCOMP)) return { kind: 'other' };
  const space = message.indexOf(' ');
  const micros = fields.get('_SOURCE_REALTIME_TIMESTAMP') ?? '';
  const serial = fields.get('_AUDIT_ID') ?? '';
  // _SOURCE_REALTIME_TIMESTAMP is audit(SEC.MSEC) × 1000: split it back into seconds and milliseconds.
  const stamp = /^\d{7,19}$/.test(micros) && /^\d{1,10}$/.test(serial)
    ? makeStamp(micros.slice(0, -6), micros.slice(-6, -3), serial)
    : undefined;
  if (!stamp) return { kind: 'skip', reason: 'audit journal entry without a valid _SOURCE_REALTIME_TIMESTAMP/_AUDIT_ID' };
  return { kind: 'seccomp', stamp, body: space < 0 ? '' : message.slice(space + 1), interpreted: false };
}

/** One `journalctl -o json` object → fields. Binary values come as byte arrays, repeated fields as arrays. */
export function fieldsFromJson(value: unknown): JournalFields | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const text = jsonFieldText(v);
    if (text !== undefined) fields.set(key, text);
  }
  return fields;
}

function jsonFieldText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (v.every((b): b is number => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(v).toString('utf8');
  }
  return typeof v[0] === 'string' ? v[0] : undefined;
}
