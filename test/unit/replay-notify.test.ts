// The supervisor's pure parts: which returns are rewritten to USER_NOTIF, that the supervisor then carries
// out the original verdict, and how notifications are counted and turned into store observations.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH } from '../../src/abi/arch.js';
import { SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF } from '../../src/abi/seccomp.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import { decodeProgram } from '../../src/bpf/encode.js';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { execute } from '../../src/bpf/interp.js';
import { validate } from '../../src/bpf/validate.js';
import { CallLog, callObservations, callShape, MAX_ARG_SETS } from '../../src/replay/notify-calls.js';
import { defaultVerdict, notifyingProgram, PROBE_NRS, sameVerdict, verdictFor } from '../../src/replay/notify-filter.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { rawFilter, RET_ALLOW, RET_KILL_PROCESS, retErrno } from '../helpers/raw-filter.js';

const t = suite('replay/notify');
const X86 = AUDIT_ARCH.x86_64;
const nr = (name: string): number => syscallNumber('x86_64', name) ?? -1;

const original = validate(decodeProgram(rawFilter('x86_64', [
  { syscall: 'read', ret: RET_ALLOW },
  { syscall: 'getppid', ret: SECCOMP_RET_LOG },
  { syscall: 'mkdir', ret: retErrno(13) },
  { syscall: 'kill', ret: SECCOMP_RET_TRAP },
  { syscall: 'tkill', ret: SECCOMP_RET_KILL_THREAD },
], RET_KILL_PROCESS)));

t('every return the supervisor can carry out notifies; ALLOW, TRAP and KILL_THREAD stay the kernel\'s', () => {
  const notifying = notifyingProgram(original);
  assert.ok(notifying);
  const ret = (name: string, arch = X86) => execute(notifying, { nr: nr(name), arch, args: [] }).verdict >>> 0;
  assert.is(ret('read'), RET_ALLOW);
  assert.is(ret('getppid'), SECCOMP_RET_USER_NOTIF);
  assert.is(ret('mkdir'), SECCOMP_RET_USER_NOTIF);
  assert.is(ret('socket'), SECCOMP_RET_USER_NOTIF, 'the default KILL_PROCESS');
  assert.is(ret('read', AUDIT_ARCH.i386), SECCOMP_RET_USER_NOTIF, 'a foreign arch: KILL_PROCESS, carried out by the supervisor');
  assert.is(ret('kill'), SECCOMP_RET_TRAP);
  assert.is(ret('tkill'), SECCOMP_RET_KILL_THREAD);
});

t('the supervisor does what the original filter says', () => {
  const v = (name: string, arch = X86) => verdictFor(original, { nr: nr(name), arch, args: [0n, 0n, 0n, 0n, 0n, 0n] });
  assert.equal(v('getppid'), { kind: 'continue', action: 'log' }, 'default');
  assert.equal(v('mkdir'), { kind: 'errno', errno: 13 });
  assert.equal(v('socket'), { kind: 'kill' });
  assert.equal(v('read', AUDIT_ARCH.i386), { kind: 'kill' });
});

const PROBE = PROBE_NRS.min + 12345;

t('the default verdict: what the filter answers a call no rule names, per arch', () => {
  // original: getppid LOG, mkdir ERRNO(13), everything else KILL_PROCESS, other arches too.
  assert.equal(defaultVerdict(original, { nr: nr('socket'), arch: X86 }, PROBE), { kind: 'kill' });
  assert.equal(defaultVerdict(original, { nr: 3, arch: AUDIT_ARCH.i386 }, PROBE), { kind: 'kill' });
  const errnoDefault = validate(decodeProgram(rawFilter('x86_64', [{ syscall: 'clone3', ret: retErrno(38) }], retErrno(1))));
  const answer = (nrOf: number) => verdictFor(errnoDefault, { nr: nrOf, arch: X86, args: [0n, 0n, 0n, 0n, 0n, 0n] });
  const isDefault = (nrOf: number) => sameVerdict(answer(nrOf), defaultVerdict(errnoDefault, { nr: nrOf, arch: X86 }, PROBE));
  assert.equal(defaultVerdict(errnoDefault, { nr: nr('mkdir'), arch: X86 }, PROBE), { kind: 'errno', errno: 1 });
  assert.not.ok(isDefault(nr('clone3')), 'a rule answered it');
  assert.ok(isDefault(nr('mkdir')));
  // A compiled policy in log mode: an x32 call gets the foreign-arch action (KILL), which is no rule's answer either.
  const policy = parsePolicy('POLICY p { ERRNO(38) { clone3 } }\nUSE p DEFAULT LOG', 'p.policy');
  const logMode = compilePolicy(resolvePolicy(policy, 'x86_64', { catalog: loadCatalog('default') })).program;
  const logAnswer = (nrOf: number) => verdictFor(logMode, { nr: nrOf, arch: X86, args: [0n, 0n, 0n, 0n, 0n, 0n] });
  const x32 = 0x40000000 | nr('mkdir');
  assert.equal(logAnswer(x32), { kind: 'kill' });
  assert.ok(sameVerdict(logAnswer(x32), defaultVerdict(logMode, { nr: x32, arch: X86 }, PROBE)));
  assert.ok(sameVerdict(logAnswer(nr('mkdir')), defaultVerdict(logMode, { nr: nr('mkdir'), arch: X86 }, PROBE)));
  assert.not.ok(sameVerdict(logAnswer(nr('clone3')), defaultVerdict(logMode, { nr: nr('clone3'), arch: X86 }, PROBE)));
  // A policy that names the probe's number would pass its rule off as the default: the probe is drawn per replay.
  const named = parsePolicy(`ALLOW { SYSCALL[${PROBE}] } DEFAULT KILL`, 'n.policy');
  const namer = compilePolicy(resolvePolicy(named, 'x86_64', { catalog: loadCatalog('default') })).program;
  assert.equal(defaultVerdict(namer, { nr: nr('mkdir'), arch: X86 }, PROBE), { kind: 'continue', action: 'allow' });
  assert.equal(defaultVerdict(namer, { nr: nr('mkdir'), arch: X86 }, PROBE + 1), { kind: 'kill' });
});

t('calls a rule answered are reported apart and never stored as observations', () => {
  const log = new CallLog();
  log.add({ pid: 1, nr: nr('clone3'), arch: X86, args: [0n, 88n, 0n, 0n, 0n, 0n] }, { kind: 'errno', errno: 38 }, 'rule');
  log.add({ pid: 1, nr: nr('mkdir'), arch: X86, args: [0n, 0n, 0n, 0n, 0n, 0n] }, { kind: 'continue', action: 'log' }, 'default');
  assert.equal(log.result().calls.map((c) => [c.name, c.byRule]), [['clone3', true], ['mkdir', false]]);
  assert.equal(callObservations(log.result()).map((o) => o.name), ['mkdir']);
});

t('a filter returning the accumulator cannot be rewritten', () => {
  const retA = validate([{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x16, jt: 0, jf: 0, k: 0 }]);
  assert.is(notifyingProgram(retA), null);
});

t('calls are counted exactly per syscall and verdict, with the first distinct argument tuples', () => {
  const log = new CallLog();
  for (let i = 0; i < 1000; i++) log.add({ pid: 10 + (i % 3), nr: nr('getppid'), arch: X86, args: [BigInt(i), 0n, 0n, 0n, 0n, 0n] }, { kind: 'continue', action: 'log' }, 'default');
  log.add({ pid: 10, nr: nr('mkdir'), arch: X86, args: [1n, 0o755n, 0n, 0n, 0n, 0n] }, { kind: 'errno', errno: 13 }, 'default');
  const r = log.result();
  const ppid = r.calls.find((c) => c.name === 'getppid');
  assert.is(ppid?.count, 1000);
  assert.equal(ppid?.pids, [10, 11, 12]);
  assert.is(ppid?.argSets.length, MAX_ARG_SETS);
  assert.is(ppid?.otherArgCalls, 1000 - MAX_ARG_SETS);
  assert.equal(ppid?.argSets[1], { args: ['0x1', '0x0', '0x0', '0x0', '0x0', '0x0'], count: 1 });
  assert.equal(r.calls.find((c) => c.name === 'mkdir')?.errno, 13);
});

t('store shapes: the constrainable arguments, an int argument by its low word', () => {
  assert.is(callShape('x86_64', 'socket', [0xdead_0000_0002n, 0x80001n, 0n, 7n, 7n, 7n]), '2,524289,0');
  assert.is(callShape('x86_64', 'getppid', [1n]), '');
  assert.is(callShape('x86_64', 'clone3', [0x7ffc_1234_5670n, 88n]), '?', 'clone3\'s register points to its flags: unknown, never the address');
  const log = new CallLog();
  log.add({ pid: 1, nr: nr('socket'), arch: X86, args: [2n, 1n, 0n, 0n, 0n, 0n] }, { kind: 'continue', action: 'log' }, 'default');
  log.add({ pid: 1, nr: nr('socket'), arch: X86, args: [2n, 1n, 0n, 9n, 9n, 9n] }, { kind: 'continue', action: 'log' }, 'default');
  log.add({ pid: 1, nr: 9999, arch: 0x1234, args: [0n, 0n, 0n, 0n, 0n, 0n] }, { kind: 'errno', errno: 38 }, 'default');
  assert.equal(callObservations(log.result()).map((o) => [o.arch, o.name, o.shape, o.count]), [['x86_64', 'socket', '2,1,0', 2]],
    'an arch without tables is left out');
});

t.run();
