// Argument checks. A 64-bit comparison becomes tests on the high word then the low word; a 32-bit one
// tests only the low word. Word tests whose outcome follows from the mask are dropped before emission,
// `&&`/`||`/`!` become short-circuit jumps, and the builder skips reloading a word A already holds.
import { assertNever } from '../policy/model.js';
import { ProgramBuilder, type Label } from './builder.js';
import type { ArgCmp, Cond, Verdict, WordCmp } from './compile-verdicts.js';
import { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_MISC, BPF_TAX, BPF_X, stmt } from './insn.js';
import { argWordOffset } from './seccomp-data.js';

type ArgsVerdict = Extract<Verdict, { kind: 'args' }>;

const FULL = 0xffffffff;

/** One 32-bit test: `(word & mask) op value`. */
interface WordTest {
  readonly offset: number;
  readonly mask: number;
  readonly op: 'eq' | 'gt' | 'ge';
  readonly value: number;
}

/** A tiny decision diagram for one comparison; leaves are the caller's labels. */
type Node = Label | { readonly test: WordTest; readonly t: Node; readonly f: Node };

const isLabel = (n: Node): n is Label => 'id' in n;

/** Emits the check block of one syscall (its label is already placed). */
export function emitArgBlock(b: ProgramBuilder, v: ArgsVerdict, retLabel: (ret: number) => Label): void {
  v.clauses.forEach((clause, i) => {
    const last = i === v.clauses.length - 1;
    const next = last ? retLabel(v.fallback) : b.newLabel(`clause${i + 1}`);
    emitCond(b, clause.cond, retLabel(clause.ret), next);
    if (!last) b.place(next);
  });
}

function emitCond(b: ProgramBuilder, cond: Cond, t: Label, f: Label): void {
  switch (cond.kind) {
    case 'cmp':
      emitNode(b, compareNode(cond, t, f));
      return;
    case 'cmp2':
      emitArgCompare(b, cond, t, f);
      return;
    case 'not':
      emitCond(b, cond.cond, f, t);
      return;
    case 'and':
    case 'or':
      cond.items.forEach((item, i) => {
        if (i === cond.items.length - 1) return emitCond(b, item, t, f);
        const next = b.newLabel(cond.kind);
        if (cond.kind === 'and') emitCond(b, item, next, f);
        else emitCond(b, item, t, next);
        b.place(next);
      });
      return;
    default:
      assertNever(cond);
  }
}

/** `(hi,lo) op (vh,vl)` in lexicographic order, unsigned; `<`/`<=`/`!=` swap the targets of `>=`/`>`/`==`. */
function compareNode(c: WordCmp, t: Label, f: Label): Node {
  const lo = argWordOffset(c.arg, false);
  const hi = argWordOffset(c.arg, true);
  const ml = Number(c.mask & 0xffffffffn);
  const vl = Number(c.value & 0xffffffffn);
  const mh = Number(c.mask >> 32n);
  const vh = Number(c.value >> 32n);
  const words = c.width === 64;
  const lexi = (op: 'eq' | 'gt' | 'ge', yes: Node, no: Node): Node => {
    const low = test({ offset: lo, mask: ml, op, value: vl }, yes, no);
    if (!words) return low;
    if (op === 'eq') return test({ offset: hi, mask: mh, op: 'eq', value: vh }, low, no);
    // hi > vh decides yes; otherwise hi == vh (certain when vh is 0) leaves it to the low word.
    const equalHi = vh === 0 ? low : test({ offset: hi, mask: mh, op: 'eq', value: vh }, low, no);
    return test({ offset: hi, mask: mh, op: 'gt', value: vh }, yes, equalHi);
  };
  switch (c.op) {
    case '==': return lexi('eq', t, f);
    case '!=': return lexi('eq', f, t);
    case '>': return lexi('gt', t, f);
    case '<=': return lexi('gt', f, t);
    case '>=': return lexi('ge', t, f);
    case '<': return lexi('ge', f, t);
    default: return assertNever(c.op);
  }
}

/** A word test, or straight to a target when the mask already decides it (the word lies in [0, mask]). */
function test(w: WordTest, t: Node, f: Node): Node {
  const { mask, value, op } = w;
  switch (op) {
    case 'eq':
      if ((value & ~mask) !== 0) return f;
      if (mask === 0) return t;
      break;
    case 'gt':
      if (value >= mask) return f;
      break;
    case 'ge':
      if (value === 0) return t;
      if (value > mask) return f;
      break;
    default:
      assertNever(op);
  }
  return { test: w, t, f };
}

function emitNode(b: ProgramBuilder, node: Node): void {
  if (isLabel(node)) {
    b.jumpTo(node);
    return;
  }
  const { test: w, t, f } = node;
  const tl = isLabel(t) ? t : b.newLabel('t');
  const fl = isLabel(f) ? f : b.newLabel('f');
  emitWordTest(b, w, tl, fl);
  if (!isLabel(t)) { b.place(tl); emitNode(b, t); }
  if (!isLabel(f)) { b.place(fl); emitNode(b, f); }
}

function emitWordTest(b: ProgramBuilder, w: WordTest, t: Label, f: Label): void {
  const acc = b.acc;
  // (word & m) == 0 is `jset m` on the word itself: no `and`, and A keeps the whole word for later tests.
  if (w.op === 'eq' && w.value === 0 && w.mask !== FULL) {
    const reusable = acc !== null && acc.offset === w.offset && (w.mask & ~acc.mask) === 0;
    if (!reusable) b.load(w.offset);
    b.jumpIf(BPF_JMP | BPF_JSET | BPF_K, w.mask, f, t);
    return;
  }
  b.loadMasked(w.offset, w.mask);
  const op = w.op === 'eq' ? BPF_JEQ : w.op === 'gt' ? BPF_JGT : BPF_JGE;
  b.jumpIf(BPF_JMP | op | BPF_K, w.value, t, f);
}

/** Two arguments, word by word with X holding the right side: high words decide unless equal, then the low
 * words (only the low words when neither side has high mask bits). `<`/`<=`/`!=` swap the targets. */
function emitArgCompare(b: ProgramBuilder, c: ArgCmp, t: Label, f: Label): void {
  const [op, yes, no] = c.op === '<' ? (['ge', f, t] as const) : c.op === '<=' ? (['gt', f, t] as const)
    : c.op === '!=' ? (['eq', f, t] as const) : c.op === '==' ? (['eq', t, f] as const) : c.op === '>' ? (['gt', t, f] as const) : (['ge', t, f] as const);
  const code = (o: 'eq' | 'gt' | 'ge') => BPF_JMP | (o === 'eq' ? BPF_JEQ : o === 'gt' ? BPF_JGT : BPF_JGE) | BPF_X;
  const word = (high: boolean, o: 'eq' | 'gt' | 'ge', tl: Label, fl: Label) => {
    b.loadMasked(argWordOffset(c.arg2, high), Number(high ? c.mask2 >> 32n : c.mask2 & 0xffffffffn));
    b.emit(stmt(BPF_MISC | BPF_TAX, 0));
    b.loadMasked(argWordOffset(c.arg, high), Number(high ? c.mask >> 32n : c.mask & 0xffffffffn));
    b.jumpIf(code(o), 0, tl, fl);
  };
  if ((c.mask >> 32n) === 0n && (c.mask2 >> 32n) === 0n) return word(false, op, yes, no);
  const low = b.newLabel('low');
  if (op === 'eq') {
    word(true, 'eq', low, no);
  } else {
    // hi > hi2 decides yes; otherwise A and X still hold both high words: equal leaves it to the low words.
    const equal = b.newLabel('hi-eq');
    word(true, 'gt', yes, equal);
    b.place(equal);
    b.jumpIf(code('eq'), 0, low, no);
  }
  b.place(low);
  word(false, op, yes, no);
}
