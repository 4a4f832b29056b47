// The kernel is the oracle: random policies, every action rewritten to a distinct ERRNO so nothing runs,
// loaded by a probe thread that issues each call and reads the errno back. Kernel == interpreter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH, X32_SYSCALL_BIT, type Arch } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy, expectedAction } from '../../src/bpf/compile.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { execute } from '../../src/bpf/interp.js';
import type { Program } from '../../src/bpf/validate.js';
import type { Action } from '../../src/policy/model.js';
import type { ResolvedPolicy, ResolvedSyscall } from '../../src/policy/resolved.js';
import { syscallName, syscallNumber } from '../../src/syscalls/table.js';
import { BOUNDARY, errnoRewrite, makeRng, policyConstants, randomArgs, randomPolicy, testSeed, type Rng } from '../helpers/bpf-random.js';
import { liveI386 } from '../helpers/ia32.js';
import { buildSeccompProbe, runProbes, type Probe } from '../helpers/seccomp-probe.js';

const t = suite('bpf/kernel-oracle');
const onX86 = process.arch === 'x64' && process.platform === 'linux';
/** int $0x80 reaches the kernel's ia32 entry here; else i386 calls are checked in the interpreter only. */
const i386Live = onX86 && liveI386('bpf/kernel-oracle');
const LOW32 = 0xffffffffn;

/** What the interpreter says the probe returns: -errno of the filter's ERRNO verdict. */
function interpreted(program: Program, probe: Probe, arch: Arch): number {
  const int80 = probe.mode === 'int80';
  const args = int80 ? probe.args.map((a) => a & LOW32) : probe.args;
  const verdict = execute(program, { nr: probe.nr, arch: int80 ? AUDIT_ARCH.i386 : AUDIT_ARCH.x86_64, args }).verdict;
  const action = retToAction(verdict);
  if (action?.kind !== 'errno') throw new Error(`non-errno verdict 0x${verdict.toString(16)} for ${arch}`);
  return -action.errno;
}

// This VM's kernel answers two unallocated x86_64 numbers before seccomp runs (measured with a filter
// that returns ERRNO for everything: 335 raises SIGILL, 336 returns -ENXIO), so they are not probed natively.
const HOST_RESERVED = new Set([335, 336]);

function probesFor(rng: Rng, policy: ResolvedPolicy, count: number): Probe[] {
  const consts = policyConstants(policy);
  const nativeMode = policy.arch === 'i386' ? 'int80' : 'native';
  const out: Probe[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    const nr = r < 0.75 ? rng.pick(policy.syscalls).nr
      : r < 0.9 ? rng.int(500)
      : rng.pick([-1, 0xffffffff, X32_SYSCALL_BIT | rng.int(500), 1000 + rng.int(100000), 0x7fffffff]);
    const args = rng.chance(0.3) ? [0, 1, 2, 3, 4, 5].map(() => rng.pick(BOUNDARY)) : randomArgs(rng, consts);
    // A few calls from the other arch: int $0x80 against an x86_64 filter, syscall(2) against an i386 one.
    const wanted = rng.chance(0.05) ? (nativeMode === 'native' ? 'int80' : 'native') : nativeMode;
    const mode = i386Live ? wanted : 'native';
    if (mode === 'native' && HOST_RESERVED.has(nr)) { i--; continue; }
    out.push({ mode, nr: mode === 'int80' && nr === 0xffffffff ? -1 : nr, args });
  }
  return out;
}

t('kernel verdicts equal the interpreter on >= 10,000 probes over >= 100 random policies', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  const binary = buildSeccompProbe();
  const seed = testSeed('bpf kernel oracle');
  const rng = makeRng(seed);
  let probes = 0;
  let policies = 0;
  for (; policies < 120; policies++) {
    const arch: Arch = policies % 6 === 5 ? 'i386' : 'x86_64';
    const policy = errnoRewrite(randomPolicy(rng, arch));
    const { program } = compilePolicy(policy);
    const list = probesFor(rng, policy, 90);
    const kernel = runProbes(binary, program, list);
    list.forEach((probe, i) => {
      const want = interpreted(program, probe, arch);
      if (kernel[i] !== want) {
        assert.unreachable(`seed ${seed} policy ${policies} (${arch}) probe ${JSON.stringify(probe, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}: kernel ${kernel[i]}, interpreter ${want}\n${disassemble(program, { syscallName })}`);
      }
      // …and the interpreter agrees with the policy's meaning.
      const archValue = probe.mode === 'int80' ? AUDIT_ARCH.i386 : AUDIT_ARCH.x86_64;
      const args = probe.mode === 'int80' ? probe.args.map((a) => a & LOW32) : probe.args;
      const action = expectedAction(policy, archValue, probe.nr, args) as Extract<Action, { kind: 'errno' }>;
      assert.is(-action.errno, want, `seed ${seed} policy ${policies} nr ${probe.nr}`);
    });
    probes += list.length;
  }
  assert.ok(probes >= 10_000 && policies >= 100, `${probes} probes`);
});

t('security probes: other-arch, x32, out-of-table and -1 calls get the foreign-arch/default action', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  const nr = (name: string): number => syscallNumber('x86_64', name)!;
  const allowed = ['writev', 'getpid', 'read', 'write', 'exit_group', 'openat'];
  const OK = 10, DEFAULT = 20, FOREIGN = 30;
  const policy: ResolvedPolicy = {
    arch: 'x86_64',
    defaultAction: { kind: 'errno', errno: DEFAULT },
    foreignArchAction: { kind: 'errno', errno: FOREIGN },
    syscalls: allowed.map((name): ResolvedSyscall => ({ nr: nr(name), name, clauses: [{ when: null, action: { kind: 'errno', errno: OK } }], widths: [64, 64, 64, 64, 64, 64] }))
      .sort((a, b) => a.nr - b.nr),
  };
  const { program } = compilePolicy(policy);
  const cases: Array<{ desc: string; probe: Probe; want: number }> = [
    { desc: 'x86_64 writev (20), the sanity case', probe: { mode: 'native', nr: 20, args: [] }, want: -OK },
    { desc: 'i386 getpid via int $0x80 (nr 20 = x86_64 writev)', probe: { mode: 'int80', nr: 20, args: [] }, want: -FOREIGN },
    { desc: 'i386 nr 39 via int $0x80 (x86_64 getpid)', probe: { mode: 'int80', nr: 39, args: [] }, want: -FOREIGN },
    { desc: 'x32 writev (20 | 0x40000000)', probe: { mode: 'native', nr: 20 | X32_SYSCALL_BIT, args: [] }, want: -FOREIGN },
    { desc: 'x32 read (0x40000000)', probe: { mode: 'native', nr: X32_SYSCALL_BIT, args: [] }, want: -FOREIGN },
    { desc: 'a number above every table', probe: { mode: 'native', nr: 5000, args: [] }, want: -DEFAULT },
    { desc: 'nr -1', probe: { mode: 'native', nr: -1, args: [] }, want: -DEFAULT },
  ];
  for (const c of cases) assert.is(interpreted(program, c.probe, 'x86_64'), c.want, `interpreter: ${c.desc}`);
  const live = cases.filter((c) => i386Live || c.probe.mode !== 'int80');
  const kernel = runProbes(buildSeccompProbe(), program, live.map((c) => c.probe));
  live.forEach((c, i) => assert.is(kernel[i], c.want, c.desc));
});

t('an i386 filter, probed natively via int $0x80', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  const getpid = syscallNumber('i386', 'getpid')!;
  const policy: ResolvedPolicy = {
    arch: 'i386', defaultAction: { kind: 'errno', errno: 21 }, foreignArchAction: { kind: 'errno', errno: 31 },
    syscalls: [{ nr: getpid, name: 'getpid', clauses: [{ when: null, action: { kind: 'errno', errno: 11 } }], widths: [32, 32, 32, 32, 32, 32] }],
  };
  const { program } = compilePolicy(policy);
  const probes: Probe[] = [{ mode: 'int80', nr: getpid, args: [] }, { mode: 'int80', nr: 39, args: [] }, { mode: 'native', nr: getpid, args: [] }];
  assert.equal(probes.map((p) => interpreted(program, p, 'i386')), [-11, -21, -31]);
  const live = probes.filter((p) => i386Live || p.mode !== 'int80');
  assert.equal(runProbes(buildSeccompProbe(), program, live), i386Live ? [-11, -21, -31] : [-31]);
});

t.run();
