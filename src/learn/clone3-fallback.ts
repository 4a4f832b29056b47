// Pure: when a clone3 call need not be granted. glibc ≥ 2.34 (and Rust's std, systemd) start threads and
// posix_spawn children with clone3 and, when it fails with ENOSYS, make the same call with clone, passing the
// same flags in a register a filter can check. A clone3 call whose flags were recorded and mean nothing clone
// cannot say is therefore let through by a policy that answers clone3 ERRNO(ENOSYS) and allows clone with
// those flags: the learner, `learn check` and `learn report` all judge it by this one rule.
import { decide } from '../policy/eval.js';
import type { Action } from '../policy/model.js';
import type { ResolvedPolicy } from '../policy/resolved.js';
import { syscallNumber } from '../syscalls/table.js';
import { CLONE_NS_MASK } from './constants.js';
import type { ObservedShape } from './types.js';

export const ENOSYS = 38;

/** Bits of clone3's flags clone cannot take or that create namespaces: the low byte (CLONE_NEWTIME; clone
 * keeps its exit signal there), the namespace flags, and everything above bit 31 (CLONE_CLEAR_SIGHAND,
 * CLONE_INTO_CGROUP, …). */
const NOT_AS_CLONE = 0xffn | CLONE_NS_MASK | 0xffff_ffff_0000_0000n;

/** The exit signals clone's low byte gets from clone3's exit_signal (not recorded): none for a thread,
 * SIGCHLD for a child. A policy must allow both. */
const EXIT_SIGNALS: readonly bigint[] = [0n, 17n];

/** A clone3 call's recorded flags when clone can make the same call, else null (not clone3, flags unknown,
 * namespaces or clone3-only flags). */
export function cloneFlagsOf(shape: Pick<ObservedShape, 'name' | 'values'>): bigint | null {
  const flags = shape.name === 'clone3' ? shape.values?.[0] : undefined;
  return flags === undefined || flags === null || (flags & NOT_AS_CLONE) !== 0n ? null : flags;
}

/** The clone call glibc makes instead (same arch, flags, count and runs), or null; `cloneNr`: clone's number. */
export function asClone(shape: ObservedShape, cloneNr: number | undefined): ObservedShape | null {
  const flags = cloneFlagsOf(shape);
  return flags === null || cloneNr === undefined ? null : { ...shape, nr: cloneNr, name: 'clone', values: [flags] };
}

/** What a policy does with a call on the clone3 shape's arch: its action for `name` with these argument values
 * (null: not recorded), or null when that cannot be told. */
export type AnswerOf = (name: 'clone' | 'clone3', args: readonly (bigint | null)[]) => Action | null;

/** Whether a policy lets a recorded clone3 call through by the fallback: it answers clone3 (whatever its
 * pointer) ERRNO(ENOSYS) and lets clone run with the call's flags. */
export function fallbackLetsThrough(shape: Pick<ObservedShape, 'name' | 'values'>, answer: AnswerOf): boolean {
  const flags = cloneFlagsOf(shape);
  if (flags === null) return false;
  const clone3 = answer('clone3', [null]);
  if (clone3 === null || clone3.kind !== 'errno' || clone3.errno !== ENOSYS) return false;
  return EXIT_SIGNALS.every((signal) => {
    const a = answer('clone', [flags | signal]);
    return a !== null && (a.kind === 'allow' || a.kind === 'log');
  });
}

/** A resolved policy's answers for `fallbackLetsThrough`: null when a value it reads was not recorded. */
export function answerOf(policy: ResolvedPolicy): AnswerOf {
  return (name, args) => {
    const nr = syscallNumber(policy.arch, name);
    if (nr === undefined) return null;
    const conditional = policy.syscalls.find((s) => s.nr === nr)?.clauses.some((c) => c.when !== null) === true;
    return conditional && args.some((v) => v === null) ? null : decide(policy, nr, args.map((v) => v ?? 0n));
  };
}
