// When a recorded clone3 call needs no clone3 grant: its flags are known, clone can take them (no namespace,
// nothing clone3-only), and the policy answers clone3 ENOSYS and lets clone run with them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../src/catalog/parser.js';
import { answerOf, asClone, cloneFlagsOf, fallbackLetsThrough, type AnswerOf } from '../../src/learn/clone3-fallback.js';
import type { Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';

const t = suite('learn/clone3-fallback');

const THREAD = 0x3d0f00n; // pthread_create: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
const SPAWN = 0x4100n; // posix_spawn: VM|VFORK (exit_signal SIGCHLD is a field of its own)
const clone3 = (flags: bigint | null) => ({ name: 'clone3', values: [flags] });

t('flags clone can take: known, no namespace, nothing in the low byte or above bit 31', () => {
  assert.is(cloneFlagsOf(clone3(THREAD)), THREAD);
  assert.is(cloneFlagsOf(clone3(SPAWN)), SPAWN);
  assert.is(cloneFlagsOf(clone3(0n)), 0n);
  for (const flags of [
    null, // not recorded
    THREAD | 0x10000000n, // CLONE_NEWUSER
    0x20000n, // CLONE_NEWNS
    0x40000000n, // CLONE_NEWNET
    0x80n, // CLONE_NEWTIME (clone's exit signal bits)
    0x100000000n, // CLONE_CLEAR_SIGHAND
    0x200000000n | 0x1000n, // CLONE_INTO_CGROUP (crun)
    1n << 63n,
  ]) assert.is(cloneFlagsOf(clone3(flags)), null, String(flags));
  assert.is(cloneFlagsOf({ name: 'clone', values: [THREAD] }), null, 'only clone3');
  assert.is(cloneFlagsOf({ name: 'clone3', values: null }), null);
});

t('asClone: the same call as clone on the same arch, or null', () => {
  const shape = { arch: 'x86_64' as const, nr: 435, name: 'clone3', values: [THREAD], count: 3, runIds: [1, 2] };
  assert.equal(asClone(shape, syscallNumber('x86_64', 'clone')), { arch: 'x86_64', nr: 56, name: 'clone', values: [THREAD], count: 3, runIds: [1, 2] });
  assert.is(asClone({ ...shape, values: [THREAD | 0x10000000n] }, 56), null);
  assert.is(asClone(shape, undefined), null);
});

const ENOSYS: Action = { kind: 'errno', errno: 38 };
const stub = (clone3Answer: Action | null, cloneAnswer: (flags: bigint) => Action | null): AnswerOf =>
  (name, args) => (name === 'clone3' ? clone3Answer : cloneAnswer(args[0]!));

t('let through only when clone3 gets ENOSYS and clone runs with the flags, with and without SIGCHLD', () => {
  const allow: Action = { kind: 'allow' };
  assert.ok(fallbackLetsThrough(clone3(THREAD), stub(ENOSYS, () => allow)));
  assert.ok(fallbackLetsThrough(clone3(THREAD), stub(ENOSYS, () => ({ kind: 'log' }))));
  assert.not.ok(fallbackLetsThrough(clone3(THREAD), stub({ kind: 'errno', errno: 1 }, () => allow)), 'EPERM: glibc does not fall back');
  assert.not.ok(fallbackLetsThrough(clone3(THREAD), stub(null, () => allow)), 'clone3 answer depends on its pointer');
  assert.not.ok(fallbackLetsThrough(clone3(THREAD), stub(allow, () => allow)), 'granted: not by the fallback');
  assert.not.ok(fallbackLetsThrough(clone3(SPAWN), stub(ENOSYS, (f) => (f & 0xffn) === 17n ? { kind: 'kill-process' } : allow)), 'the child\'s SIGCHLD');
  assert.not.ok(fallbackLetsThrough(clone3(THREAD | 0x10000000n), stub(ENOSYS, () => allow)));
  assert.not.ok(fallbackLetsThrough(clone3(null), stub(ENOSYS, () => allow)));
});

t('answerOf a resolved policy: the thread rule of the default catalog lets a thread through, not a child', () => {
  const policy = parsePolicy(`POLICY p {
  ALLOW { clone(flags, stack, ptid, ctid, tls) { (flags & 0x7e030000) == 0x10000 } }
  ERRNO(38) { clone3 }
}
USE p DEFAULT KILL`, 'p.policy');
  const answer = answerOf(resolvePolicy(policy, 'x86_64', { fileName: 'p.policy' }));
  assert.ok(fallbackLetsThrough(clone3(THREAD), answer));
  assert.not.ok(fallbackLetsThrough(clone3(SPAWN), answer), 'a child: not a thread');
  assert.equal(answer('clone', [null]), null, 'a rule reads the unrecorded flags');
  // A clone3 rule reading its pointer cannot be judged from the flags.
  const pointer = parsePolicy('POLICY p { ERRNO(38) { clone3(args) { args != 0 } } ALLOW { clone } }\nUSE p DEFAULT KILL', 'p.policy');
  assert.not.ok(fallbackLetsThrough(clone3(THREAD), answerOf(resolvePolicy(pointer, 'x86_64', { fileName: 'p.policy' }))));
});

t.run();
