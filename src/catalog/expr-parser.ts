// Argument conditions: `{ (type & 0x7ff) == 1 && (domain == 2 || domain == 10), domain == 1 }` → Expr.
// The grammar is untyped (`(` may open a condition or a masked value); lowering then checks that each
// comparison has exactly one argument side and folds constants, so errors point at the offending token.
// Only parentheses and `!` nest, and both count against MAX_DEPTH (Kafel's limit), so nothing here or
// downstream recurses deeper than that whatever the input; `&&`, `||`, `,`, `&`, `|` chains are flat lists.
import type { Place } from '../errors.js';
import { compareBig } from '../policy/eval.js';
import { ARG_MASK_ALL, type CmpOp, type Expr } from '../policy/model.js';
import type { Cursor } from './cursor.js';
import { describe } from './cursor.js';
import { didYouMean, failAt } from './diagnostics.js';
import { recordPlace } from './places.js';
import type { Token } from './lexer.js';

/** Deepest nesting of parentheses and `!` in one condition (Kafel refuses past 200 too). */
export const MAX_DEPTH = 200;

/** What names mean inside one rule's condition. */
export interface ExprScope {
  readonly syscall: string;
  readonly params: readonly string[];
  /** No argument list was written: `arg0`..`arg5` name the arguments. */
  readonly implicit: boolean;
  readonly defines: ReadonlyMap<string, bigint>;
}

type Node =
  | { readonly t: 'num'; readonly value: bigint; readonly at: Place }
  | { readonly t: 'arg'; readonly index: number; readonly at: Place }
  | { readonly t: 'bool'; readonly value: boolean; readonly at: Place }
  | { readonly t: '&' | '|'; readonly items: readonly Node[]; readonly at: Place }
  | { readonly t: 'cmp'; readonly op: CmpOp; readonly l: Node; readonly r: Node; readonly at: Place }
  | { readonly t: '&&' | '||'; readonly items: readonly Node[]; readonly at: Place }
  | { readonly t: '!'; readonly e: Node; readonly at: Place };

const MAX64 = (1n << 64n) - 1n;
const CMP_OPS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
const FLIP: Readonly<Record<CmpOp, CmpOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const IMPLICIT = ['arg0', 'arg1', 'arg2', 'arg3', 'arg4', 'arg5'];

class ExprParser {
  private depth = 0;
  constructor(
    private readonly cur: Cursor,
    private readonly scope: ExprScope,
  ) {}

  /** `a, b` — Kafel's comma: `||` with the lowest precedence. */
  list(): Node {
    return this.chain('||', ',', () => this.logic('||'));
  }

  logic(op: '||' | '&&'): Node {
    return op === '||' ? this.chain('||', '||', () => this.logic('&&')) : this.chain('&&', '&&', () => this.not());
  }

  private chain(kind: '||' | '&&', sep: string, item: () => Node): Node {
    const first = item();
    const items = [first];
    while (this.cur.eat(sep)) items.push(item());
    if (items.length === 1) return first;
    return { t: kind, items: items.flatMap((n) => (n.t === kind ? n.items : [n])), at: first.at };
  }

  /** `!` runs are read in a loop; `!!x` is `x`. */
  private not(): Node {
    const bangs: Token[] = [];
    while (this.cur.isPunct('!')) bangs.push(this.enter(this.cur.next()));
    let node = this.comparison();
    this.depth -= bangs.length;
    if (bangs.length % 2 === 1) node = { t: '!', e: node, at: this.cur.place(bangs[bangs.length - 1]!) };
    return node;
  }

  private comparison(): Node {
    const l = this.bits('|');
    const t = this.cur.peek();
    if (t.kind !== 'punct' || !CMP_OPS.includes(t.text)) return l;
    this.cur.next();
    const r = this.bits('|');
    const node: Node = { t: 'cmp', op: t.text as CmpOp, l, r, at: this.cur.place(t) };
    const after = this.cur.peek();
    if (after.kind === 'punct' && CMP_OPS.includes(after.text)) this.cur.fail(after, 'comparisons cannot be chained', 'combine them with `&&`');
    return node;
  }

  bits(op: '|' | '&'): Node {
    const item = () => (op === '|' ? this.bits('&') : this.primary());
    const first = item();
    if (!this.cur.isPunct(op)) return first;
    const items = [first];
    while (this.cur.eat(op)) items.push(item());
    return { t: op, items, at: first.at };
  }

  private primary(): Node {
    const { cur, scope } = this;
    const t = cur.next();
    const at = cur.place(t);
    if (t.kind === 'number') return { t: 'num', value: t.value, at };
    if (t.kind === 'punct' && t.text === '-') {
      const n = cur.peek();
      if (n.kind !== 'number') cur.fail(n, `expected a number after \`-\`, found ${describe(n)}`);
      cur.next();
      if (n.value > 1n << 63n) cur.fail(n, `number \`-${n.text}\` is out of the 64-bit range`);
      return { t: 'num', value: (1n << 64n) - n.value & MAX64, at };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.enter(t);
      const inner = this.list();
      cur.expect(')', 'to close `(`');
      this.depth--;
      return inner;
    }
    if (t.kind === 'ident') return nameNode(t.text, at, scope);
    return cur.fail(t, `expected an argument, a number or \`(\`, found ${describe(t)}`);
  }

  private enter(t: Token): Token {
    if (++this.depth > MAX_DEPTH) this.cur.fail(t, `condition nested more than ${MAX_DEPTH} levels deep (parentheses and \`!\`)`, 'Kafel refuses this too: flatten it with `&&`/`||`');
    return t;
  }
}

export function parseCondition(cur: Cursor, scope: ExprScope): Expr {
  const node = new ExprParser(cur, scope).list();
  return toBool(node);
}

/** A constant: a number, `-number`, a #define'd name, combined with `|`, `&`, `( )`. */
export function parseConstant(cur: Cursor, defines: ReadonlyMap<string, bigint>): bigint {
  const node = new ExprParser(cur, { syscall: '', params: [], implicit: false, defines }).bits('|');
  const v = toValue(node);
  if (v.kind !== 'const') return failAt(node.at, 'expected a constant here');
  return v.value;
}

function nameNode(name: string, at: Place, scope: ExprScope): Node {
  const index = scope.params.indexOf(name);
  if (index >= 0) return { t: 'arg', index, at };
  if (scope.implicit && IMPLICIT.includes(name)) return { t: 'arg', index: IMPLICIT.indexOf(name), at };
  const value = scope.defines.get(name);
  if (value !== undefined) return { t: 'num', value, at };
  if (name === 'true' || name === 'false') return { t: 'bool', value: name === 'true', at };
  if (scope.syscall === '') return failAt(at, `unknown name \`${name}\`: no #define of that name`, didYouMean(name, scope.defines.keys()));
  if (scope.implicit) {
    return failAt(at, `unknown name \`${name}\`: \`${scope.syscall}\` has no argument list, so its arguments are arg0..arg5`,
      `name them (\`${scope.syscall}(fd, buf, count) { fd == 0 }\`); Kafel's kernel parameter names are not known here`);
  }
  return failAt(at, `unknown name \`${name}\`: not an argument of \`${scope.syscall}(${scope.params.join(', ')})\` and no #define`,
    didYouMean(name, [...scope.params, ...scope.defines.keys()]));
}

type Value = { readonly kind: 'const'; readonly value: bigint; readonly at: Place } | { readonly kind: 'arg'; readonly arg: number; readonly mask: bigint };

function toValue(n: Node): Value {
  switch (n.t) {
    case 'num':
      return { kind: 'const', value: n.value, at: n.at };
    case 'arg':
      return { kind: 'arg', arg: n.index, mask: ARG_MASK_ALL };
    case '&':
    case '|': {
      let constant = n.t === '&' ? MAX64 : 0n;
      let arg: Extract<Value, { kind: 'arg' }> | null = null;
      for (const item of n.items) {
        const v = toValue(item);
        if (v.kind === 'const') constant = n.t === '&' ? constant & v.value : constant | v.value;
        else if (n.t === '|') return failAt(n.at, '`|` with an argument is not supported (only between constants)', 'to test several bits of an argument, write `(arg & mask) != 0`');
        else if (arg) return failAt(n.at, '`&` between two arguments is not supported', 'mask an argument with a constant: `(arg & 0xff) == 1`');
        else arg = v;
      }
      return arg ? { kind: 'arg', arg: arg.arg, mask: arg.mask & constant } : { kind: 'const', value: constant, at: n.at };
    }
    default:
      return failAt(n.at, 'expected a value here, found a condition');
  }
}

function toBool(n: Node): Expr {
  switch (n.t) {
    case 'bool':
      return { kind: n.value ? 'true' : 'false' };
    case '&&':
    case '||':
      return { kind: n.t === '&&' ? 'and' : 'or', items: n.items.map(toBool) };
    case '!':
      return { kind: 'not', expr: toBool(n.e) };
    case 'cmp':
      return toCmp(n.op, n.l, n.r, n.at);
    case 'num':
      return failAt(n.at, 'a number is not a condition', 'compare an argument with it, e.g. `fd == 1`');
    default: {
      // `flags & 0x800` alone, or a bare argument, means "not zero" as in C.
      const v = toValue(n);
      if (v.kind === 'const') return failAt(n.at, 'a constant is not a condition');
      return { kind: 'cmp', arg: v.arg, mask: v.mask, op: '!=', value: 0n };
    }
  }
}

function toCmp(op: CmpOp, l: Node, r: Node, at: Place): Expr {
  const lv = toValue(l);
  const rv = toValue(r);
  if (lv.kind === 'arg' && rv.kind === 'arg') return { kind: 'cmp2', arg: lv.arg, mask: lv.mask, op, arg2: rv.arg, mask2: rv.mask };
  // Two constants: decided now, as Kafel does (`0x100001234 == 0x1234` is false).
  if (lv.kind === 'const' && rv.kind === 'const') return { kind: compareBig(lv.value, op, rv.value) ? 'true' : 'false' };
  // Normalise `2 == domain` to `domain == 2`.
  const [a, c, o] = lv.kind === 'arg' ? [lv, rv as Extract<Value, { kind: 'const' }>, op] : [rv as Extract<Value, { kind: 'arg' }>, lv, FLIP[op]];
  const expr: Expr = { kind: 'cmp', arg: a.arg, mask: a.mask, op: o, value: c.value };
  recordPlace(expr, c.at);
  return expr;
}
