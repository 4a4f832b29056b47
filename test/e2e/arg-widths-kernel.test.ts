// The generated argument widths, proved in the kernel for a sample of each C type: a filter compiled from a
// rule on the argument, probed with garbage in the bits above the type's width (every action an ERRNO, so
// nothing runs), gives the verdict the interpreter and the policy's meaning give; and the syscalls
// themselves (harmless ones, unfiltered) ignore those bits, which is why the filter must too.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH, type Arch } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy, expectedAction } from '../../src/bpf/compile.js';
import { execute } from '../../src/bpf/interp.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import type { Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { argWidth } from '../../src/syscalls/args.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { errnoRewrite } from '../helpers/bpf-random.js';
import { buildSeccompProbe, runProbes, type Probe } from '../helpers/seccomp-probe.js';

const t = suite('syscalls/arg-widths-kernel');
const onX86 = process.arch === 'x64' && process.platform === 'linux';
const MATCH = 13;
const DEFAULT = 99;

/** [syscall, argument index, the value the rule compares with, the bits the kernel reads] — one or more per C type. */
type Sample = readonly [string, number, bigint, 16 | 32 | 64];
const X86_64: readonly Sample[] = [
  ['dup', 0, 0n, 32], // unsigned int
  ['openat', 0, 0xffffff9cn, 32], // int (AT_FDCWD's low word)
  ['fchmod', 1, 0x9edn, 16], // umode_t
  ['kill', 0, 1n, 32], // pid_t
  ['setuid', 0, 0n, 32], // uid_t
  ['setgid', 0, 0n, 32], // gid_t
  ['clock_gettime', 0, 1n, 32], // clockid_t
  ['timer_gettime', 0, 0n, 32], // timer_t
  ['mq_notify', 0, 3n, 32], // mqd_t
  ['keyctl', 0, 2n, 32], // int option
  ['request_key', 3, 5n, 32], // key_serial_t
  ['quotactl', 2, 0n, 32], // qid_t
  ['preadv2', 5, 1n, 32], // rwf_t
  ['futex', 2, 7n, 32], // u32
  ['io_destroy', 0, 1n, 64], // aio_context_t: 64-bit
  ['write', 2, 4n, 64], // size_t: 64-bit
  ['pread64', 3, 0n, 64], // loff_t: 64-bit
  ['read', 1, 0x1000n, 64], // a pointer: 64-bit
];
const I386: readonly Sample[] = [
  ['setuid', 0, 0n, 16], // setuid16: old_uid_t, 16-bit
  ['setuid32', 0, 0n, 32], // uid_t
  ['chmod', 1, 0x1edn, 16], // umode_t
  ['dup', 0, 0n, 32],
];

function policyFor(arch: Arch, samples: readonly Sample[]) {
  const params = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
  const rules = samples.map(([name, index, value]) => `${name}(${params.slice(0, index + 1).join(', ')}) { a${index} == 0x${value.toString(16)} }`);
  const text = `POLICY p { ERRNO(${MATCH}) { ${rules.join(', ')} } } USE p DEFAULT ERRNO(${DEFAULT})`;
  return errnoRewrite(resolvePolicy(parsePolicy(text, 'widths.policy'), arch), 200);
}

/** A probe per sample: its value with garbage in every bit above the argument's width (none for a 64-bit one: then in bit 40). */
function probes(arch: Arch, samples: readonly Sample[]): Array<{ probe: Probe; matches: boolean; desc: string }> {
  return samples.map(([name, index, value, width]) => {
    assert.is(argWidth(arch, name, index), width, `${arch} ${name} arg${index}`);
    const garbage = width === 64 ? 1n << 40n : (0xdeadbeefn << BigInt(width)) & ((1n << 64n) - 1n);
    const args = [0n, 0n, 0n, 0n, 0n, 0n];
    args[index] = value | garbage;
    const probe: Probe = { mode: arch === 'i386' ? 'int80' : 'native', nr: syscallNumber(arch, name)!, args };
    return { probe, matches: width < 64, desc: `${arch} ${name} arg${index} (${width}-bit) = 0x${args[index]!.toString(16)}` };
  });
}

function check(arch: Arch, samples: readonly Sample[]): void {
  const policy = policyFor(arch, samples);
  const { program } = compilePolicy(policy);
  const cases = probes(arch, samples);
  const kernel = runProbes(buildSeccompProbe(), program, cases.map((c) => c.probe));
  const auditArch = AUDIT_ARCH[arch];
  // errnoRewrite renumbered the actions: the rule's and the default's errno as compiled
  const ruleErrno = (nr: number): number => (policy.syscalls.find((s) => s.nr === nr)!.clauses[0]!.action as { errno: number }).errno;
  const defaultErrno = (policy.defaultAction as { errno: number }).errno;
  cases.forEach(({ probe, matches, desc }, i) => {
    // an i386 process's registers are 32 bits: that is what seccomp_data holds
    const args = probe.mode === 'int80' ? probe.args.map((a) => a & 0xffffffffn) : probe.args;
    const interpreted = retToAction(execute(program, { nr: probe.nr, arch: auditArch, args }).verdict);
    const meant = expectedAction(policy, auditArch, probe.nr, args) as Action;
    assert.is(kernel[i], -(interpreted as { errno: number }).errno, `kernel vs interpreter: ${desc}`);
    assert.equal(interpreted, meant, `interpreter vs policy: ${desc}`);
    assert.is(kernel[i], -(matches ? ruleErrno(probe.nr) : defaultErrno), `verdict: ${desc}`);
  });
}

t('x86_64: a rule on each sampled type matches whatever the bits above its width hold; 64-bit ones compare all', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  check('x86_64', X86_64);
});

/** Whether `int $0x80` reaches seccomp here (kernels without an ia32 entry kill the caller with SIGSEGV). */
function ia32Entry(): boolean {
  try {
    const program = compilePolicy(policyFor('i386', [['dup', 0, 0n, 32]])).program;
    runProbes(buildSeccompProbe(), program, [{ mode: 'int80', nr: syscallNumber('i386', 'getpid')!, args: [] }]);
    return true;
  } catch {
    return false;
  }
}

t('i386 via int $0x80: the 16-bit uids of setuid16 and umode_t, 32-bit registers', () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  if (!ia32Entry()) return console.log('skipped: this kernel has no ia32 entry (int $0x80 faults)');
  check('i386', I386);
});

t('the kernel reads only the low word of int arguments: dup, kill, clock_gettime, setuid, with garbage high words', async () => {
  if (!onX86) return console.log('skipped: needs an x86_64 Linux kernel');
  const koffi = (await import('koffi')).default;
  const libc = koffi.load('libc.so.6');
  // glibc's syscall() takes longs; six of them cover every call here
  const syscall = libc.func('long syscall(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)') as
    (nr: number, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint, f: bigint) => number;
  const call = (name: string, ...args: bigint[]): number => {
    const a = [...args, 0n, 0n, 0n, 0n, 0n, 0n];
    return Number(syscall(syscallNumber('x86_64', name)!, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!));
  };
  const HIGH = 0xdead_beef_0000_0000n;
  const dir = mkdtempSync(join(tmpdir(), 'learn-widths-'));
  const fd = openSync(join(dir, 'f'), 'w');
  try {
    const copy = call('dup', BigInt(fd) | HIGH);
    assert.ok(copy > fd, `dup(fd | high word) duplicated fd ${fd}: ${copy}`);
    closeSync(copy);
    assert.is(call('kill', BigInt(process.pid) | HIGH, 0n), 0, 'kill(pid | high word, 0) reached this process');
    const ts = Buffer.alloc(16);
    assert.is(call('clock_gettime', 1n | HIGH, koffi.address(ts) as bigint), 0, 'clock_gettime(CLOCK_MONOTONIC | high word)');
    assert.is(call('setuid', BigInt(process.getuid!()) | HIGH), 0, 'setuid(own uid | high word)');
    // …while a 64-bit parameter keeps its high word: lseek to 2^32 lands at 2^32, not 0
    assert.is(call('lseek', BigInt(fd), 1n << 32n, 0n), 2 ** 32);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
