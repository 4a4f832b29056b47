// Seeded random policies with argument rules, and the argument values worth probing, for the BPF
// property tests (interpreter vs decide()) and the kernel oracle (kernel vs interpreter).
import type { Arch } from '../../src/abi/arch.js';
import type { Action, CmpOp, Expr } from '../../src/policy/model.js';
import type { Clause, ResolvedPolicy, ResolvedSyscall } from '../../src/policy/resolved.js';
import { argWidth } from '../../src/syscalls/args.js';
import { maxSyscallNumber, syscallName } from '../../src/syscalls/table.js';

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function makeRng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const u32 = (): bigint => BigInt(int(0x100000000));
  const u64 = (): bigint => (u32() << 32n) | u32();
  return { next, int, pick, u32, u64, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof makeRng>;

const M64 = (1n << 64n) - 1n;
export const BOUNDARY: readonly bigint[] = [
  0n, 1n, 2n, 0x7fn, 0x7ffn, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 32n) + 1n, 1n << 63n, M64, M64 - 1n,
  0xffffffff00000000n, 0x0000000100000001n,
];

const OPS: readonly CmpOp[] = ['==', '!=', '<', '<=', '>', '>='];
const ACTIONS: readonly Action[] = [
  { kind: 'allow' }, { kind: 'log' }, { kind: 'errno', errno: 1 }, { kind: 'errno', errno: 4095 }, { kind: 'trap' },
  { kind: 'kill-process' }, { kind: 'kill-thread' }, { kind: 'user-notif' },
];

function randomValue(rng: Rng, near: readonly bigint[]): bigint {
  const r = rng.int(6);
  if (r === 0) return rng.u64();
  if (r === 1) return rng.u32();
  if (r === 2 && near.length > 0) return (rng.pick(near) + BigInt(rng.int(3) - 1)) & M64;
  if (r === 3 && near.length > 0) return (rng.pick(near) ^ (rng.u32() << 32n)) & M64; // same low word, other high word
  return rng.pick(BOUNDARY);
}

function randomMask(rng: Rng): bigint {
  return rng.pick([M64, M64, M64, 0x7ffn, 0xffn, 0x4n, 1n << 40n, 0xffffffff00000000n, rng.u64(), rng.u32()]);
}

export function randomExpr(rng: Rng, depth = 0): Expr {
  const r = rng.int(10);
  if (depth < 3 && r < 2) return { kind: rng.chance(0.5) ? 'and' : 'or', items: [randomExpr(rng, depth + 1), randomExpr(rng, depth + 1), ...(rng.chance(0.3) ? [randomExpr(rng, depth + 1)] : [])] };
  if (depth < 3 && r === 2) return { kind: 'not', expr: randomExpr(rng, depth + 1) };
  if (r === 3 && rng.chance(0.2)) return { kind: rng.chance(0.5) ? 'true' : 'false' };
  return { kind: 'cmp', arg: rng.int(6), mask: randomMask(rng), op: rng.pick(OPS), value: randomValue(rng, []) };
}

/** A random policy over `arch` with unconditional and argument-checked syscalls and random actions. */
export function randomPolicy(rng: Rng, arch: Arch = 'x86_64'): ResolvedPolicy {
  const max = maxSyscallNumber(arch);
  const count = 1 + rng.int(rng.chance(0.2) ? 200 : 40);
  const nrs = new Set<number>();
  const base = rng.int(max);
  for (let i = 0; i < count; i++) nrs.add(rng.chance(0.5) ? (base + i) % (max + 1) : rng.int(max + 1));
  const mainAction = rng.pick(ACTIONS);
  const syscalls: ResolvedSyscall[] = [...nrs].sort((a, b) => a - b).map((nr) => {
    const name = syscallName(arch, nr) ?? `nr${nr}`;
    const clauses: Clause[] = [];
    if (rng.chance(0.3)) for (let c = rng.int(3); c >= 0; c--) clauses.push({ when: randomExpr(rng), action: rng.pick(ACTIONS) });
    if (clauses.length === 0 || rng.chance(0.6)) clauses.push({ when: null, action: rng.chance(0.7) ? mainAction : rng.pick(ACTIONS) });
    return { nr, name, clauses, widths: [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, name, i)) };
  });
  return { arch, defaultAction: rng.pick(ACTIONS), foreignArchAction: rng.pick(ACTIONS), syscalls };
}

/** Constants a policy compares with: probing around them finds off-by-one and high-word mistakes. */
export function policyConstants(policy: ResolvedPolicy): bigint[] {
  const out: bigint[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'cmp') out.push(e.value, e.mask & e.value, e.value | ~e.mask & M64);
    else if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    else if (e.kind === 'not') walk(e.expr);
  };
  for (const s of policy.syscalls) for (const c of s.clauses) if (c.when) walk(c.when);
  return out;
}

/** Six argument values: boundaries, values around the policy's constants, and random ones. */
export function randomArgs(rng: Rng, near: readonly bigint[]): bigint[] {
  return [0, 1, 2, 3, 4, 5].map(() => randomValue(rng, near));
}

/** The same policy with every action (default and foreign-arch too) replaced by a distinct ERRNO. */
export function errnoRewrite(policy: ResolvedPolicy, first = 100): ResolvedPolicy {
  const ids = new Map<string, number>();
  const map = (a: Action): Action => {
    const key = JSON.stringify(a);
    if (!ids.has(key)) ids.set(key, first + ids.size);
    return { kind: 'errno', errno: ids.get(key)! };
  };
  return {
    ...policy,
    defaultAction: map(policy.defaultAction),
    foreignArchAction: map(policy.foreignArchAction),
    syscalls: policy.syscalls.map((s) => ({ ...s, clauses: s.clauses.map((c) => ({ ...c, action: map(c.action) })) })),
  };
}

/** A seed from the environment (BPF_SEED) or the clock, printed so a failure can be replayed. */
export function testSeed(label: string): number {
  const seed = process.env.BPF_SEED !== undefined ? Number(process.env.BPF_SEED) : Date.now() % 1_000_000_007;
  console.log(`${label}: seed ${seed} (rerun with BPF_SEED=${seed})`);
  return seed;
}
