// Scanner for the argument list of one strace call line. It walks the text once, left to right, and
// respects everything that can hide a `)` or `,`: C strings with escapes, nested ()[]{}, fd/pid
// decorations `<...>` (which nest and may contain `->`), `/* comments */` and the `<unfinished ...>`
// marker. A regex cannot do this safely: strings may contain `) = ` or `<unfinished ...>` themselves.

export const UNFINISHED = '<unfinished ...>';
export const DETACHED = '<detached ...>';

const SPACE = 0x20;
const QUOTE = 0x22;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const COMMA = 0x2c;
const SLASH = 0x2f;
const LT = 0x3c;
const GT = 0x3e;
const LBRACK = 0x5b;
const BACKSLASH = 0x5c;
const RBRACK = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** 1 for the characters scanCall can step over without looking (most of them); commas only matter
 * when collecting the arguments. */
const PLAIN = new Uint8Array(0x10000).fill(1); // every UTF-16 code unit: no range check in the loop
for (const c of '"()[]{},</') PLAIN[c.charCodeAt(0)] = 0;
const PLAIN_NO_ARGS = PLAIN.slice();
PLAIN_NO_ARGS[COMMA] = 1;

/** scanCall's results besides an index: the text ended inside the argument list, or is malformed. */
export const SCAN_OPEN = -1;
export const SCAN_BAD_STRING = -2;
export const SCAN_BAD_BRACKETS = -3;

/** Index just past the string starting at the `"` at `i`, or -1 if it never ends. */
export function skipString(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let k = q - 1;
    while (s.charCodeAt(k) === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q + 1; // an even number of backslashes: the quote is real
    from = q + 1;
  }
}

/**
 * Index just past the `<...>` group starting at `i`, or -1 if it never closes. Inside, `\` escapes a
 * character and `<` nests (`3</dev/null<char 1:3>>`); in a socket/anon-inode decoration a `>` inside
 * `[...]` is part of the text (`<TCP:[1.2.3.4:5->6.7.8.9:10]>`). Paths escape their own `<>` as \74 \76.
 */
export function skipAngle(s: string, i: number): number {
  const trackBrackets = s.charCodeAt(i + 1) !== SLASH;
  let depth = 0;
  let square = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === LT) depth++;
    else if (c === GT) {
      if (square === 0 && --depth === 0) return j + 1;
    } else if (trackBrackets && c === LBRACK) square++;
    else if (trackBrackets && c === RBRACK && square > 0) square--;
  }
  return -1;
}

function pushArg(args: string[], s: string, from: number, to: number): void {
  while (from < to && s.charCodeAt(from) === SPACE) from++;
  while (to > from && s.charCodeAt(to - 1) === SPACE) to--;
  if (to > from) args.push(s.slice(from, to));
}

/**
 * Scans the arguments of the call whose `(` is at `open`: returns the index just past the matching `)`,
 * or SCAN_OPEN when the text ends first, or SCAN_BAD_*. With `args`, also collects the top-level argument
 * texts into it (trimmed; empty ones and `<unfinished ...>` markers left out). Collecting is optional
 * because most consumers never look at the arguments of most calls.
 */
export function scanCall(s: string, open: number, args: string[] | null): number {
  const n = s.length;
  let depth = 1;
  let argStart = open + 1;
  let i = open + 1;
  const plain = args ? PLAIN : PLAIN_NO_ARGS;
  // Once a `/*` or a `<` decoration runs to the end of the text, so would every later one: looking again
  // for each would make hostile lines (`/*/*/*…`, `<a<a<a…`) quadratic.
  let commentsClose = true;
  let anglesClose = true;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (plain[c] === 1) {
      i++;
      continue;
    }
    switch (c) {
      case QUOTE: {
        const j = skipString(s, i);
        if (j < 0) return SCAN_BAD_STRING;
        i = j;
        continue;
      }
      case LPAREN:
      case LBRACK:
      case LBRACE:
        depth++;
        break;
      case RPAREN:
      case RBRACK:
      case RBRACE:
        if (--depth === 0) {
          if (c !== RPAREN) return SCAN_BAD_BRACKETS;
          if (args) pushArg(args, s, argStart, i);
          return i + 1;
        }
        break;
      case COMMA:
        if (depth === 1 && args) {
          pushArg(args, s, argStart, i);
          argStart = i + 1;
        }
        break;
      case LT: {
        const next = s.charCodeAt(i + 1); // `<u`nfinished, `<d`etached: look closer only then
        const marker = next === 0x75 && s.startsWith(UNFINISHED, i) ? UNFINISHED.length
          : next === 0x64 && s.startsWith(DETACHED, i) ? DETACHED.length : 0;
        if (marker > 0) {
          if (depth === 1 && args) pushArg(args, s, argStart, i);
          i += marker;
          if (depth === 1) argStart = i;
          continue;
        }
        if (next === LT) {
          i += 2; // a shift operator, not a decoration
          continue;
        }
        const j = anglesClose ? skipAngle(s, i) : -1;
        if (j > 0) {
          i = j;
          continue;
        }
        anglesClose = false;
        break; // an unmatched `<` is plain text
      }
      case SLASH:
        if (commentsClose && s.charCodeAt(i + 1) === STAR) {
          const j = s.indexOf('*/', i + 2);
          if (j >= 0) {
            i = j + 2;
            continue;
          }
          commentsClose = false;
        }
        break;
    }
    i++;
  }
  if (args) pushArg(args, s, argStart, n);
  return SCAN_OPEN;
}

/** The top-level arguments of the call whose `(` is at `open` (as far as the text goes). */
export function splitArgs(s: string, open: number): string[] {
  const args: string[] = [];
  scanCall(s, open, args);
  return args;
}
