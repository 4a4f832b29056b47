// Compares what two policies do with one syscall, over a finite set of argument tuples that reaches every
// class of values the two rule sets distinguish (see arg-space.ts).
import type { Action, Expr } from '../policy/model.js';
import { sameAction } from '../policy/model.js';
import { evalExpr } from '../policy/eval.js';
import type { Clause, ResolvedSyscall } from '../policy/resolved.js';
import type { ArgWidth } from '../syscalls/args.js';
import { argValues, collectAtoms, type Atom } from './arg-space.js';

/** The product of per-argument classes is enumerated up to this many tuples, sampled beyond. */
const MAX_TUPLES = 20_000;
/** Comparisons evaluated per syscall at most (tuples × comparisons in both rule sets): a rule set of
 * thousands of comparisons is sampled with fewer tuples instead of taking minutes. */
const EVAL_BUDGET = 4_000_000;
const MIN_TUPLES = 256;
/** Witnesses kept per direction (enough to describe the change). */
const MAX_WITNESSES = 64;

/** Actions under which the call runs (LOG allows and logs; USER_NOTIF hands the decision to a supervisor). */
export function permits(a: Action): boolean {
  return a.kind === 'allow' || a.kind === 'log' || a.kind === 'user-notif';
}

export interface SyscallVerdicts {
  readonly oldAny: boolean;
  readonly newAny: boolean;
  /** Every argument tuple allowed: the side allows the call with any arguments (when `exact`). */
  readonly oldAll: boolean;
  readonly newAll: boolean;
  /** Argument tuples the new side allows and the old one did not, and the reverse. */
  readonly widened: readonly (readonly bigint[])[];
  readonly narrowed: readonly (readonly bigint[])[];
  /** Same allowed-ness, different action (ERRNO(1) → KILL, ALLOW → LOG): the first such pair, and the
   * argument tuple it was found with; `everywhere` when every tuple's action changed. */
  readonly actionChange: { readonly from: Action; readonly to: Action; readonly args: readonly bigint[]; readonly everywhere: boolean } | null;
  readonly exact: boolean;
  /** Argument indexes either side inspects, and the representative values of each. */
  readonly argIndexes: readonly number[];
  readonly valuesByArg: ReadonlyMap<number, readonly bigint[]>;
}

/** The clause that decides a call, or undefined when the policy's default does. */
function decidingClause(clauses: readonly Clause[], args: readonly bigint[], widths: readonly ArgWidth[]): Clause | undefined {
  return clauses.find((c) => c.when === null || evalExpr(c.when, args, widths));
}

export function verdict(clauses: readonly Clause[], fallback: Action, args: readonly bigint[], widths: readonly ArgWidth[]): Action {
  return decidingClause(clauses, args, widths)?.action ?? fallback;
}

export function compareSyscall(
  oldEntry: ResolvedSyscall | undefined,
  oldDefault: Action,
  newEntry: ResolvedSyscall | undefined,
  newDefault: Action,
): SyscallVerdicts {
  const widths = oldEntry?.widths ?? newEntry?.widths ?? [];
  const oldClauses = oldEntry?.clauses ?? [];
  const newClauses = newEntry?.clauses ?? [];
  const atoms = new Map<number, Atom[]>();
  for (const c of [...oldClauses, ...newClauses]) collectAtoms(c.when, atoms);
  let cost = 1;
  for (const list of atoms.values()) cost += list.length;
  const argIndexes = [...atoms.keys()].sort((a, b) => a - b);
  const valuesByArg = new Map<number, readonly bigint[]>();
  let exact = true;
  for (const i of argIndexes) {
    const v = argValues(atoms.get(i) ?? [], widths[i] ?? 64);
    valuesByArg.set(i, v.values);
    exact &&= v.exact;
  }
  const tuples = argTuples(argIndexes, valuesByArg, Math.max(MIN_TUPLES, Math.min(MAX_TUPLES, Math.floor(EVAL_BUDGET / cost))));
  exact &&= tuples.exact;
  const widened: bigint[][] = [];
  const narrowed: bigint[][] = [];
  let oldAny = false;
  let newAny = false;
  let oldAll = true;
  let newAll = true;
  let firstChange: { from: Action; to: Action; args: readonly bigint[] } | null = null;
  let everywhere = true;
  for (const args of tuples.list) {
    const oldClause = decidingClause(oldClauses, args, widths);
    const newClause = decidingClause(newClauses, args, widths);
    const before = oldClause?.action ?? oldDefault;
    const after = newClause?.action ?? newDefault;
    const p = permits(before);
    const q = permits(after);
    oldAny ||= p;
    newAny ||= q;
    oldAll &&= p;
    newAll &&= q;
    everywhere &&= !sameAction(before, after);
    if (!p && q && widened.length < MAX_WITNESSES) widened.push(args);
    else if (p && !q && narrowed.length < MAX_WITNESSES) narrowed.push(args);
    else if (p === q && firstChange === null && !sameAction(before, after) && (oldClause || newClause)) {
      // A call both sides leave to their defaults shows as the default's change, reported once per policy.
      firstChange = { from: before, to: after, args };
    }
  }
  const actionChange = firstChange === null ? null : { ...firstChange, everywhere: everywhere && exact };
  return { oldAny, newAny, oldAll, newAll, widened, narrowed, actionChange, exact, argIndexes, valuesByArg };
}

/** The cross product of per-argument values, or a deterministic sample of it when too large. */
function argTuples(indexes: readonly number[], values: ReadonlyMap<number, readonly bigint[]>, max: number): { list: bigint[][]; exact: boolean } {
  const sizes = indexes.map((i) => values.get(i)?.length ?? 1);
  const total = sizes.reduce((a, b) => a * b, 1);
  const make = (pick: (k: number, size: number) => number): bigint[] => {
    const args = [0n, 0n, 0n, 0n, 0n, 0n];
    indexes.forEach((i, k) => (args[i] = values.get(i)?.[pick(k, sizes[k] ?? 1)] ?? 0n));
    return args;
  };
  if (total <= max) {
    const list: bigint[][] = [];
    for (let n = 0; n < total; n++) {
      let rest = n;
      list.push(make((_k, size) => {
        const r = rest % size;
        rest = Math.floor(rest / size);
        return r;
      }));
    }
    return { list, exact: true };
  }
  let state = 0x9e3779b9; // fixed seed: the same inputs always give the same report
  const next = (size: number): number => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state % size;
  };
  return { list: Array.from({ length: max }, () => make((_k, size) => next(size))), exact: false };
}

/** The arguments of a witness that matter: changing any of them to another class undoes the change. */
export function relevantArgs(
  witness: readonly bigint[],
  stillChanged: (args: readonly bigint[]) => boolean,
  v: SyscallVerdicts,
): number[] {
  return v.argIndexes.filter((i) =>
    (v.valuesByArg.get(i) ?? []).some((value) => {
      const args = [...witness];
      args[i] = value;
      return !stillChanged(args);
    }),
  );
}

/** "Allowed when" as one expression: null for any arguments, `false` for never. */
export function allowedWhen(clauses: readonly Clause[], fallback: Action): Expr {
  const alternatives: Expr[] = [];
  const earlierDenials: Expr[] = [];
  for (const c of clauses) {
    const when: Expr = c.when ?? { kind: 'true' };
    if (permits(c.action)) alternatives.push(simplify({ kind: 'and', items: [...earlierDenials.map(negate), when] }));
    else earlierDenials.push(when);
    if (c.when === null) return simplify({ kind: 'or', items: alternatives });
  }
  if (permits(fallback)) {
    alternatives.push(simplify({ kind: 'and', items: clauses.map((c) => negate(c.when ?? { kind: 'true' })) }));
  }
  return simplify({ kind: 'or', items: alternatives });
}

function negate(e: Expr): Expr {
  return e.kind === 'not' ? e.expr : { kind: 'not', expr: e };
}

function simplify(e: Expr): Expr {
  if (e.kind === 'not') {
    const inner = simplify(e.expr);
    if (inner.kind === 'true') return { kind: 'false' };
    if (inner.kind === 'false') return { kind: 'true' };
    return negate(inner);
  }
  if (e.kind !== 'and' && e.kind !== 'or') return e;
  const unit = e.kind === 'and' ? 'true' : 'false';
  const zero = e.kind === 'and' ? 'false' : 'true';
  const items: Expr[] = [];
  for (const item of e.items.map(simplify)) {
    if (item.kind === zero) return item;
    if (item.kind === unit) continue;
    if (item.kind === e.kind) items.push(...item.items);
    else items.push(item);
  }
  if (items.length === 0) return { kind: unit };
  if (items.length === 1) return items[0] ?? { kind: unit };
  return { kind: e.kind, items };
}
