// One call body, `name(args) = RET [ERRNO (text)] [extras] [<dur>]`, or its unfinished first half.
import { DETACHED, SCAN_BAD_BRACKETS, SCAN_BAD_STRING, SCAN_OPEN, UNFINISHED, scanCall, skipAngle } from './split-args.js';

export type CallState = 'complete' | 'unfinished' | 'detached';

export interface CallParse {
  readonly state: CallState;
  /** Return value text without decorations (`3`, `-1`, `?`, `0x7f…`); null unless complete. */
  readonly ret: string | null;
  readonly errno: string | null;
  /** Unfinished: where the first half ends (the marker and the one space before it cut off). */
  readonly cut: number;
}

const SPACE = 0x20;
const EQUALS = 0x3d;
const LT = 0x3c;

function isRetChar(c: number): boolean {
  // digits, a-f, x, '?', '-'
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || c === 0x78 || c === 0x3f || c === 0x2d;
}

function isErrnoChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

function cutBefore(s: string, marker: number): number {
  return marker > 0 && s.charCodeAt(marker - 1) === SPACE ? marker - 1 : marker;
}

/** The `ERRNO` after a return value (`-1 ENOENT (No such file…)`, `? ERESTARTSYS (…)`), or null. */
function errnoAt(s: string, i: number): string | null {
  if (s.charCodeAt(i) !== 0x45 /* E */) return null;
  let j = i + 1;
  while (j < s.length && isErrnoChar(s.charCodeAt(j))) j++;
  if (j === i + 1 || (j < s.length && s.charCodeAt(j) !== SPACE)) return null;
  return s.slice(i, j);
}

/** The reason for a call line cut short: the next line may complete it (see assemble.ts). */
export const OPEN_ARGS = 'line ends inside the argument list';

const DETACHED_CALL: CallParse = { state: 'detached', ret: null, errno: null, cut: -1 };

function unfinished(s: string, marker: number): CallParse {
  return { state: 'unfinished', ret: null, errno: null, cut: cutBefore(s, marker) };
}

/** Parses the call whose `(` is at `open` in `s`; returns why when it is not a call line. */
export function parseCall(s: string, open: number): CallParse | string {
  const end = scanCall(s, open, null);
  if (end === SCAN_BAD_STRING) return 'unterminated string';
  if (end === SCAN_BAD_BRACKETS) return 'mismatched brackets';
  if (end === SCAN_OPEN) {
    // the marker ends the line only when strace stopped printing there (a string cannot end the line)
    if (s.endsWith(UNFINISHED)) return unfinished(s, s.length - UNFINISHED.length);
    if (s.endsWith(DETACHED)) return DETACHED_CALL;
    return OPEN_ARGS;
  }
  const n = s.length;
  let i = end;
  while (i < n && s.charCodeAt(i) === SPACE) i++;
  if (s.charCodeAt(i) === LT) {
    if (s.startsWith(UNFINISHED, i)) return unfinished(s, i); // `execve(...) <unfinished ...>`
    if (s.startsWith(DETACHED, i)) return DETACHED_CALL;
  }
  if (s.charCodeAt(i) !== EQUALS || s.charCodeAt(i + 1) !== SPACE) return 'no " = " after the arguments';
  i += 2;
  const start = i;
  while (i < n && isRetChar(s.charCodeAt(i))) i++;
  if (i === start) return 'no return value after " = "';
  const ret = s.slice(start, i);
  if (s.charCodeAt(i) === LT) {
    const j = skipAngle(s, i); // fd or pid decoration on the return value: `= 3</etc/passwd>`, `= 6139<sh>`
    if (j > 0) i = j;
  }
  while (i < n && s.charCodeAt(i) !== SPACE) i++; // `(deleted)` glued to a decoration
  while (i < n && s.charCodeAt(i) === SPACE) i++;
  return { state: 'complete', ret, errno: errnoAt(s, i), cut: -1 };
}
