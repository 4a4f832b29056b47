import type { Arch } from '../abi/arch.js';
import { assertNever, type Expr, type Rule } from '../policy/model.js';
import { evalExpr } from '../policy/eval.js';
import { argWidth, type ArgWidth } from '../syscalls/args.js';
import { registerValues } from '../trace/arg-values.js';
import type { Category, ObservedShape } from './types.js';

/** The argument positions an expression reads. */
export function argsUsed(expr: Expr, into: Set<number> = new Set()): Set<number> {
  switch (expr.kind) {
    case 'true':
    case 'false':
      return into;
    case 'cmp':
      return into.add(expr.arg);
    case 'cmp2':
      return into.add(expr.arg).add(expr.arg2);
    case 'and':
    case 'or':
      for (const item of expr.items) argsUsed(item, into);
      return into;
    case 'not':
      return argsUsed(expr.expr, into);
    default:
      return assertNever(expr);
  }
}

export function argWidths(arch: Arch, syscall: string): ArgWidth[] {
  return [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, syscall, i));
}

/** Whether one rule accepts a shape. A conditional rule accepts only when every value it reads is known:
 * an unknown value could be anything, so only an unconditional rule covers it (as clone3's, whose recorded
 * flags are not its register). */
export function ruleAccepts(rule: Rule, shape: ObservedShape): boolean {
  if (rule.when === null) return true;
  const values = registerValues(shape.name, shape.values);
  if (values === null) return false;
  for (const arg of argsUsed(rule.when)) if (values[arg] === null || values[arg] === undefined) return false;
  const args = values.map((v) => v ?? 0n);
  return evalExpr(rule.when, args, argWidths(shape.arch, shape.name));
}

/** Whether a category covers a shape: one of its rules for that syscall on that arch accepts it. */
export function categoryCovers(category: Category, shape: ObservedShape): boolean {
  const rules = category.syscalls.get(shape.arch)?.get(shape.name);
  return rules !== undefined && rules.some((r) => ruleAccepts(r, shape));
}

/** `arch:name` keys, the unit the learner counts granted and observed syscalls in. */
export function syscallKey(arch: Arch, name: string): string {
  return `${arch}:${name}`;
}

/** The syscalls a category grants on the given arches, as keys. */
export function grantedKeys(category: Category, arches: readonly Arch[]): string[] {
  return arches.flatMap((arch) => [...(category.syscalls.get(arch)?.keys() ?? [])].map((n) => syscallKey(arch, n)));
}
