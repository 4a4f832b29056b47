// Finite stand-ins for the 2^64 values of a syscall argument: one value per class of values that every
// comparison in both policies treats alike. Two rules agree everywhere iff they agree on these values.
// The classes are found exactly by walking the bits from the top: each comparison `(x & mask) op value` is,
// after a prefix of bits, "so far less", "equal" or "greater"; prefixes in the same state vector behave alike
// from there on, so keeping one (the smallest) prefix per state vector enumerates every class.
import { widthMask, type ArgWidth } from '../syscalls/args.js';
import type { CmpOp, Expr } from '../policy/model.js';

export interface Atom {
  readonly mask: bigint;
  readonly op: CmpOp;
  readonly value: bigint;
}

export interface ArgValues {
  readonly values: readonly bigint[];
  /** True when `values` provably reach every class; false when they are a sample. */
  readonly exact: boolean;
}

/** Distinct state vectors kept per bit; beyond it the walk drops states and the result is a sample. */
const MAX_STATES = 4096;
/** Above this many comparisons on one argument the bit walk (states × comparisons per bit) is not used:
 * the breakpoints of the compared values give the classes directly (exact for unmasked comparisons). */
const MAX_WALK_ATOMS = 64;

/** The comparisons of an expression, grouped by argument index. */
export function collectAtoms(expr: Expr | null, into: Map<number, Atom[]>): void {
  if (expr === null) return;
  switch (expr.kind) {
    case 'true':
    case 'false':
      return;
    case 'cmp': {
      const list = into.get(expr.arg) ?? [];
      list.push({ mask: expr.mask, op: expr.op, value: expr.value });
      into.set(expr.arg, list);
      return;
    }
    case 'and':
    case 'or':
      for (const item of expr.items) collectAtoms(item, into);
      return;
    case 'not':
      collectAtoms(expr.expr, into);
      return;
    case 'cmp2':
      // No constant splits the values; the argument is still compared (the diff samples it then).
      for (const arg of [expr.arg, expr.arg2]) into.set(arg, into.get(arg) ?? []);
      return;
  }
}

const LT = 0;
const EQ = 1;
const GT = 2;

function truth(op: CmpOp, state: number): boolean {
  switch (op) {
    case '==': return state === EQ;
    case '!=': return state !== EQ;
    case '<': return state === LT;
    case '<=': return state !== GT;
    case '>': return state === GT;
    case '>=': return state !== LT;
  }
}

/** Representative values of one argument for the given comparisons: the smallest of each class. */
export function argValues(rawAtoms: readonly Atom[], width: ArgWidth): ArgValues {
  const limit = widthMask(width);
  // Compare as the filter does: a 32-bit argument is its low word only.
  const atoms = rawAtoms.map((a) => ({ mask: a.mask & limit, op: a.op, value: a.value & limit }));
  if (atoms.length > MAX_WALK_ATOMS) return breakpoints(atoms, limit);
  const relevant = atoms.reduce((m, a) => m | a.mask, 0n);
  // Each entry: the comparison states (one char per atom) and the smallest prefix reaching them.
  let frontier = new Map<string, bigint>([[String.fromCharCode(...atoms.map(() => EQ)), 0n]]);
  let exact = true;
  for (let bit = width - 1; bit >= 0; bit--) {
    const b = 1n << BigInt(bit);
    const next = new Map<string, bigint>();
    for (const [states, prefix] of frontier) {
      for (const x of relevant & b ? [0n, b] : [0n]) {
        let key = '';
        for (let i = 0; i < atoms.length; i++) {
          const a = atoms[i]!;
          let st = states.charCodeAt(i);
          if (st === EQ) {
            const mine = x & a.mask & b;
            const theirs = a.value & b;
            if (mine !== theirs) st = mine ? GT : LT;
          }
          key += String.fromCharCode(st);
        }
        if (next.has(key)) continue;
        if (next.size >= MAX_STATES) {
          exact = false;
          continue;
        }
        next.set(key, prefix | x);
      }
    }
    frontier = next;
  }
  const byClass = new Map<string, bigint>();
  for (const [states, value] of frontier) {
    const key = atoms.map((a, i) => (truth(a.op, states.charCodeAt(i)) ? '1' : '0')).join('');
    const seen = byClass.get(key);
    if (seen === undefined || value < seen) byClass.set(key, value);
  }
  return { values: [...byClass.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), exact };
}

/** Each unmasked `x op v` changes truth only at v and v+1, so 0 and every v, v+1 reach every class of the
 * unsigned order; a masked comparison adds its matching value and the one above, a sample only. Linear in
 * the number of comparisons (plus the sort). */
function breakpoints(atoms: readonly Atom[], limit: bigint): ArgValues {
  const values = new Set<bigint>([0n]);
  let exact = true;
  for (const a of atoms) {
    const v = a.value & a.mask;
    values.add(v);
    if (v < limit) values.add(v + 1n);
    if (a.mask !== limit) exact = false;
  }
  return { values: [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), exact };
}
