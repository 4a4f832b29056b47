// Conditions as an OR of ANDs of single comparisons: the shape OCI/libseccomp rules take (the comparisons of
// one rule are ANDed; an OR needs one rule per alternative).
import { assertNever, type CmpOp, type Expr } from '../model.js';

export type Cmp = Extract<Expr, { kind: 'cmp' }>;

const NEGATE: Readonly<Record<CmpOp, CmpOp>> = { '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

/** The disjuncts of `expr` (each a list of comparisons to AND), or null when there would be more than `limit`
 * or a comparison is between two arguments (no libseccomp rule states that). */
export function toDnf(expr: Expr, limit = 64): Cmp[][] | null {
  const go = (e: Expr, negated: boolean): Cmp[][] | null => {
    switch (e.kind) {
      case 'true':
      case 'false':
        return (e.kind === 'true') !== negated ? [[]] : [];
      case 'cmp':
        return [[negated ? { ...e, op: NEGATE[e.op] } : e]];
      case 'cmp2':
        return null;
      case 'not':
        return go(e.expr, !negated);
      case 'and':
      case 'or': {
        const parts = e.items.map((i) => go(i, negated));
        if (parts.some((p) => p === null)) return null;
        const lists = parts as Cmp[][][];
        // De Morgan: a negated AND is an OR, and the other way round.
        if ((e.kind === 'or') !== negated) return cap(lists.flat());
        let acc: Cmp[][] = [[]];
        for (const p of lists) {
          acc = acc.flatMap((a) => p.map((b) => [...a, ...b]));
          if (acc.length > limit) return null;
        }
        return acc;
      }
      default:
        return assertNever(e);
    }
  };
  const cap = (d: Cmp[][]): Cmp[][] | null => (d.length > limit ? null : d);
  return go(expr, false);
}

/** `when && !before[0] && !before[1] ...`: the arguments a first-match clause really decides. */
export function andNot(when: Expr | null, before: readonly Expr[]): Expr {
  const items: Expr[] = [...(when === null ? [] : [when]), ...before.map((b): Expr => ({ kind: 'not', expr: b }))];
  return items.length === 0 ? { kind: 'true' } : items.length === 1 ? items[0]! : { kind: 'and', items };
}
