// One physical strace line → what it says, without any state: PREFIX (pid column or `[pid N]`, -Y comm,
// timestamp, -n number, -i address) then BODY (call, resumed half, signal, exit, personality, or a line
// that is not an event). Pairing unfinished/resumed halves and choosing the pid of prefix-less lines is
// assemble.ts's job.
import { OPEN_ARGS, parseCall, type CallParse } from './call.js';
import { parseExit, parsePersonality, parseSignal, type Marker } from './markers.js';
import { internName, internText, nameHash } from './syscall-id.js';

export type ParsedLine =
  | {
      readonly kind: 'call';
      readonly pid: number; // -1: no pid on the line
      readonly scno: number; // -1: no `-n` number
      readonly name: string;
      /** Index of the call's `(`; the name ends there. */
      readonly open: number;
      readonly call: CallParse;
    }
  | {
      readonly kind: 'resumed';
      readonly pid: number;
      readonly scno: number;
      readonly name: string;
      /** Index of the text after `<... name resumed>`. */
      readonly rest: number;
    }
  | { readonly kind: 'marker'; readonly pid: number; readonly marker: Marker }
  /** Not an event: `-k` frames, `-e write=` dumps, strace's own messages, summary tables, blank lines. */
  | { readonly kind: 'skip'; readonly pid: number; readonly summary: boolean }
  /** `splice` ≥ 0: strace's `Process N attached` was written into the middle of this line at that index.
   * `open`: a call line that ends inside its argument list (a later line may complete it). */
  | { readonly kind: 'bad'; readonly reason: string; readonly splice: number; readonly open: boolean };

const SPACE = 0x20;
const LT = 0x3c;
const GT = 0x3e;
const LBRACK = 0x5b;
const RBRACK = 0x5d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** 1 for `[a-zA-Z0-9_]`, over every UTF-16 code unit (no range checks in the name loop). */
const NAME_CHARS = new Uint8Array(0x10000);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_') NAME_CHARS[c.charCodeAt(0)] = 1;

function isNameChar(c: number): boolean {
  return NAME_CHARS[c] === 1;
}

function isHexOrQuery(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || c === 0x3f;
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === SPACE) i++;
  return i;
}

/** Digits at `i`: their value (-1 when there are none); `digitsEnd` is set to the index after them. */
let digitsEnd = 0;
function digitsAt(s: string, i: number): number {
  let v = 0;
  const start = i;
  while (isDigit(s.charCodeAt(i))) v = v * 10 + (s.charCodeAt(i++) - 0x30);
  digitsEnd = i;
  return i === start ? -1 : v;
}

/** After the pid column: `<comm>` from -Y. Returns the index after it. */
function skipComm(s: string, i: number): number {
  if (s.charCodeAt(i) !== LT) return i;
  const j = s.indexOf('>', i);
  return j < 0 ? i : j + 1;
}

const SPLICE = /strace: Process \d+ (?:attached|detached)$/;

function bad(s: string, reason: string): ParsedLine {
  if (s.charCodeAt(s.length - 1) === 0x64 /* d */) {
    const m = SPLICE.exec(s);
    if (m) return { kind: 'bad', reason: 'strace message spliced into the line', splice: m.index, open: false };
  }
  return { kind: 'bad', reason, splice: -1, open: reason === OPEN_ARGS };
}

export function parseStraceLine(s: string): ParsedLine {
  let i = 0;
  let pid = -1;
  let c = s.charCodeAt(0);
  if (c === LBRACK && s.startsWith('[pid ', 0)) {
    const v = digitsAt(s, skipSpaces(s, 5));
    const k = skipComm(s, digitsEnd);
    if (v < 0 || s.charCodeAt(k) !== RBRACK) return bad(s, 'malformed [pid N] prefix');
    pid = v;
    i = skipSpaces(s, k + 1);
  } else if (isDigit(c)) {
    const v = digitsAt(s, 0);
    const j = digitsEnd;
    const next = s.charCodeAt(j);
    if (next === SPACE || next === LT) {
      pid = v; // `-f -o` column; a timestamp would go on with `.` or `:`
      i = skipSpaces(s, skipComm(s, j));
    }
  }
  i = skipSpaces(s, i);
  c = s.charCodeAt(i);
  if (isDigit(c)) {
    // -t/-tt/-ttt/-r timestamp: digits, `:` and `.` then a space
    let j = i;
    let sep = false;
    for (;;) {
      const d = s.charCodeAt(j);
      if (d === 0x2e || d === 0x3a) sep = true;
      else if (!isDigit(d)) break;
      j++;
    }
    if (sep && s.charCodeAt(j) === SPACE) i = skipSpaces(s, j);
  }
  let scno = -1;
  if (s.charCodeAt(i) === LBRACK) {
    // -n `[  39]` (space-padded decimal, no leading zero) then -i `[00007f…]` (hex, `?` on +++ lines)
    const first = s.charCodeAt(i + 1);
    if (first === SPACE || (isDigit(first) && (first !== 0x30 || s.charCodeAt(i + 2) === RBRACK))) {
      const v = digitsAt(s, skipSpaces(s, i + 1));
      const j = digitsEnd;
      if (v >= 0 && s.charCodeAt(j) === RBRACK && j - i <= 11) {
        scno = v;
        i = skipSpaces(s, j + 1);
      }
    }
    if (s.charCodeAt(i) === LBRACK && isHexOrQuery(s.charCodeAt(i + 1))) {
      let j = i + 1;
      while (isHexOrQuery(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) === RBRACK) i = skipSpaces(s, j + 1);
    }
  }
  return parseBody(s, i, pid, scno);
}

function parseBody(s: string, i: number, pid: number, scno: number): ParsedLine {
  const c = s.charCodeAt(i);
  if (i >= s.length) return { kind: 'skip', pid, summary: false };
  if (isNameChar(c) && !isDigit(c)) {
    let j = i + 1;
    let hash = nameHash(0, c);
    for (let d = s.charCodeAt(j); isNameChar(d); d = s.charCodeAt(++j)) hash = nameHash(hash, d);
    if (s.charCodeAt(j) !== 0x28 /* ( */) {
      if (s.startsWith('strace: ', i)) return { kind: 'skip', pid, summary: false };
      if (s.startsWith('System call usage summary', i)) return { kind: 'skip', pid, summary: true };
      return bad(s, 'not a syscall line');
    }
    if (j - i > 64) return bad(s, 'syscall name too long');
    const call = parseCall(s, j);
    if (typeof call === 'string') return bad(s, call);
    return { kind: 'call', pid, scno, name: internName(s, i, j, hash), open: j, call };
  }
  switch (c) {
    case LT: {
      if (!s.startsWith('<... ', i)) break;
      const end = s.indexOf(' resumed>', i + 5);
      if (end < 0 || end - i > 80) break;
      return { kind: 'resumed', pid, scno, name: internText(s, i + 5, end), rest: end + 9 };
    }
    case 0x2d /* - */: {
      const marker = parseSignal(s, i);
      if (marker) return { kind: 'marker', pid, marker };
      break;
    }
    case 0x2b /* + */: {
      const marker = parseExit(s, i);
      if (marker) return { kind: 'marker', pid, marker };
      break;
    }
    case LBRACK: {
      const marker = parsePersonality(s, i);
      if (marker) return { kind: 'marker', pid, marker };
      break;
    }
    case GT: // -k stack frame ` > lib(sym+off) [addr]`
    case 0x7c /* | */: // -e write=/read= hex dump ` | 00000  74 6f …  total 88 |`
      if (s.charCodeAt(i + 1) === SPACE) return { kind: 'skip', pid, summary: false };
      break;
    case 0x25 /* % */:
      if (s.startsWith('% time', i)) return { kind: 'skip', pid, summary: true };
      break;
  }
  return bad(s, 'not a strace line');
}
