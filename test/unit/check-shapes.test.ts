// learn check's core on C's compiler and interpreter: recorded shapes against small hand-written policies,
// including argument rules, values the recording lacks, and calls from another arch.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Arch } from '../../src/abi/arch.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import type { Program } from '../../src/bpf/validate.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { checkShapes, deniedSyscalls, type CheckShape } from '../../src/replay/check.js';

const t = suite('check/shapes');

const POLICY = `
POLICY p {
  ALLOW { read, exit_group, ioctl, socket(domain, type, protocol) { domain == 1 } }
  ALLOW { write(fd, buf, count) { fd == 1 } }
  ERRNO(1) { mkdir }
}
USE p DEFAULT KILL
`;

function filterFor(arch: Arch): Program {
  return compilePolicy(resolvePolicy(parsePolicy(POLICY, 'p.policy', { arch }), arch, { fileName: 'p.policy' })).program;
}
const perArch = new Map<Arch, Program>();
const eachArch = (arch: Arch): Program => perArch.get(arch) ?? perArch.set(arch, filterFor(arch)).get(arch)!;

const shape = (name: string, nr: number, shapeKey = '', count = 1, arch: Arch = 'x86_64'): CheckShape =>
  ({ arch, nr, name, shape: shapeKey, count, firstRaw: `first ${name}` });

t('allowed calls pass, others are listed with what the filter returns', () => {
  const r = checkShapes([shape('read', 0, '', 5), shape('mkdir', 83, '', 2), shape('openat', 257), shape('exit_group', 231)], eachArch);
  assert.is(r.shapes, 4);
  assert.is(r.calls, 9);
  assert.equal(r.denied.map((d) => [d.name, d.count, d.action, d.firstRaw]), [
    ['mkdir', 2, 'ERRNO(1)', 'first mkdir'],
    ['openat', 1, 'KILL_PROCESS', 'first openat'],
  ]);
  assert.equal(r.undetermined, []);
});

t('argument values from the shape key decide argument rules', () => {
  const r = checkShapes([shape('socket', 41, '1,1,0'), shape('socket', 41, '2,1,0', 3), shape('socket', 41, '10,526337,0')], eachArch);
  assert.equal(r.denied.map((d) => [d.shape, d.count]), [['2,1,0', 3], ['10,526337,0', 1]]);
  assert.equal(deniedSyscalls(r), [{ arch: 'x86_64', name: 'socket', calls: 4 }]);
});

t('a value the recording lacks is undetermined only when the verdict depends on it', () => {
  const r = checkShapes([
    shape('socket', 41, '?,1,0'), // domain unknown, and the rule reads it
    shape('write', 1), // fd never recorded, and the rule reads it
    shape('ioctl', 16, '?'), // request unknown, but ioctl is allowed whatever its arguments
  ], eachArch);
  assert.equal(r.denied, []);
  assert.equal(r.undetermined.map((u) => [u.name, u.unknown]), [['socket', [0, 3, 4, 5]], ['write', [0, 1, 2, 3, 4, 5]]]);
});

t('numbers without a name in our tables are reported apart: no policy can name them', () => {
  const r = checkShapes([shape('syscall_0x1f4', 500), shape('read', 0)], eachArch);
  assert.equal(r.denied, []);
  assert.equal(r.unnamed.map((u) => [u.name, u.nr, u.action]), [['syscall_0x1f4', 500, 'KILL_PROCESS']]);
});

t('each arch against its own filter, or every call against one', () => {
  const i386Read = shape('read', 3, '', 1, 'i386');
  assert.equal(checkShapes([i386Read], eachArch).denied, []);
  const x86Only = filterFor('x86_64');
  assert.equal(checkShapes([i386Read], () => x86Only).denied.map((d) => d.action), ['KILL_PROCESS'], 'the foreign-arch action');
});

const THREADS = `
POLICY threads {
  ALLOW { clone(flags, stack, ptid, ctid, tls) { (flags & 0x7e030000) == 0x10000 } }
  ERRNO(38) { clone3 }
}
USE threads DEFAULT KILL
`;
const compiled = (text: string) => compilePolicy(resolvePolicy(parsePolicy(text, 't.policy', { arch: 'x86_64' }), 'x86_64', { fileName: 't.policy' })).program;

t('clone3 answered ENOSYS passes when clone runs with its recorded flags (glibc falls back to it)', () => {
  const threads = compiled(THREADS);
  const r = checkShapes([
    shape('clone3', 435, String(0x3d0f00), 4), // pthread_create's flags: clone allows threads
    shape('clone3', 435, String(0x4100)), // posix_spawn's: a child, which clone does not allow here
    shape('clone3', 435, String(0x3d0f00 | 0x10000000)), // with CLONE_NEWUSER: clone cannot make it
    shape('clone3', 435, '?'), // flags not recorded
  ], () => threads);
  assert.equal(r.denied.map((d) => [d.shape, d.action]), [['16640', 'ERRNO(38)'], ['272436992', 'ERRNO(38)'], ['?', 'ERRNO(38)']]);
  // EPERM instead: glibc does not fall back, the thread is not started
  assert.equal(checkShapes([shape('clone3', 435, String(0x3d0f00))], () => compiled(THREADS.replace('ERRNO(38)', 'ERRNO(1)'))).denied.length, 1);
});

t('clone3\'s recorded flags are never taken for its register', () => {
  // A rule comparing clone3's pointer with the flags' value must not pass the call.
  const odd = compiled('POLICY p { ALLOW { clone3(args) { args == 0x3d0f00 } } }\nUSE p DEFAULT KILL');
  const r = checkShapes([shape('clone3', 435, String(0x3d0f00))], () => odd);
  assert.equal(r.denied.map((d) => [d.name, d.action]), [['clone3', 'KILL_PROCESS']], 'probed as an unknown pointer');
});

t.run();
