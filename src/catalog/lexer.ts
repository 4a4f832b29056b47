// Tokens of the policy language, with 1-based positions. Comments are dropped, except that stand-alone `//`
// lines are kept aside: the parser turns them into the file header and the doc lines above a POLICY.
// `#include "file"` is expanded here, as Kafel does: the included file's tokens take its place.
import { failAt, makeSource, placeAt, type Source } from './diagnostics.js';

export type TokenKind = 'ident' | 'number' | 'punct' | 'define' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text: an identifier, an operator, the digits of a number. */
  readonly text: string;
  /** For numbers: the value (always 0 ≤ value < 2^64). */
  readonly value: bigint;
  readonly line: number;
  readonly col: number;
  /** The file the token is in (an #include'd file's tokens point into it). */
  readonly source: Source;
}

/** A `//` comment that is the only thing on its line. */
export interface LineComment {
  readonly line: number;
  /** The text after `//` and one optional space. */
  readonly text: string;
}

export interface Lexed {
  readonly tokens: readonly Token[];
  readonly comments: readonly LineComment[];
}

/** Reads an #include'd file: `name` as written, relative to the file `from`. Returns its path and text, or
 * throws a ToolError saying why not. */
export type IncludeReader = (name: string, from: string) => { readonly file: string; readonly text: string };

export interface LexOptions {
  readonly include?: IncludeReader | undefined;
}

/** Kafel's limit too: deeper nesting is almost surely a mistake. */
export const MAX_INCLUDE_DEPTH = 16;

const MAX64 = (1n << 64n) - 1n;
const MAX_NUMBER_TEXT = 200;
const PUNCT2 = ['&&', '||', '==', '!=', '<=', '>='];
const PUNCT1 = '{}(),&|!<>-[]';
// Sticky patterns: matching at an index, never slicing the rest of a (possibly 1 MB) line.
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9][0-9A-Za-z_]*/y;
const DIRECTIVE = /#[ \t]*([A-Za-z_]*)/y;
const INCLUDE_NAME = /[ \t]*"([^"]*)"/y;

export function lex(source: Source, options: LexOptions = {}): Lexed {
  const tokens: Token[] = [];
  const comments: LineComment[] = [];
  lexInto(source, options, tokens, comments, [source.file]);
  const last = source.lines.length;
  tokens.push({ kind: 'eof', text: 'end of file', value: 0n, line: last, col: (source.lines[last - 1] ?? '').length + 1, source });
  return { tokens, comments };
}

function lexInto(source: Source, options: LexOptions, tokens: Token[], comments: LineComment[] | null, stack: readonly string[]): void {
  const push = (kind: TokenKind, text: string, line: number, col: number, value = 0n) =>
    tokens.push({ kind, text, value, line, col, source });
  let inBlock = null as { line: number; col: number } | null;

  for (const [index, text] of source.lines.entries()) {
    const line = index + 1;
    let i = 0;
    while (i < text.length) {
      if (inBlock) {
        const end = text.indexOf('*/', i);
        if (end < 0) break;
        inBlock = null;
        i = end + 2;
        continue;
      }
      const ch = text[i]!;
      const col = i + 1;
      if (ch === ' ' || ch === '\t') {
        i++;
      } else if (text.startsWith('//', i)) {
        if (comments && text.slice(0, i).trim() === '') {
          comments.push({ line, text: text.slice(i + 2).replace(/^ /, '') });
        }
        break;
      } else if (text.startsWith('/*', i)) {
        inBlock = { line, col };
        i += 2;
      } else if (/[A-Za-z_]/.test(ch)) {
        const m = matchAt(IDENT, text, i);
        push('ident', m, line, col);
        i += m.length;
      } else if (/[0-9]/.test(ch)) {
        const m = matchAt(NUMBER, text, i);
        push('number', m, line, col, parseNumber(m, source, line, col));
        i += m.length;
      } else if (ch === '#') {
        DIRECTIVE.lastIndex = i;
        const m = DIRECTIVE.exec(text)!;
        i += m[0].length;
        if (m[1] === 'define') push('define', '#define', line, col);
        else if (m[1] === 'include') i = includeFiles(source, text, line, i, col, options, tokens, stack);
        else failAt(placeAt(source, line, col), `unknown directive \`#${m[1] ?? ''}\``, 'the directives are `#define NAME value` and `#include "file"`');
      } else {
        const two = text.slice(i, i + 2);
        if (PUNCT2.includes(two)) {
          push('punct', two, line, col);
          i += 2;
        } else if (PUNCT1.includes(ch)) {
          push('punct', ch, line, col);
          i++;
        } else {
          failAt(placeAt(source, line, col), `unexpected character \`${printable(ch)}\``);
        }
      }
    }
  }
  if (inBlock) failAt(placeAt(source, inBlock.line, inBlock.col), 'unterminated comment: `/*` without `*/`');
}

/** `#include "a.policy" "b.policy"` up to the end of the line or a `;`; returns where lexing goes on. */
function includeFiles(source: Source, text: string, line: number, from: number, col: number, options: LexOptions, tokens: Token[], stack: readonly string[]): number {
  const at = placeAt(source, line, col);
  let i = from;
  let count = 0;
  for (;;) {
    INCLUDE_NAME.lastIndex = i;
    const m = INCLUDE_NAME.exec(text);
    if (!m) break;
    const nameAt = placeAt(source, line, i + m[0].indexOf('"') + 1);
    i += m[0].length;
    count++;
    if (!options.include) failAt(nameAt, '`#include` is not available here', 'compile the policy from a file, so included files can be found next to it');
    if (stack.length > MAX_INCLUDE_DEPTH) failAt(nameAt, `#include nested deeper than ${MAX_INCLUDE_DEPTH} files`);
    let included: { file: string; text: string };
    try {
      included = options.include(m[1]!, source.file);
    } catch (error) {
      return failAt(nameAt, `cannot #include "${m[1]}": ${(error as Error).message}`);
    }
    if (stack.includes(included.file)) failAt(nameAt, `#include cycle: ${[...stack.slice(stack.indexOf(included.file)), included.file].join(' → ')}`);
    lexInto(makeSource(included.text, included.file), options, tokens, null, [...stack, included.file]);
  }
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (count === 0) failAt(at, '`#include` needs a file name in double quotes', 'write `#include "other.policy"`');
  if (text[i] === ';') return i + 1;
  if (i < text.length) failAt(placeAt(source, line, i + 1), `unexpected \`${printable(text[i]!)}\` after \`#include\``, 'end the directive with a new line or `;`');
  return i;
}

function matchAt(re: RegExp, text: string, i: number): string {
  re.lastIndex = i;
  return re.exec(text)![0];
}

function printable(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
}

function parseNumber(text: string, source: Source, line: number, col: number): bigint {
  const place = placeAt(source, line, col);
  // 64 binary digits and a prefix fit in far less; BigInt() of a megabyte of digits would take seconds.
  if (text.length > MAX_NUMBER_TEXT) return failAt(place, `number \`${text.slice(0, 20)}…\` is out of the 64-bit range`);
  let value: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^(0|[1-9][0-9]*)$/.test(text)) value = BigInt(text);
  else if (/^0[bB][01]+$/.test(text)) value = BigInt(`0b${text.slice(2)}`);
  // A leading zero means octal, as in C and Kafel: 0755 is 493.
  else if (/^0[0-7]+$/.test(text)) value = BigInt(`0o${text.slice(1)}`);
  else if (/^0[0-9]+$/.test(text)) return failAt(place, `number \`${text}\` is not octal`, 'a leading 0 means octal (digits 0-7): drop the 0 for decimal');
  else return failAt(place, `malformed number \`${text}\``);
  if (value > MAX64) failAt(place, `number \`${text}\` is out of the 64-bit range`);
  return value;
}
