// Differential test of the policy language against a reference written here, independently of src/: random
// policies in the subset Kafel and we share (rule order, USE in place, overlapping conditions, 64-bit
// constants, masks, comma lists, implicit names) are printed to text by this file's own printer; the
// reference evaluates this file's own syntax tree the way Kafel's README and grammar describe; our side
// parses the text, resolves it and decides, and also runs the compiled filter in the BPF interpreter.
// Argument widths are data (argWidth), not semantics, and are shared.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import { execute } from '../../src/bpf/interp.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { decide } from '../../src/policy/eval.js';
import type { Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { argWidth, type ArgWidth } from '../../src/syscalls/args.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { makeRng, testSeed, type Rng } from '../helpers/bpf-random.js';

const t = suite('kafel/differential');

// ---- the reference: a syntax tree, its text, and Kafel's meaning of it ----

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Cond =
  | { readonly k: 'cmp'; readonly arg: number; readonly mask: bigint | null; readonly op: Op; readonly value: bigint; readonly flip: boolean }
  /** Two arguments of the same width compared (Kafel loads a 32-bit argument's high word too when the other
   * side is 64-bit, so mixed widths are not shared semantics). */
  | { readonly k: 'cmp2'; readonly arg: number; readonly mask: bigint | null; readonly op: Op; readonly arg2: number }
  | { readonly k: 'and' | 'or' | 'list'; readonly items: readonly Cond[] }
  | { readonly k: 'not'; readonly c: Cond };
interface RuleT { readonly syscall: string; readonly named: boolean; readonly cond: Cond | null }
type EntryT = { readonly k: 'use'; readonly name: string } | { readonly k: 'block'; readonly action: string; readonly rules: readonly RuleT[] };
interface PolicyT { readonly defs: ReadonlyMap<string, readonly EntryT[]>; readonly top: readonly EntryT[]; readonly fallback: string | null }

const SYSCALLS = ['read', 'write', 'fcntl', 'mmap', 'kill', 'getpid'];
const ACTIONS = ['ALLOW', 'LOG', 'ERRNO(1)', 'ERRNO(2)', 'ERRNO(3)', 'KILL', 'KILL_THREAD', 'DENY', 'TRAP(7)'];
const M64 = (1n << 64n) - 1n;
const PARAMS = ['a', 'b', 'c'];

const width = (syscall: string, arg: number): ArgWidth => argWidth('x86_64', syscall, arg);
/** The bits of an argument the kernel reads, from its width alone (independent of the code under test). */
const bits = (syscall: string, arg: number): bigint => (1n << BigInt(width(syscall, arg))) - 1n;

function constantsFor(rng: Rng, syscall: string, arg: number, pool: readonly bigint[]): bigint {
  const v = rng.pick(pool);
  return v & bits(syscall, arg);
}

function randomCond(rng: Rng, syscall: string, pool: readonly bigint[], depth: number): Cond {
  const r = rng.next();
  if (depth <= 0 || r < 0.45) {
    const arg = rng.int(3);
    const same = [0, 1, 2].filter((a) => a !== arg && width(syscall, a) === width(syscall, arg));
    if (same.length > 0 && rng.chance(0.15)) {
      const mask = rng.chance(0.3) ? (rng.pick([0xffn, 0xff00ff00n]) as bigint) : null;
      return { k: 'cmp2', arg, mask, op: rng.pick(['==', '!=', '<', '<=', '>', '>='] as const), arg2: rng.pick(same) };
    }
    const limit = bits(syscall, arg);
    const mask = rng.chance(0.25) ? (rng.pick([0xffn, 0x7ffn, 0xf0f0n, 0xffffffff00000000n, 0x1_0000_00ffn]) & limit) : null;
    return { k: 'cmp', arg, mask, op: rng.pick(['==', '!=', '<', '<=', '>', '>='] as const), value: constantsFor(rng, syscall, arg, pool), flip: rng.chance(0.2) };
  }
  if (r < 0.55) return { k: 'not', c: randomCond(rng, syscall, pool, depth - 1) };
  const items = Array.from({ length: 2 + rng.int(3) }, () => randomCond(rng, syscall, pool, depth - 1));
  return { k: rng.pick(['and', 'or', 'list'] as const), items };
}

function randomPolicy(rng: Rng): PolicyT {
  const pool = [0n, 1n, 2n, 3n, 0xffn, 0x100n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x100000001n, 0xffffffff00000000n, M64, rng.u64(), rng.u32()];
  const rules = (): RuleT[] => Array.from({ length: 1 + rng.int(3) }, () => {
    const syscall = rng.pick(SYSCALLS);
    return { syscall, named: rng.chance(0.5), cond: rng.chance(0.6) ? randomCond(rng, syscall, pool, 3) : null };
  });
  const body = (earlier: readonly string[]): EntryT[] => Array.from({ length: 1 + rng.int(4) }, (): EntryT =>
    earlier.length > 0 && rng.chance(0.35) ? { k: 'use', name: rng.pick(earlier) } : { k: 'block', action: rng.pick(ACTIONS), rules: rules() });
  const defs = new Map<string, EntryT[]>();
  for (let i = 0, n = rng.int(5); i < n; i++) defs.set(`P${i}`, body([...defs.keys()]));
  return { defs, top: body([...defs.keys()]), fallback: rng.chance(0.85) ? rng.pick(ACTIONS) : null };
}

function condText(c: Cond, syscall: string, named: boolean): string {
  switch (c.k) {
    case 'cmp': {
      const name = named ? PARAMS[c.arg]! : `arg${c.arg}`;
      const lhs = c.mask === null ? name : `(${name} & 0x${c.mask.toString(16)})`;
      const value = rngHexOrDec(c.value);
      if (!c.flip) return `${lhs} ${c.op} ${value}`;
      const flipped: Record<Op, Op> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
      return `${value} ${flipped[c.op]} ${lhs}`;
    }
    case 'cmp2': {
      const name = (a: number) => (named ? PARAMS[a]! : `arg${a}`);
      return `${c.mask === null ? name(c.arg) : `(${name(c.arg)} & 0x${c.mask.toString(16)})`} ${c.op} ${name(c.arg2)}`;
    }
    case 'not': return `!(${condText(c.c, syscall, named)})`;
    case 'and': return c.items.map((i) => `(${condText(i, syscall, named)})`).join(' && ');
    case 'or': return c.items.map((i) => `(${condText(i, syscall, named)})`).join(' || ');
    case 'list': return c.items.map((i) => `(${condText(i, syscall, named)})`).join(', ');
  }
}

function rngHexOrDec(v: bigint): string {
  // Hex, decimal and octal spellings of the same value.
  if (v % 3n === 0n) return `0x${v.toString(16)}`;
  if (v % 3n === 1n || v === 0n) return v.toString();
  return `0${v.toString(8)}`;
}

function entriesText(entries: readonly EntryT[]): string {
  return entries.map((e) => e.k === 'use' ? `USE ${e.name}` : `${e.action} { ${e.rules.map((r) => {
    if (r.cond === null) return r.syscall;
    return `${r.syscall}${r.named ? `(${PARAMS.join(', ')})` : ''} { ${condText(r.cond, r.syscall, r.named)} }`;
  }).join(', ')} }`).join(',\n  ');
}

function policyText(p: PolicyT): string {
  let out = '';
  for (const [name, body] of p.defs) out += `POLICY ${name} {\n  ${entriesText(body)}\n}\n`;
  out += `${entriesText(p.top)}\n`;
  if (p.fallback !== null) out += `DEFAULT ${p.fallback}\n`;
  return out;
}

/** Kafel: USE pastes the body where it stands, a POLICY once; the first rule naming the call whose
 * condition holds decides; 32-bit arguments are their low word; no DEFAULT means KILL. */
function referenceDecide(p: PolicyT, syscall: string, args: readonly bigint[]): string {
  const used = new Set<string>();
  const flat: { syscall: string; cond: Cond | null; action: string }[] = [];
  const expand = (entries: readonly EntryT[]): void => {
    for (const e of entries) {
      if (e.k === 'block') {
        for (const r of e.rules) flat.push({ syscall: r.syscall, cond: r.cond, action: e.action });
      } else if (!used.has(e.name)) {
        used.add(e.name);
        expand(p.defs.get(e.name)!);
      }
    }
  };
  expand(p.top);
  const holds = (c: Cond): boolean => {
    switch (c.k) {
      case 'cmp': {
        const limit = bits(syscall, c.arg);
        const x = (args[c.arg] ?? 0n) & limit & (c.mask ?? M64);
        const v = c.value;
        return c.op === '==' ? x === v : c.op === '!=' ? x !== v : c.op === '<' ? x < v : c.op === '<=' ? x <= v : c.op === '>' ? x > v : x >= v;
      }
      case 'cmp2': {
        const side = (a: number) => (args[a] ?? 0n) & bits(syscall, a);
        const x = side(c.arg) & (c.mask ?? M64);
        const v = side(c.arg2);
        return c.op === '==' ? x === v : c.op === '!=' ? x !== v : c.op === '<' ? x < v : c.op === '<=' ? x <= v : c.op === '>' ? x > v : x >= v;
      }
      case 'not': return !holds(c.c);
      case 'and': return c.items.every(holds);
      case 'or':
      case 'list': return c.items.some(holds);
    }
  };
  for (const r of flat) if (r.syscall === syscall && (r.cond === null || holds(r.cond))) return r.action;
  return p.fallback ?? 'KILL';
}

/** The reference's action words as our Action values (KILL is ours: kill-process; DENY/KILL_THREAD kill the thread). */
function actionOf(word: string): Action {
  if (word.startsWith('ERRNO(')) return { kind: 'errno', errno: Number(word.slice(6, -1)) };
  if (word.startsWith('TRAP(')) return { kind: 'trap', data: Number(word.slice(5, -1)) };
  const words: Record<string, Action> = {
    ALLOW: { kind: 'allow' }, LOG: { kind: 'log' }, KILL: { kind: 'kill-process' }, KILL_THREAD: { kind: 'kill-thread' }, DENY: { kind: 'kill-thread' },
  };
  return words[word]!;
}

function collectValues(c: Cond | null, into: bigint[]): void {
  if (c === null) return;
  if (c.k === 'cmp') into.push(c.value, c.value + 1n, c.value - 1n);
  else if (c.k === 'cmp2') return;
  else if (c.k === 'not') collectValues(c.c, into);
  else for (const i of c.items) collectValues(i, into);
}

function randomArgs(rng: Rng, p: PolicyT): bigint[] {
  const values: bigint[] = [0n];
  for (const body of [p.top, ...p.defs.values()]) for (const e of body) if (e.k === 'block') for (const r of e.rules) collectValues(r.cond, values);
  return [0, 1, 2, 3, 4, 5].map(() => {
    let v = rng.chance(0.8) ? rng.pick(values) : rng.u64();
    // High-word garbage on a 32-bit argument must not matter.
    if (rng.chance(0.2)) v |= rng.u32() << 32n;
    return v & M64;
  });
}

// ---- the comparison ----

const POLICIES = 600;
const CALLS = 20;

t(`>= 10,000 random (policy, call) pairs: our evaluator and compiled filter agree with the reference`, () => {
  const seed = testSeed('kafel differential');
  const rng = makeRng(seed);
  let pairs = 0;
  let conditional = 0;
  for (let i = 0; i < POLICIES; i++) {
    const p = randomPolicy(rng);
    const text = policyText(p);
    const ours = resolvePolicy(parsePolicy(text, 'random.policy'), 'x86_64');
    const { program } = compilePolicy(ours);
    for (let k = 0; k < CALLS; k++) {
      const syscall = rng.pick(SYSCALLS);
      const args = randomArgs(rng, p);
      const want = actionOf(referenceDecide(p, syscall, args));
      const nr = syscallNumber('x86_64', syscall)!;
      const where = `seed ${seed} policy ${i} ${syscall}(${args.map((a) => `0x${a.toString(16)}`).join(', ')})\n${text}`;
      assert.equal(decide(ours, nr, args), want, `evaluator: ${where}`);
      assert.equal(retToAction(execute(program, { nr, arch: AUDIT_ARCH.x86_64, args }).verdict), want, `filter: ${where}`);
      pairs++;
    }
    conditional += ours.syscalls.filter((s) => s.clauses.some((c) => c.when !== null)).length;
  }
  assert.ok(pairs >= 10_000, `${pairs} pairs`);
  assert.ok(conditional > POLICIES, `the generator made only ${conditional} argument-checked syscalls`);
});

t.run();
