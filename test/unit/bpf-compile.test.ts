import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH, X32_SYSCALL_BIT, type Arch } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy, expectedAction } from '../../src/bpf/compile.js';
import { accumulatorWords, disassemble } from '../../src/bpf/disasm.js';
import { BpfError } from '../../src/bpf/error.js';
import { execute } from '../../src/bpf/interp.js';
import { BPF_ABS, BPF_LD, BPF_W } from '../../src/bpf/insn.js';
import type { Program } from '../../src/bpf/validate.js';
import type { Action, Expr } from '../../src/policy/model.js';
import type { Clause, ResolvedPolicy } from '../../src/policy/resolved.js';
import { argWidth } from '../../src/syscalls/args.js';
import { syscallName, syscallNumber } from '../../src/syscalls/table.js';
import { BOUNDARY, makeRng, policyConstants, randomArgs, randomPolicy, testSeed } from '../helpers/bpf-random.js';

const t = suite('bpf/compile');

const ALLOW: Action = { kind: 'allow' };
const KILL: Action = { kind: 'kill-process' };
const EPERM: Action = { kind: 'errno', errno: 1 };
const M64 = (1n << 64n) - 1n;

function policyOf(arch: Arch, rules: Record<string, Clause[]>, defaultAction: Action = KILL, foreign: Action = KILL): ResolvedPolicy {
  const syscalls = Object.entries(rules).map(([name, clauses]) => {
    const nr = syscallNumber(arch, name);
    if (nr === undefined) throw new Error(`${name} on ${arch}`);
    return { nr, name, clauses, widths: [0, 1, 2, 3, 4, 5].map((i) => argWidth(arch, name, i)) };
  }).sort((a, b) => a.nr - b.nr);
  return { arch, defaultAction, foreignArchAction: foreign, syscalls };
}

const cmp = (arg: number, op: '==' | '!=' | '<' | '<=' | '>' | '>=', value: bigint, mask = M64): Expr => ({ kind: 'cmp', arg, op, value, mask });

function actionOf(program: Program, arch: number, nr: number, args: bigint[] = []): Action | undefined {
  return retToAction(execute(program, { nr, arch, args }).verdict);
}

const SOCKET: Expr = {
  kind: 'and', items: [
    cmp(1, '==', 1n, 0x7ffn), cmp(2, '==', 0n),
    { kind: 'or', items: [cmp(0, '==', 2n), cmp(0, '==', 10n)] },
  ],
};

const SPEC_POLICY = policyOf('x86_64', {
  read: [{ when: null, action: ALLOW }],
  write: [{ when: null, action: ALLOW }],
  getpid: [{ when: null, action: { kind: 'log' } }],
  socket: [{ when: SOCKET, action: ALLOW }],
  mmap: [{ when: cmp(2, '==', 4n, 4n), action: EPERM }, { when: null, action: ALLOW }],
  lseek: [{ when: cmp(1, '>=', 1n << 32n), action: EPERM }, { when: null, action: ALLOW }],
  mincore: [{ when: null, action: { kind: 'errno', errno: 38 } }],
}, KILL, { kind: 'trap' });

const X86 = AUDIT_ARCH.x86_64;
const SPECS: Array<{ desc: string; arch?: number; nr: number; args?: bigint[]; want: Action }> = [
  { desc: 'read allowed', nr: 0, want: ALLOW },
  { desc: 'getpid logged', nr: 39, want: { kind: 'log' } },
  { desc: 'ptrace killed', nr: 101, want: KILL },
  { desc: 'mincore errno 38', nr: 27, want: { kind: 'errno', errno: 38 } },
  { desc: 'socket tcp inet', nr: 41, args: [2n, 1n, 0n], want: ALLOW },
  { desc: 'socket tcp with SOCK_CLOEXEC', nr: 41, args: [10n, 1n | 0x80000n, 0n], want: ALLOW },
  { desc: 'socket: 32-bit type ignores the high word', nr: 41, args: [2n, (5n << 32n) | 1n, 0n], want: ALLOW },
  { desc: 'socket udp', nr: 41, args: [2n, 2n, 0n], want: KILL },
  { desc: 'socket unix', nr: 41, args: [1n, 1n, 0n], want: KILL },
  { desc: 'mmap PROT_EXEC', nr: 9, args: [0n, 4096n, 7n], want: EPERM },
  { desc: 'mmap rw', nr: 9, args: [0n, 4096n, 3n], want: ALLOW },
  { desc: 'lseek below 2^32', nr: 8, args: [3n, (1n << 32n) - 1n], want: ALLOW },
  { desc: 'lseek at 2^32', nr: 8, args: [3n, 1n << 32n], want: EPERM },
  { desc: 'lseek 2^64-1', nr: 8, args: [3n, M64], want: EPERM },
  { desc: 'i386 getpid (20) is not x86_64 writev', arch: AUDIT_ARCH.i386, nr: 20, want: { kind: 'trap' } },
  { desc: 'x32 read', nr: X32_SYSCALL_BIT | 0, want: { kind: 'trap' } },
  { desc: 'x32 top', nr: 0xfffffffe, want: { kind: 'trap' } },
  { desc: 'nr -1 gets the default', nr: -1, want: KILL },
  { desc: 'above every table', nr: 5000, want: KILL },
];

const { program: SPEC_PROGRAM } = compilePolicy(SPEC_POLICY);
for (const s of SPECS) {
  t(`spec: ${s.desc}`, () => {
    const got = actionOf(SPEC_PROGRAM, s.arch ?? X86, s.nr, s.args);
    assert.equal(got, s.want, disassemble(SPEC_PROGRAM, { syscallName }));
    assert.equal(got, expectedAction(SPEC_POLICY, s.arch ?? X86, s.nr, s.args ?? []));
  });
}

t('shape: arch is loaded and checked first, then nr', () => {
  const p = SPEC_PROGRAM;
  assert.equal([p[0]!.code, p[0]!.k], [BPF_LD | BPF_W | BPF_ABS, 4]);
  assert.equal([p[1]!.code, p[1]!.k], [0x15, X86]);
  assert.equal([p[2]!.code, p[2]!.k], [BPF_LD | BPF_W | BPF_ABS, 0]);
});

t('syscalls without argument rules reach their verdict reading only nr and arch (action cache)', () => {
  for (const nr of [0, 1, 39, 27, 101, 300, X32_SYSCALL_BIT | 1, 0xffffffff]) {
    const r = execute(SPEC_PROGRAM, { nr, arch: X86, args: [1n, 2n, 3n] });
    assert.is(r.readArgs, false, `nr ${nr}`);
  }
  assert.is(execute(SPEC_PROGRAM, { nr: 41, arch: X86 }).readArgs, true);
});

t('no word is reloaded while A already holds it', () => {
  const { program } = compilePolicy(SPEC_POLICY);
  const words = accumulatorWords(program);
  program.forEach((insn, pc) => {
    if (insn.code === (BPF_LD | BPF_W | BPF_ABS)) assert.ok(words[pc] !== insn.k, `reload at ${pc}\n${disassemble(program)}`);
  });
});

t('every arch: its own AUDIT_ARCH, and no x32 range outside x86_64', () => {
  for (const arch of ['i386', 'aarch64'] as const) {
    const policy = policyOf(arch, { getpid: [{ when: null, action: ALLOW }], read: [{ when: null, action: ALLOW }] });
    const { program } = compilePolicy(policy);
    assert.equal(actionOf(program, AUDIT_ARCH[arch], syscallNumber(arch, 'getpid')!), ALLOW);
    assert.equal(actionOf(program, X86, syscallNumber(arch, 'getpid')!), KILL);
    assert.equal(actionOf(program, AUDIT_ARCH[arch], X32_SYSCALL_BIT | 3), KILL);
  }
});

t('an empty policy still checks the arch and closes every path with the default', () => {
  const { program } = compilePolicy({ arch: 'x86_64', defaultAction: EPERM, foreignArchAction: KILL, syscalls: [] });
  assert.equal(actionOf(program, X86, 0), EPERM);
  assert.equal(actionOf(program, AUDIT_ARCH.i386, 0), KILL);
  assert.equal(actionOf(program, X86, 0x40000000), KILL);
  assert.equal(actionOf(program, X86, -1), EPERM);
  assert.ok(program.length <= 7, disassemble(program));
});

t('ERRNO above 4095 is refused', () => {
  const policy = policyOf('x86_64', { read: [{ when: null, action: { kind: 'errno', errno: 4096 } }] });
  assert.throws(() => compilePolicy(policy), (e: unknown) => e instanceof BpfError && e.code === 'bad-action');
});

t('a policy needing more than 4096 instructions is refused with a clear error', () => {
  const rng = makeRng(7);
  const many: Record<string, Clause[]> = {};
  for (const name of ['read', 'write', 'openat', 'close', 'ioctl', 'mmap', 'lseek', 'pread64', 'pwrite64', 'fcntl']) {
    many[name] = Array.from({ length: 120 }, () => ({ when: cmp(rng.int(6), '==', rng.u64()), action: ALLOW }));
  }
  assert.throws(() => compilePolicy(policyOf('x86_64', many)), (e: unknown) => e instanceof BpfError && e.code === 'too-long' && /4096/.test(e.message));
});

t('far targets get trampolines and keep their meaning', () => {
  const rng = makeRng(11);
  const rules: Record<string, Clause[]> = {};
  for (const name of ['read', 'write', 'openat', 'lseek', 'mmap']) {
    rules[name] = Array.from({ length: 40 }, (_, i) => ({ when: cmp(i % 6, '==', rng.u64()), action: { kind: 'errno', errno: i + 1 } }));
  }
  const policy = policyOf('x86_64', rules);
  const { program, stats } = compilePolicy(policy);
  assert.ok(program.length > 300 && stats.trampolines > 0, `${program.length} insns, ${stats.trampolines} trampolines`);
  const consts = policyConstants(policy);
  for (let i = 0; i < 2000; i++) {
    const nr = rng.pick(policy.syscalls).nr;
    const args = randomArgs(rng, consts);
    assert.equal(actionOf(program, X86, nr, args), expectedAction(policy, X86, nr, args));
  }
});

t('property: interpreter verdict == decide() on random policies and boundary arguments', () => {
  const seed = testSeed('bpf-compile property');
  const rng = makeRng(seed);
  let probes = 0;
  for (let n = 0; n < 300; n++) {
    const arch = rng.pick(['x86_64', 'x86_64', 'i386', 'aarch64'] as const);
    const policy = randomPolicy(rng, arch);
    const { program } = compilePolicy(policy);
    const consts = policyConstants(policy);
    for (let i = 0; i < 60; i++) {
      const nr = rng.chance(0.8) ? rng.pick(policy.syscalls).nr : rng.pick([rng.int(600), -1, X32_SYSCALL_BIT | rng.int(600), 0x7fffffff]);
      const args = rng.chance(0.3) ? [0, 1, 2, 3, 4, 5].map(() => rng.pick(BOUNDARY)) : randomArgs(rng, consts);
      const archValue = rng.chance(0.05) ? AUDIT_ARCH.i386 + rng.int(2) : AUDIT_ARCH[arch];
      const want = expectedAction(policy, archValue, nr, args);
      const got = actionOf(program, archValue, nr, args);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        assert.unreachable(`seed ${seed} policy ${n}: nr ${nr} args ${args.map((a) => `0x${a.toString(16)}`).join(',')}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}\n${disassemble(program, { syscallName })}`);
      }
      probes++;
    }
  }
  assert.ok(probes >= 18000);
});

// The range-tree figures the issue sets as targets, and libseccomp 2.5.4's -O2 figures for the same lists.
const LISTS: Array<{ list: string; length: number; max: number; mean: number }> = [
  { list: 'true', length: 25, max: 9, mean: 13 /* libseccomp's max path */ },
  { list: 'nginx', length: 61, max: 11, mean: 10.0 },
  { list: 'system-service', length: 49, max: 10, mean: 10.0 },
];
for (const c of LISTS) {
  t(`benchmark list ${c.list}: at most ${c.length} instructions, max path ${c.max}, mean ${c.mean}`, () => {
    const text = readFileSync(new URL(`../../../bench/lists/${c.list}.txt`, import.meta.url), 'utf8');
    const nrs = [...new Set(text.split('\n').map((s) => syscallNumber('x86_64', s.trim())).filter((n): n is number => n !== undefined))];
    const rules = Object.fromEntries(nrs.map((nr) => [syscallName('x86_64', nr)!, [{ when: null, action: ALLOW }]]));
    const { program } = compilePolicy(policyOf('x86_64', rules));
    const steps = nrs.map((nr) => execute(program, { nr, arch: X86 }).steps);
    const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
    assert.ok(program.length <= c.length, `length ${program.length}`);
    assert.ok(Math.max(...steps) <= c.max, `max ${Math.max(...steps)}`);
    assert.ok(mean <= c.mean, `mean ${mean}`);
  });
}

t.run();
