// A read position in the token list, with the error helpers every grammar rule needs.
import type { Place } from '../errors.js';
import { failAt, placeAt } from './diagnostics.js';
import type { Token } from './lexer.js';

export class Cursor {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  place(t: Token): Place {
    return placeAt(t.source, t.line, t.col);
  }

  fail(t: Token, message: string, hint?: string): never {
    return failAt(this.place(t), message, hint);
  }

  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'punct' && t.text === text;
  }

  /** Consumes `text` when it is next; reports whether it did. */
  eat(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, context: string): Token {
    if (!this.isPunct(text)) this.fail(this.peek(), `expected \`${text}\` ${context}, found ${describe(this.peek())}`);
    return this.next();
  }

  expectIdent(context: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, `expected ${context}, found ${describe(t)}`);
    return this.next();
  }
}

export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'number':
      return `number \`${t.text}\``;
    case 'define':
      return '`#define`';
    default:
      return `\`${t.text}\``;
  }
}
