// --since/--until values → epoch milliseconds. Accepts the shorthand `1h`, `30m`, `2d`, `1h30m` (which
// journalctl 252 rejects), journalctl's own relative forms (`-1h`, `1 hour ago`, `today`), `@EPOCH`, and dates
// (`2026-11-23 06:56[:33]`, ISO 8601 with `T` and a zone, which journalctl also rejects). Sources then pass the
// result to journalctl as `@SECONDS`, which every version accepts, and filter on the audit stamp themselves.
import { UsageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const SPAN_PART = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;

/** `1h30m`, `90 min`, `2 days` → milliseconds, or undefined. */
export function parseSpan(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  SPAN_PART.lastIndex = 0;
  let total = 0;
  while (SPAN_PART.lastIndex < s.length) {
    const at = SPAN_PART.lastIndex;
    const m = SPAN_PART.exec(s);
    if (!m || m.index !== at) return undefined;
    const unit = UNIT_MS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
  }
  return total;
}

const DATE = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d\d:?\d\d)?$/;

/** Parses one --since/--until value relative to `nowMs`. */
export function parseTimeSpec(text: string, nowMs: number, option = '--since'): number {
  const s = text.trim();
  const ms = parseAbsolute(s, nowMs) ?? parseRelative(s, nowMs);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new UsageError(`${option} '${text}' is not a time`, {
      hint: "use 1h, 30m, 2d (that long ago), -1h, '1 hour ago', today, yesterday, @EPOCH or '2026-11-23 06:56:33'",
    });
  }
  return ms;
}

function parseRelative(s: string, nowMs: number): number | undefined {
  const ago = /^(.*?)\s+ago$/.exec(s);
  const body = ago ? ago[1] ?? '' : s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
  const span = parseSpan(body);
  if (span === undefined) return undefined;
  return s.startsWith('+') ? nowMs + span : nowMs - span;
}

function parseAbsolute(s: string, nowMs: number): number | undefined {
  if (s === 'now') return nowMs;
  if (s === 'today' || s === 'yesterday' || s === 'tomorrow') {
    const d = new Date(nowMs);
    d.setHours(0, 0, 0, 0);
    d.setDate(d.getDate() + (s === 'today' ? 0 : s === 'yesterday' ? -1 : 1));
    return d.getTime();
  }
  if (s.startsWith('@')) {
    const n = Number(s.slice(1));
    return s.length > 1 && Number.isFinite(n) ? n * 1000 : undefined;
  }
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(frac.padEnd(3, '0').slice(0, 3))] as const;
  if (fields[1] < 0 || fields[1] > 11 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 60) return undefined;
  if (zone === undefined) return new Date(...fields).getTime();
  const utc = Date.UTC(...fields);
  if (zone === 'Z' || zone === 'UTC') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}
