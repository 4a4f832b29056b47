// Argument constraints learned from observed values, for shapes no category covers (or every shape in
// --strict mode): small readable expressions, with the constants named in the doc comment above the POLICY.
import { ARG_MASK_ALL, type CmpOp, type Expr, type Rule } from '../policy/model.js';
import { argWidth, widthMask } from '../syscalls/args.js';
import { registerValues } from '../trace/arg-values.js';
import {
  AF, CLONE_NS, CLONE_NS_MASK, flagNames, hex, IOCTL, nameValue, O_WRITE_MASK, PERSONALITY, PR, PROT_EXEC, PROT_WRITE, SOCK_FLAGS,
  SOCK_TYPE, SOCK_TYPE_MASK,
} from './constants.js';
import type { ObservedShape } from './types.js';

export type ConstraintMode = 'strict' | 'generalize';

/** One learned rule and the comment lines that explain it. */
export interface LearnedRule {
  readonly rule: Rule;
  readonly doc: readonly string[];
}

const PARAMS: Readonly<Record<string, readonly string[]>> = {
  socket: ['domain', 'type', 'protocol'],
  socketpair: ['domain', 'type', 'protocol', 'sv'],
  personality: ['persona'],
  clone: ['flags', 'stack', 'parent_tid', 'child_tid', 'tls'],
  prctl: ['option', 'arg2', 'arg3', 'arg4', 'arg5'],
  ioctl: ['fd', 'request', 'arg'],
  mmap: ['addr', 'length', 'prot', 'flags', 'fd', 'offset'],
  mmap2: ['addr', 'length', 'prot', 'flags', 'fd', 'pgoffset'],
  mprotect: ['addr', 'length', 'prot'],
  pkey_mprotect: ['addr', 'length', 'prot', 'pkey'],
  open: ['path', 'flags', 'mode'],
  openat: ['dirfd', 'path', 'flags', 'mode'],
  prlimit64: ['pid', 'resource', 'new_limit', 'old_limit'],
};
const GENERIC_PARAMS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];

const cmp = (arg: number, op: CmpOp, value: bigint, mask = ARG_MASK_ALL): Expr => ({ kind: 'cmp', arg, mask, op, value });
const all = (items: Expr[]): Expr => (items.length === 1 ? items[0]! : { kind: 'and', items });
const any = (items: Expr[]): Expr => (items.length === 1 ? items[0]! : { kind: 'or', items });

/** The value of argument `arg` as the filter sees it (the bits the kernel reads), or null when unknown (as
 * clone3's recorded flags are: its register is a pointer). */
function valueOf(shape: ObservedShape, arg: number): bigint | null {
  const v = registerValues(shape.name, shape.values)?.[arg];
  if (v === null || v === undefined) return null;
  return v & widthMask(argWidth(shape.arch, shape.name, arg));
}

function distinct(values: readonly bigint[]): bigint[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function rule(syscall: string, when: Expr | null): Rule {
  return { syscall, params: when === null ? [] : PARAMS[syscall] ?? GENERIC_PARAMS, when };
}

/** Learns one rule for the shapes of one syscall (all with the same name, any arch). */
export function learnRule(shapes: readonly ObservedShape[], mode: ConstraintMode): LearnedRule {
  const name = shapes[0]!.name;
  if (mode === 'strict') return exactRule(name, shapes);
  switch (name) {
    case 'socket':
    case 'socketpair':
      return socketRule(name, shapes);
    case 'personality':
      return oneOf(name, shapes, 0, PERSONALITY);
    case 'prctl':
      return oneOf(name, shapes, 0, PR);
    case 'ioctl':
      return oneOf(name, shapes, 1, IOCTL);
    case 'clone':
      return cloneRule(shapes);
    case 'mmap':
    case 'mmap2':
    case 'mprotect':
    case 'pkey_mprotect':
      return writeXorExec(name, shapes);
    case 'open':
    case 'openat':
      return readOnlyIfSeen(name, shapes, name === 'open' ? 1 : 2, O_WRITE_MASK, 'opened for reading only (never write access, O_CREAT, O_TRUNC, O_APPEND or O_TMPFILE)');
    case 'prlimit64':
      return readOnlyIfSeen(name, shapes, 2, ARG_MASK_ALL, 'new_limit == NULL: reads limits, never changes them');
    default:
      return { rule: rule(name, null), doc: [] };
  }
}

/** Shapes whose value at `arg` was not captured: their syscall can only be allowed unconditionally. */
function unknownAt(name: string, shapes: readonly ObservedShape[], args: readonly number[]): LearnedRule | null {
  if (shapes.every((s) => args.every((a) => valueOf(s, a) !== null))) return null;
  return { rule: rule(name, null), doc: [`${name}: allowed for any arguments (some calls were recorded without their values)`] };
}

/** --strict: exactly the observed values at every captured position. */
function exactRule(name: string, shapes: readonly ObservedShape[]): LearnedRule {
  const conjunctions = new Map<string, Expr>();
  for (const shape of shapes) {
    const known = (shape.values ?? []).flatMap((_, arg) => {
      const v = valueOf(shape, arg);
      return v === null ? [] : [cmp(arg, '==', v)];
    });
    if (known.length === 0) return { rule: rule(name, null), doc: [] };
    conjunctions.set(known.map((c) => JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? hex(v) : v))).join('&'), all(known));
  }
  const sorted = [...conjunctions.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, e]) => e);
  return { rule: rule(name, any(sorted)), doc: [`${name}: exactly the ${sorted.length} observed argument combination(s)`] };
}

/** socket/socketpair: each observed (domain, base type, protocol); SOCK_NONBLOCK/SOCK_CLOEXEC are free. */
function socketRule(name: string, shapes: readonly ObservedShape[]): LearnedRule {
  const unknown = unknownAt(name, shapes, [0, 1, 2]);
  if (unknown) return unknown;
  const combos = new Map<string, { d: bigint; t: bigint; p: bigint; flags: bigint }>();
  for (const s of shapes) {
    const [d, type, p] = [valueOf(s, 0)!, valueOf(s, 1)!, valueOf(s, 2)!];
    const t = type & SOCK_TYPE_MASK;
    const key = `${d}/${t}/${p}`;
    combos.set(key, { d, t, p, flags: (combos.get(key)?.flags ?? 0n) | (type & ~SOCK_TYPE_MASK) });
  }
  const list = [...combos.values()].sort((a, b) => Number(a.d - b.d) || Number(a.t - b.t) || Number(a.p - b.p));
  const when = any(list.map((c) => all([cmp(0, '==', c.d), cmp(1, '==', c.t, SOCK_TYPE_MASK), cmp(2, '==', c.p)])));
  const doc = list.map((c) => `${name}: ${nameValue(AF, c.d)} ${nameValue(SOCK_TYPE, c.t)}` +
    `${c.flags === 0n ? '' : ` (seen with ${flagNames(SOCK_FLAGS, c.flags)})`} protocol ${c.p}`);
  return { rule: rule(name, when), doc };
}

/** One argument equal to one of the observed values (prctl options, ioctl requests, personalities). */
function oneOf(name: string, shapes: readonly ObservedShape[], arg: number, names: Readonly<Record<number, string>>): LearnedRule {
  const unknown = unknownAt(name, shapes, [arg]);
  if (unknown) return unknown;
  const values = distinct(shapes.map((s) => valueOf(s, arg)!));
  const param = PARAMS[name]![arg]!;
  return {
    rule: rule(name, any(values.map((v) => cmp(arg, '==', v)))),
    doc: [`${name}: ${param} one of ${values.map((v) => nameValue(names, v)).join(', ')}`],
  };
}

/** clone: no namespace flag that was never seen (so never CLONE_NEWUSER unless a run used it). */
function cloneRule(shapes: readonly ObservedShape[]): LearnedRule {
  const unknown = unknownAt('clone', shapes, [0]);
  if (unknown) return unknown;
  const seen = shapes.reduce((m, s) => m | (valueOf(s, 0)! & CLONE_NS_MASK), 0n);
  const forbidden = CLONE_NS_MASK & ~seen;
  if (forbidden === 0n) return { rule: rule('clone', null), doc: ['clone: every namespace flag was observed'] };
  const allowed = seen === 0n ? 'no namespace flags' : `only the namespace flags ${flagNames(CLONE_NS, seen)}`;
  return { rule: rule('clone', cmp(0, '==', 0n, forbidden)), doc: [`clone: ${allowed} (mask ${hex(forbidden)})`] };
}

/** `arg & mask == 0` when every observed call had it so (a read stays a read), else unconditional. */
function readOnlyIfSeen(name: string, shapes: readonly ObservedShape[], arg: number, mask: bigint, why: string): LearnedRule {
  const unknown = unknownAt(name, shapes, [arg]);
  if (unknown) return unknown;
  if (shapes.some((s) => (valueOf(s, arg)! & mask) !== 0n)) return { rule: rule(name, null), doc: [] };
  return { rule: rule(name, cmp(arg, '==', 0n, mask)), doc: [`${name}: ${why}`] };
}

/** mmap/mprotect: never writable and executable at once, unless a run did exactly that. */
function writeXorExec(name: string, shapes: readonly ObservedShape[]): LearnedRule {
  const unknown = unknownAt(name, shapes, [2]);
  if (unknown) return unknown;
  const wx = PROT_WRITE | PROT_EXEC;
  if (shapes.some((s) => (valueOf(s, 2)! & wx) === wx)) {
    return { rule: rule(name, null), doc: [`${name}: PROT_WRITE|PROT_EXEC together was observed, so not restricted`] };
  }
  const when = any([cmp(2, '==', 0n, PROT_WRITE), cmp(2, '==', 0n, PROT_EXEC)]);
  return { rule: rule(name, when), doc: [`${name}: never PROT_WRITE=0x2 and PROT_EXEC=0x4 together (W^X)`] };
}
