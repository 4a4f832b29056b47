// The generated argument types (src/syscalls/data/args.ts from the kernel's SYSCALL_DEFINE signatures) and
// how they reach the policy's meaning: a deny rule on an int argument cannot be dodged through its high word.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARCHES } from '../../src/abi/arch.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { decide } from '../../src/policy/eval.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { ARGS_KERNEL } from '../../src/syscalls/data/args.js';
import { argSigned, argWidth, paramCount, widthMask } from '../../src/syscalls/args.js';
import { syscallNames, syscallNumber } from '../../src/syscalls/table.js';

const t = suite('syscalls/args');

// [arch, syscall, index, width, signed]: one or more per C type, checked against the kernel declarations.
const SAMPLES = [
  ['x86_64', 'dup', 0, 32, false], // unsigned int
  ['x86_64', 'openat', 0, 32, true], // int dfd
  ['x86_64', 'openat', 3, 16, false], // umode_t
  ['x86_64', 'kill', 0, 32, true], // pid_t
  ['x86_64', 'setuid', 0, 32, false], // uid_t
  ['x86_64', 'setgid', 0, 32, false], // gid_t
  ['x86_64', 'clock_gettime', 0, 32, true], // clockid_t
  ['x86_64', 'timer_gettime', 0, 32, true], // timer_t
  ['x86_64', 'mq_notify', 0, 32, true], // mqd_t
  ['x86_64', 'keyctl', 0, 32, true], // int option
  ['x86_64', 'request_key', 3, 32, true], // key_serial_t
  ['x86_64', 'quotactl', 2, 32, false], // qid_t
  ['x86_64', 'preadv2', 5, 32, true], // rwf_t
  ['x86_64', 'io_destroy', 0, 64, false], // aio_context_t
  ['x86_64', 'write', 2, 64, false], // size_t
  ['x86_64', 'pread64', 3, 64, true], // loff_t
  ['x86_64', 'lseek', 1, 64, true], // off_t
  ['x86_64', 'read', 1, 64, false], // a pointer
  ['x86_64', 'mmap', 2, 64, false], // unsigned long (x86's own sys_mmap)
  ['x86_64', 'futex', 2, 32, false], // u32
  ['x86_64', 'fanotify_mark', 2, 64, false], // __u64
  ['x86_64', 'cachestat', 3, 32, false], // newer than 6.1: from the later signatures
  ['aarch64', 'personality', 0, 32, false], // arm64's own wrapper
  ['aarch64', 'dup3', 2, 32, true],
  ['aarch64', 'fchmodat', 2, 16, false],
  ['i386', 'setuid', 0, 16, false], // setuid16(old_uid_t)
  ['i386', 'setuid32', 0, 32, false],
  ['i386', 'ioctl', 2, 32, false], // compat_ulong_t
  ['i386', 'lseek', 1, 32, true], // compat_off_t
  ['i386', 'read', 2, 32, false], // size_t in a 32-bit register
  ['i386', 'pread64', 3, 32, false], // u32 poslo of ia32_pread64
] as const;

for (const [arch, name, index, width, signed] of SAMPLES) {
  t(`${arch} ${name} arg${index}: ${signed ? 'signed' : 'unsigned'} ${width}-bit`, () => {
    assert.is(argWidth(arch, name, index), width);
    assert.is(argSigned(arch, name, index), signed);
  });
}

t('every syscall with an entry point has its parameters; unknown ones compare the whole register', () => {
  for (const arch of ARCHES) {
    const withTypes = syscallNames(arch).filter((n) => paramCount(arch, n) !== undefined);
    assert.ok(withTypes.length > syscallNames(arch).length * 0.9, `${arch}: ${withTypes.length} of ${syscallNames(arch).length}`);
  }
  assert.is(paramCount('x86_64', 'getpid'), 0);
  assert.is(paramCount('x86_64', 'mmap'), 6);
  assert.is(paramCount('x86_64', 'afs_syscall'), undefined); // sys_ni_syscall
  assert.is(argWidth('x86_64', 'no_such_call', 0), 64);
  assert.is(argWidth('x86_64', 'dup', 3), 64); // beyond its parameters
  assert.is(argWidth('i386', 'no_such_call', 0), 32);
  assert.is(ARGS_KERNEL, '6.1.192');
});

t('the hand-kept widths the generated data replaces all agree with it', () => {
  const OLD: Record<string, number[]> = {
    socket: [32, 32, 32], socketpair: [32, 32, 32, 64], personality: [32], prctl: [32, 64, 64, 64, 64], ioctl: [32, 32, 64],
    fcntl: [32, 32, 64], kill: [32, 32], tkill: [32, 32], tgkill: [32, 32, 32], setsockopt: [32, 32, 32, 64, 32],
    getsockopt: [32, 32, 32, 64, 64], accept4: [32, 64, 64, 32], futex: [64, 32, 32, 64, 64, 32], madvise: [64, 64, 32],
    clock_gettime: [32, 64], setns: [32, 32], getrandom: [64, 64, 32], bpf: [32, 64, 32], keyctl: [32, 64, 64, 64, 64],
    seccomp: [32, 32, 64], sendto: [32, 64, 64, 32, 64, 32], recvfrom: [32, 64, 64, 32, 64, 64], sendmsg: [32, 64, 32],
    recvmsg: [32, 64, 32], pipe2: [64, 32], eventfd2: [32, 32], epoll_create1: [32], wait4: [32, 64, 32, 64], dup3: [32, 32, 32], close: [32],
  };
  for (const [name, widths] of Object.entries(OLD)) {
    for (const arch of ['x86_64', 'aarch64'] as const) {
      assert.equal(widths.map((_, i) => argWidth(arch, name, i)), widths, `${arch} ${name}`);
    }
  }
  // openat's mode was 32 there: umode_t is 16 bits.
  assert.equal([0, 1, 2, 3].map((i) => argWidth('x86_64', 'openat', i)), [32, 64, 32, 16]);
});

t('the committed tables and args.ts are what the generator makes of the headers and signatures.txt', () => {
  // --no-kernel: the signatures against a kernel source are checked by `npm run check:syscalls` where one is installed
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/gen-syscalls.js', '--check', '--no-kernel'], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

t('widthMask', () => {
  assert.is(widthMask(16), 0xffffn);
  assert.is(widthMask(32), 0xffffffffn);
  assert.is(widthMask(64), (1n << 64n) - 1n);
});

t('ERRNO(13) { dup(fd) { fd == 0 } }: dup(0x100000000) is denied (the kernel reads fd 0)', () => {
  const policy = resolvePolicy(parsePolicy('POLICY p { ERRNO(13) { dup(fd) { fd == 0 } } } USE p DEFAULT ALLOW', 't.policy'), 'x86_64');
  const dup = syscallNumber('x86_64', 'dup')!;
  assert.equal(decide(policy, dup, [0x1_0000_0000n]), { kind: 'errno', errno: 13 });
  assert.equal(decide(policy, dup, [0xdead_beef_0000_0000n]), { kind: 'errno', errno: 13 });
  assert.equal(decide(policy, dup, [1n]), { kind: 'allow' });
});

t('a umode_t rule matches whatever bits 16..63 hold; a uid_t rule on i386 setuid16 too', () => {
  const chmod = resolvePolicy(parsePolicy('POLICY p { ERRNO(1) { fchmod(fd, mode) { mode == 0x9ed } } } USE p DEFAULT ALLOW', 't.policy'), 'x86_64');
  assert.equal(decide(chmod, syscallNumber('x86_64', 'fchmod')!, [3n, 0x7_0000_09edn]), { kind: 'errno', errno: 1 });
  const setuid = resolvePolicy(parsePolicy('POLICY p { ERRNO(1) { setuid(uid) { uid == 0 } } } USE p DEFAULT ALLOW', 't.policy'), 'i386');
  assert.equal(decide(setuid, syscallNumber('i386', 'setuid')!, [0x1_0000n]), { kind: 'errno', errno: 1 });
});

t.run();
