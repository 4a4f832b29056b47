// Argument conditions in plain words for reviewers: `domain is AF_INET or AF_INET6 and type is SOCK_STREAM
// (flags ignored)` instead of `domain == 2 || domain == 10 && (type & 0x7ff) == 1`.
import { ARG_MASK_ALL, type CmpOp, type Expr } from '../policy/model.js';
import { argName, valueName } from './arg-names.js';

const WORD: Readonly<Record<CmpOp, string>> = { '==': 'is', '!=': 'is not', '<': 'is below', '<=': 'is at most', '>': 'is above', '>=': 'is at least' };
const INVERSE: Readonly<Record<CmpOp, CmpOp>> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

type Cmp = Extract<Expr, { kind: 'cmp' }>;

/** `null` (no condition) reads "any arguments"; `false` reads "never". */
export function plainExpr(syscall: string, expr: Expr | null): string {
  return expr === null ? 'any arguments' : phrase(syscall, expr);
}

function phrase(syscall: string, e: Expr): string {
  switch (e.kind) {
    case 'true': return 'any arguments';
    case 'false': return 'never';
    case 'cmp': return comparison(syscall, e, [e.value]);
    case 'cmp2': return `${masked(syscall, e.arg, e.mask)} ${WORD[e.op]} ${masked(syscall, e.arg2, e.mask2)}`;
    case 'not': return e.expr.kind === 'cmp' ? comparison(syscall, { ...e.expr, op: INVERSE[e.expr.op] }, [e.expr.value]) : `not (${phrase(syscall, e.expr)})`;
    case 'or': {
      const values = sameArgEqualities(e.items);
      if (values !== null) return comparison(syscall, values.first, values.values);
      return e.items.map((i) => nested(syscall, i, 'and')).join(' or ');
    }
    case 'and':
      return e.items.map((i) => nested(syscall, i, 'or')).join(' and ');
  }
}

/** An operand of `and`/`or`, in parentheses when it is the other connective (and not a list of values). */
function nested(syscall: string, e: Expr, other: 'and' | 'or'): string {
  const text = phrase(syscall, e);
  return e.kind === other && !(other === 'or' && sameArgEqualities(e.items) !== null) ? `(${text})` : text;
}

/** `x == a || x == b` over one argument and mask: the first comparison and every value. */
function sameArgEqualities(items: readonly Expr[]): { first: Cmp; values: bigint[] } | null {
  const first = items[0];
  if (first?.kind !== 'cmp' || first.op !== '==') return null;
  const ok = items.every((i) => i.kind === 'cmp' && i.op === '==' && i.arg === first.arg && i.mask === first.mask);
  return ok ? { first, values: items.map((i) => (i as Cmp).value) } : null;
}

/** An argument compared with another: its name, with the mask when it keeps only some bits. */
function masked(syscall: string, arg: number, mask: bigint): string {
  return mask === ARG_MASK_ALL ? argName(syscall, arg) : `${argName(syscall, arg)} & ${valueName(syscall, arg, mask)}`;
}

function comparison(syscall: string, c: Cmp, values: readonly bigint[]): string {
  const name = argName(syscall, c.arg);
  const named = values.map((v) => valueName(syscall, c.arg, v));
  const list = named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
  if (c.mask === ARG_MASK_ALL) return `${name} ${WORD[c.op]} ${list}`;
  const bits = valueName(syscall, c.arg, c.mask);
  if (values.length === 1 && c.value === 0n && (c.op === '==' || c.op === '!=')) {
    return `${name} has ${c.op === '==' ? 'none' : 'some'} of ${bits} set`;
  }
  if (values.length === 1 && c.value === c.mask && c.op === '==') return `${name} has all of ${bits} set`;
  // A low-bit mask (socket type & 0x7ff) keeps the value and drops flags such as SOCK_CLOEXEC.
  const lowBits = (c.mask & (c.mask + 1n)) === 0n;
  return lowBits ? `${name} ${WORD[c.op]} ${list} (flags ignored)` : `${name} & ${bits} ${WORD[c.op]} ${list}`;
}
