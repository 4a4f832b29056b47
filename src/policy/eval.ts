import { widthMask, type ArgWidth } from '../syscalls/args.js';
import { assertNever, type Action, type CmpOp, type Expr } from './model.js';
import type { ResolvedPolicy } from './resolved.js';

/** Evaluates an argument expression the way the compiled filter does: an argument by the bits the kernel reads. */
export function evalExpr(expr: Expr, args: readonly bigint[], widths: readonly ArgWidth[]): boolean {
  switch (expr.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'cmp': {
      const limit = widthMask(widths[expr.arg] ?? 64);
      const lhs = (args[expr.arg] ?? 0n) & expr.mask & limit;
      const rhs = expr.value & limit;
      return compareBig(lhs, expr.op, rhs);
    }
    case 'cmp2': {
      const side = (arg: number, mask: bigint) => (args[arg] ?? 0n) & mask & widthMask(widths[arg] ?? 64);
      return compareBig(side(expr.arg, expr.mask), expr.op, side(expr.arg2, expr.mask2));
    }
    case 'and':
      return expr.items.every((e) => evalExpr(e, args, widths));
    case 'or':
      return expr.items.some((e) => evalExpr(e, args, widths));
    case 'not':
      return !evalExpr(expr.expr, args, widths);
    default:
      return assertNever(expr);
  }
}

/** The action a resolved policy gives a native call: the reference semantics the BPF compiler must match. */
export function decide(policy: ResolvedPolicy, nr: number, args: readonly bigint[]): Action {
  const entry = policy.syscalls.find((s) => s.nr === nr);
  if (entry) {
    for (const clause of entry.clauses) {
      if (clause.when === null || evalExpr(clause.when, args, entry.widths)) return clause.action;
    }
  }
  return policy.defaultAction;
}

/** `a op b` on 64-bit values. */
export function compareBig(a: bigint, op: CmpOp, b: bigint): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return assertNever(op);
  }
}
