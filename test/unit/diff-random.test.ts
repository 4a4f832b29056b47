// Widening vs narrowing on random rule pairs, checked against brute-force evaluation of both rules on many
// sampled argument values. Set DIFF_SEED to replay a run; the seed is printed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareSyscall, permits, verdict } from '../../src/diff/compare-syscall.js';
import { ARG_MASK_ALL, type Action, type CmpOp, type Expr } from '../../src/policy/model.js';
import type { Clause, ResolvedSyscall } from '../../src/policy/resolved.js';
import { argWidth } from '../../src/syscalls/args.js';

const seed = Number(process.env.DIFF_SEED ?? Date.now() % 2 ** 31);
console.log(`diff-random: DIFF_SEED=${seed}`);
let state = seed >>> 0;
function rnd(n: number): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let x = state;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
const rnd64 = (): bigint => (BigInt(rnd(2 ** 31)) << 33n) ^ (BigInt(rnd(2 ** 31)) << 16n) ^ BigInt(rnd(2 ** 31));

const VALUES = [0n, 1n, 2n, 3n, 5n, 10n, 16n, 0x800n, 0x801n, 0x80000n, 0x7fffffffn, 0xffffffffn, 1n << 32n, 1n << 63n, ARG_MASK_ALL];
const MASKS = [0xfn, 0x7ffn, 0x80000n, 0x80800n, 0xff00n, 0xffffffffn, 0xffffffff00000000n, 0x3n];
const OPS: CmpOp[] = ['==', '!=', '<', '<=', '>', '>='];
const ACTIONS: Action[] = [{ kind: 'allow' }, { kind: 'errno', errno: 1 }, { kind: 'kill-process' }, { kind: 'log' }];

function randomAtom(): Expr {
  const r = rnd(10);
  const mask = r < 5 ? ARG_MASK_ALL : r < 9 ? pick(MASKS) : rnd64();
  const value = rnd(4) === 0 ? rnd64() & mask : pick(VALUES) & (rnd(3) === 0 ? ARG_MASK_ALL : mask);
  return { kind: 'cmp', arg: rnd(3), mask, op: pick(OPS), value };
}

function randomExpr(depth: number): Expr {
  if (depth === 0 || rnd(3) === 0) return randomAtom();
  const k = rnd(3);
  if (k === 0) return { kind: 'not', expr: randomExpr(depth - 1) };
  const items = Array.from({ length: 2 + rnd(2) }, () => randomExpr(depth - 1));
  return { kind: k === 1 ? 'and' : 'or', items };
}

function randomClauses(): Clause[] {
  const n = 1 + rnd(3);
  const clauses: Clause[] = Array.from({ length: n }, () => ({ when: randomExpr(2), action: pick(ACTIONS) }));
  if (rnd(3) === 0) clauses.push({ when: null, action: pick(ACTIONS) });
  return clauses;
}

function sampleValue(expr: readonly bigint[]): bigint {
  switch (rnd(6)) {
    case 0: return rnd64();
    case 1: return BigInt(rnd(40));
    case 2: { const v = pick(expr); return (v + BigInt(rnd(3)) - 1n) & ARG_MASK_ALL; }
    case 3: return pick(expr) | pick(expr) | (rnd(2) ? 0n : BigInt(rnd(16)));
    case 4: return pick(expr) | (rnd64() << 32n) & ARG_MASK_ALL; // garbage in the high word
    default: return pick(expr) ^ (1n << BigInt(rnd(64)));
  }
}

function constantsOf(e: Expr | null, out: bigint[]): void {
  if (e === null) return;
  if (e.kind === 'cmp') out.push(e.value, e.mask, e.value | ~e.mask & ARG_MASK_ALL);
  else if (e.kind === 'and' || e.kind === 'or') e.items.forEach((i) => constantsOf(i, out));
  else if (e.kind === 'not') constantsOf(e.expr, out);
}

const t = suite('diff/random widening vs narrowing');

for (const syscall of ['socket', 'mmap'] as const) {
  t(`${syscall}: 400 random rule pairs agree with brute force`, () => {
    const widths = [0, 1, 2, 3, 4, 5].map((i) => argWidth('x86_64', syscall, i));
    let exactCount = 0;
    for (let round = 0; round < 400; round++) {
      const entry = (clauses: Clause[]): ResolvedSyscall => ({ nr: 0, name: syscall, clauses, widths });
      const oldC = randomClauses();
      const newC = randomClauses();
      const oldDefault = pick(ACTIONS);
      const newDefault = rnd(2) ? oldDefault : pick(ACTIONS);
      const v = compareSyscall(entry(oldC), oldDefault, entry(newC), newDefault);
      if (v.exact) exactCount++;
      const p = (args: readonly bigint[]) => permits(verdict(oldC, oldDefault, args, widths));
      const q = (args: readonly bigint[]) => permits(verdict(newC, newDefault, args, widths));
      const where = `seed ${seed} round ${round}`;
      for (const w of v.widened) assert.ok(!p(w) && q(w), `false widening witness (${where})`);
      for (const n of v.narrowed) assert.ok(p(n) && !q(n), `false narrowing witness (${where})`);
      const pool: bigint[] = [0n, ARG_MASK_ALL];
      for (const c of [...oldC, ...newC]) constantsOf(c.when, pool);
      for (let s = 0; s < 1500; s++) {
        const args = [sampleValue(pool), sampleValue(pool), sampleValue(pool), 0n, 0n, 0n];
        const before = p(args);
        const after = q(args);
        const text = `args ${args.slice(0, 3).map((a) => `0x${a.toString(16)}`).join(',')} (${where}, exact=${v.exact})`;
        if (before) assert.ok(v.oldAny, `old allows ${text} but the diff says never`);
        if (after) assert.ok(v.newAny, `new allows ${text} but the diff says never`);
        if (!before && after) assert.ok(v.widened.length > 0, `missed widening at ${text}`);
        if (before && !after) assert.ok(v.narrowed.length > 0, `missed narrowing at ${text}`);
      }
    }
    assert.ok(exactCount > 200, `most random pairs should be decided exactly (${exactCount}/400)`);
  });
}

t.run();
