// Tokens of the policy language, with 1-based positions. Comments are dropped, except that stand-alone `//`
// lines are kept aside: the parser turns them into the file header and the doc lines above a POLICY.
import { failAt, placeAt, type Source } from './diagnostics.js';

export type TokenKind = 'ident' | 'number' | 'punct' | 'define' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text: an identifier, an operator, the digits of a number. */
  readonly text: string;
  /** For numbers: the value (always 0 ≤ value < 2^64). */
  readonly value: bigint;
  readonly line: number;
  readonly col: number;
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

const MAX64 = (1n << 64n) - 1n;
const PUNCT2 = ['&&', '||', '==', '!=', '<=', '>='];
const PUNCT1 = '{}(),&|!<>-';

export function lex(source: Source): Lexed {
  const tokens: Token[] = [];
  const comments: LineComment[] = [];
  const push = (kind: TokenKind, text: string, line: number, col: number, value = 0n) =>
    tokens.push({ kind, text, value, line, col });
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
        if (text.slice(0, i).trim() === '') {
          comments.push({ line, text: text.slice(i + 2).replace(/^ /, '') });
        }
        break;
      } else if (text.startsWith('/*', i)) {
        inBlock = { line, col };
        i += 2;
      } else if (/[A-Za-z_]/.test(ch)) {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
        push('ident', m, line, col);
        i += m.length;
      } else if (/[0-9]/.test(ch)) {
        const m = /^[0-9A-Za-z_]+/.exec(text.slice(i))![0];
        push('number', m, line, col, parseNumber(m, source, line, col));
        i += m.length;
      } else if (ch === '#') {
        const m = /^#\s*([A-Za-z_]*)/.exec(text.slice(i))!;
        if (m[1] !== 'define') failAt(placeAt(source, line, col), `unknown directive \`#${m[1] ?? ''}\``, 'only `#define NAME value` is supported');
        push('define', '#define', line, col);
        i += m[0].length;
      } else {
        const two = text.slice(i, i + 2);
        if (PUNCT2.includes(two)) {
          push('punct', two, line, col);
          i += 2;
        } else if (PUNCT1.includes(ch)) {
          push('punct', ch, line, col);
          i++;
        } else {
          failAt(placeAt(source, line, col), `unexpected character \`${ch}\``);
        }
      }
    }
  }
  if (inBlock) failAt(placeAt(source, inBlock.line, inBlock.col), 'unterminated comment: `/*` without `*/`');
  const last = source.lines.length;
  push('eof', 'end of file', last, (source.lines[last - 1] ?? '').length + 1);
  return { tokens, comments };
}

function parseNumber(text: string, source: Source, line: number, col: number): bigint {
  const place = placeAt(source, line, col);
  let value: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^(0|[1-9][0-9]*)$/.test(text)) value = BigInt(text);
  else if (/^0[0-9]+$/.test(text)) return failAt(place, `number \`${text}\` has a leading zero`, 'octal is not supported: write it in decimal or hex (0x…)');
  else return failAt(place, `malformed number \`${text}\``);
  if (value > MAX64) failAt(place, `number \`${text}\` is out of the 64-bit range`);
  return value;
}
