// From a resolved policy to what the search tree chooses between: per syscall a constant return value or
// an argument-check block, with conditions folded (arguments cut to the bits the kernel reads, constant
// comparisons decided) and clauses that cannot change the outcome dropped. Equal blocks share one entry.
import { X32_SYSCALL_BIT } from '../abi/arch.js';
import { assertNever, type CmpOp, type Expr } from '../policy/model.js';
import { compareBig } from '../policy/eval.js';
import type { ResolvedPolicy } from '../policy/resolved.js';
import { widthMask, type ArgWidth } from '../syscalls/args.js';
import { actionToRet } from './actions.js';
import type { Segment } from './compile-tree.js';


/** A comparison with the argument width applied: `(args[arg] & mask) op value`, mask/value within width. */
export interface WordCmp {
  readonly kind: 'cmp';
  readonly arg: number;
  readonly width: ArgWidth;
  readonly mask: bigint;
  readonly op: CmpOp;
  readonly value: bigint;
}

/** Two arguments compared, each cut to its width and mask: `(args[arg] & mask) op (args[arg2] & mask2)`. */
export interface ArgCmp {
  readonly kind: 'cmp2';
  readonly arg: number;
  readonly mask: bigint;
  readonly op: CmpOp;
  readonly arg2: number;
  readonly mask2: bigint;
}

export type Cond =
  | WordCmp
  | ArgCmp
  | { readonly kind: 'and' | 'or'; readonly items: readonly Cond[] }
  | { readonly kind: 'not'; readonly cond: Cond };

export type Verdict =
  | { readonly kind: 'ret'; readonly ret: number }
  /** Clauses in order; the first whose condition holds returns its value, else `fallback`. */
  | { readonly kind: 'args'; readonly clauses: readonly { readonly cond: Cond; readonly ret: number }[]; readonly fallback: number };

export interface VerdictTable {
  readonly verdicts: readonly Verdict[];
  readonly segments: readonly Segment[];
}

export interface SegmentOptions {
  /** Weight of each listed syscall for path-length planning (default 1, argument-checked ones 4). */
  readonly weights?: ReadonlyMap<number, number>;
}

/** Argument-checked syscalls run the filter on every call (the kernel cannot cache them): favour their paths. */
const ARG_CHECK_WEIGHT = 4;
/** Weight of an unlisted number: far below a listed one, but enough to keep denied paths short too. */
const UNLISTED_WEIGHT = 0.002;
const UNLISTED_CAP = 512;

export function buildVerdicts(policy: ResolvedPolicy, options: SegmentOptions = {}): VerdictTable {
  const verdicts: Verdict[] = [];
  const index = new Map<string, number>();
  const intern = (v: Verdict): number => {
    const key = verdictKey(v);
    let id = index.get(key);
    if (id === undefined) {
      id = verdicts.length;
      verdicts.push(v);
      index.set(key, id);
    }
    return id;
  };
  const defaultId = intern({ kind: 'ret', ret: actionToRet(policy.defaultAction) });
  const foreignId = intern({ kind: 'ret', ret: actionToRet(policy.foreignArchAction) });
  const points: Array<{ nr: number; verdict: number; weight: number }> = [];
  const limit = policy.arch === 'x86_64' ? X32_SYSCALL_BIT : 0xffffffff;
  for (const s of policy.syscalls) {
    if (s.nr < 0 || s.nr >= limit) continue;
    const verdict = foldSyscall(s.clauses, s.widths, actionToRet(policy.defaultAction));
    const weight = options.weights?.get(s.nr) ?? (verdict.kind === 'args' ? ARG_CHECK_WEIGHT : 1);
    points.push({ nr: s.nr, verdict: intern(verdict), weight });
  }
  points.sort((a, b) => a.nr - b.nr);
  const segments: Segment[] = [];
  const push = (lo: number, hi: number, verdict: number, weight: number): void => {
    const last = segments[segments.length - 1];
    if (last && last.verdict === verdict && last.hi + 1 === lo) segments[segments.length - 1] = { ...last, hi, weight: last.weight + weight };
    else segments.push({ lo, hi, verdict, weight });
  };
  const gap = (lo: number, hi: number): void => {
    if (hi >= lo) push(lo, hi, defaultId, UNLISTED_WEIGHT * Math.min(hi - lo + 1, UNLISTED_CAP));
  };
  let next = 0;
  for (const p of points) {
    gap(next, p.nr - 1);
    push(p.nr, p.nr, p.verdict, p.weight);
    next = p.nr + 1;
  }
  if (policy.arch === 'x86_64') {
    // x32 calls (nr | 0x40000000) get the foreign-arch action; -1 stays at the default action.
    gap(next, X32_SYSCALL_BIT - 1);
    push(X32_SYSCALL_BIT, 0xfffffffe, foreignId, 0);
    push(0xffffffff, 0xffffffff, defaultId, 0);
  } else {
    gap(next, 0xffffffff);
  }
  return { verdicts, segments };
}

function foldSyscall(clauses: ResolvedPolicy['syscalls'][number]['clauses'], widths: readonly ArgWidth[], defaultRet: number): Verdict {
  const kept: { cond: Cond; ret: number }[] = [];
  let fallback = defaultRet;
  for (const clause of clauses) {
    const cond = clause.when === null ? true : foldExpr(clause.when, widths);
    if (cond === false) continue;
    if (cond === true) { fallback = actionToRet(clause.action); break; }
    kept.push({ cond, ret: actionToRet(clause.action) });
  }
  // A trailing clause that returns what the fallback returns changes nothing.
  while (kept.length > 0 && kept[kept.length - 1]!.ret === fallback) kept.pop();
  return kept.length === 0 ? { kind: 'ret', ret: fallback } : { kind: 'args', clauses: kept, fallback };
}

/** Folds an expression to a condition, or to a constant when its value cannot depend on the arguments. */
export function foldExpr(expr: Expr, widths: readonly ArgWidth[]): Cond | boolean {
  switch (expr.kind) {
    case 'true': return true;
    case 'false': return false;
    case 'cmp': {
      const width = widths[expr.arg] ?? 64;
      const limit = widthMask(width);
      const cmp: WordCmp = { kind: 'cmp', arg: expr.arg, width, mask: expr.mask & limit, op: expr.op, value: expr.value & limit };
      return constantCmp(cmp) ?? cmp;
    }
    case 'cmp2': {
      const limit = (arg: number) => widthMask(widths[arg] ?? 64);
      const cmp: ArgCmp = { kind: 'cmp2', arg: expr.arg, mask: expr.mask & limit(expr.arg), op: expr.op, arg2: expr.arg2, mask2: expr.mask2 & limit(expr.arg2) };
      // The same masked argument on both sides: decided (as Kafel simplifies `a == a`).
      if (cmp.arg === cmp.arg2 && cmp.mask === cmp.mask2) return compareBig(0n, cmp.op, 0n);
      return cmp;
    }
    case 'and':
    case 'or': {
      const stop = expr.kind === 'or';
      const items: Cond[] = [];
      for (const e of expr.items) {
        const f = foldExpr(e, widths);
        if (f === stop) return stop;
        if (typeof f !== 'boolean') items.push(f);
      }
      if (items.length === 0) return !stop;
      return items.length === 1 ? items[0]! : { kind: expr.kind, items };
    }
    case 'not': {
      const f = foldExpr(expr.expr, widths);
      return typeof f === 'boolean' ? !f : { kind: 'not', cond: f };
    }
    default:
      return assertNever(expr);
  }
}

/** The masked argument lies in [0, mask] and only has mask bits: some comparisons are decided already. */
function constantCmp(c: WordCmp): boolean | undefined {
  const { mask, value, op } = c;
  if (mask === 0n) return compareBig(0n, op, value);
  switch (op) {
    case '==': return (value & ~mask) !== 0n ? false : undefined;
    case '!=': return (value & ~mask) !== 0n ? true : undefined;
    case '<': return value === 0n ? false : value > mask ? true : undefined;
    case '<=': return value >= mask ? true : undefined;
    case '>': return value >= mask ? false : undefined;
    case '>=': return value === 0n ? true : value > mask ? false : undefined;
    default: return assertNever(op);
  }
}

function verdictKey(v: Verdict): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
}
