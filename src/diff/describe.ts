// Human-readable conditions and values: the policy printer's expression syntax with argument names.
import { constantName } from '../learn/constants.js';
import { printExpr } from '../policy/emit/kafel.js';
import type { Expr } from '../policy/model.js';
import { argName, valueName } from './arg-names.js';

export function describeExpr(syscall: string, expr: Expr | null): string {
  if (expr === null) return 'any arguments';
  return printExpr(expr, (arg) => argName(syscall, arg), (arg, value) => constantName(syscall, arg, value));
}

/** `domain=AF_NETLINK, type=SOCK_STREAM` for the given argument values. */
export function describeArgs(syscall: string, args: readonly bigint[], indexes: readonly number[]): string {
  return indexes.map((i) => `${argName(syscall, i)}=${valueName(syscall, i, args[i] ?? 0n)}`).join(', ');
}
