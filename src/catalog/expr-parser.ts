// Argument conditions: `{ (type & 0x7ff) == 1 && (domain == 2 || domain == 10) }` → Expr.
// The grammar is untyped (`(` may open a condition or a masked value); lowering then checks that each
// comparison has exactly one argument side and folds constants, so errors point at the offending token.
import type { Place } from '../errors.js';
import { ARG_MASK_ALL, type CmpOp, type Expr } from '../policy/model.js';
import type { Cursor } from './cursor.js';
import { describe } from './cursor.js';
import { didYouMean, failAt } from './diagnostics.js';

/** What names mean inside one rule's condition. */
export interface ExprScope {
  readonly syscall: string;
  readonly params: readonly string[];
  readonly defines: ReadonlyMap<string, bigint>;
}

type Node =
  | { readonly t: 'num'; readonly value: bigint; readonly at: Place }
  | { readonly t: 'arg'; readonly index: number; readonly at: Place }
  | { readonly t: 'bool'; readonly value: boolean; readonly at: Place }
  | { readonly t: '&' | '|'; readonly l: Node; readonly r: Node; readonly at: Place }
  | { readonly t: 'cmp'; readonly op: CmpOp; readonly l: Node; readonly r: Node; readonly at: Place }
  | { readonly t: '&&' | '||'; readonly items: readonly Node[]; readonly at: Place }
  | { readonly t: '!'; readonly e: Node; readonly at: Place };

const MAX64 = (1n << 64n) - 1n;
const CMP_OPS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
const FLIP: Readonly<Record<CmpOp, CmpOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export function parseCondition(cur: Cursor, scope: ExprScope): Expr {
  return toBool(parseLogic(cur, scope, '||'));
}

/** A constant after `#define NAME`: a number, `-number`, an earlier define, combined with `|`, `&`, `( )`. */
export function parseConstant(cur: Cursor, defines: ReadonlyMap<string, bigint>): bigint {
  const node = parseBits(cur, { syscall: '', params: [], defines }, '|');
  const v = toValue(node);
  if (v.kind !== 'const') return failAt(node.at, 'a #define value must be a constant');
  return v.value;
}

function parseLogic(cur: Cursor, scope: ExprScope, op: '||' | '&&'): Node {
  const first = op === '||' ? parseLogic(cur, scope, '&&') : parseNot(cur, scope);
  const items = [first];
  while (cur.eat(op)) items.push(op === '||' ? parseLogic(cur, scope, '&&') : parseNot(cur, scope));
  if (items.length === 1) return first;
  return { t: op, items: items.flatMap((n) => (n.t === op ? n.items : [n])), at: first.at };
}

function parseNot(cur: Cursor, scope: ExprScope): Node {
  if (cur.isPunct('!')) {
    const at = cur.place(cur.next());
    return { t: '!', e: parseNot(cur, scope), at };
  }
  const l = parseBits(cur, scope, '|');
  const t = cur.peek();
  if (t.kind !== 'punct' || !CMP_OPS.includes(t.text)) return l;
  cur.next();
  const r = parseBits(cur, scope, '|');
  const node: Node = { t: 'cmp', op: t.text as CmpOp, l, r, at: cur.place(t) };
  const after = cur.peek();
  if (after.kind === 'punct' && CMP_OPS.includes(after.text)) cur.fail(after, 'comparisons cannot be chained', 'combine them with `&&`');
  return node;
}

function parseBits(cur: Cursor, scope: ExprScope, op: '|' | '&'): Node {
  let l = op === '|' ? parseBits(cur, scope, '&') : parsePrimary(cur, scope);
  while (cur.isPunct(op)) {
    const at = cur.place(cur.next());
    const r = op === '|' ? parseBits(cur, scope, '&') : parsePrimary(cur, scope);
    l = { t: op, l, r, at };
  }
  return l;
}

function parsePrimary(cur: Cursor, scope: ExprScope): Node {
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
    const inner = parseLogic(cur, scope, '||');
    cur.expect(')', 'to close `(`');
    return inner;
  }
  if (t.kind === 'ident') return nameNode(t.text, at, scope);
  return cur.fail(t, `expected an argument, a number or \`(\`, found ${describe(t)}`);
}

function nameNode(name: string, at: Place, scope: ExprScope): Node {
  const index = scope.params.indexOf(name);
  if (index >= 0) return { t: 'arg', index, at };
  const value = scope.defines.get(name);
  if (value !== undefined) return { t: 'num', value, at };
  if (name === 'true' || name === 'false') return { t: 'bool', value: name === 'true', at };
  const what = scope.syscall === '' ? 'no #define of that name' : `not an argument of \`${scope.syscall}(${scope.params.join(', ')})\` and no #define`;
  return failAt(at, `unknown name \`${name}\`: ${what}`, didYouMean(name, [...scope.params, ...scope.defines.keys()]));
}

type Value = { readonly kind: 'const'; readonly value: bigint } | { readonly kind: 'arg'; readonly arg: number; readonly mask: bigint };

function toValue(n: Node): Value {
  switch (n.t) {
    case 'num':
      return { kind: 'const', value: n.value };
    case 'arg':
      return { kind: 'arg', arg: n.index, mask: ARG_MASK_ALL };
    case '&':
    case '|': {
      const l = toValue(n.l);
      const r = toValue(n.r);
      if (l.kind === 'const' && r.kind === 'const') return { kind: 'const', value: n.t === '&' ? l.value & r.value : l.value | r.value };
      if (n.t === '|') return failAt(n.at, '`|` can only combine constants', 'to test several bits of an argument, write `(arg & mask) != 0`');
      const a = l.kind === 'arg' ? l : r;
      const c = l.kind === 'const' ? l : r;
      if (a.kind !== 'arg' || c.kind !== 'const') return failAt(n.at, '`&` of two arguments is not supported');
      return { kind: 'arg', arg: a.arg, mask: a.mask & c.value };
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
  if (lv.kind === 'arg' && rv.kind === 'arg') return failAt(at, 'comparing two arguments is not supported', 'compare an argument with a constant');
  if (lv.kind === 'arg' && rv.kind === 'const') return { kind: 'cmp', arg: lv.arg, mask: lv.mask, op, value: rv.value };
  // Normalise `2 == domain` to `domain == 2`.
  if (lv.kind === 'const' && rv.kind === 'arg') return { kind: 'cmp', arg: rv.arg, mask: rv.mask, op: FLIP[op], value: lv.value };
  return failAt(at, 'a comparison needs an argument on one side');
}
