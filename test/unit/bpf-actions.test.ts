import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { actionToRet, describeRet, retToAction } from '../../src/bpf/actions.js';
import { BpfError } from '../../src/bpf/error.js';
import type { Action } from '../../src/policy/model.js';

const t = suite('bpf/actions');

// Values from linux/seccomp.h.
const CASES: Array<{ action: Action; ret: number; text: string }> = [
  { action: { kind: 'allow' }, ret: 0x7fff0000, text: 'ALLOW' },
  { action: { kind: 'log' }, ret: 0x7ffc0000, text: 'LOG' },
  { action: { kind: 'errno', errno: 0 }, ret: 0x00050000, text: 'ERRNO(0)' },
  { action: { kind: 'errno', errno: 1 }, ret: 0x00050001, text: 'ERRNO(1)' },
  { action: { kind: 'errno', errno: 4095 }, ret: 0x00050fff, text: 'ERRNO(4095)' },
  { action: { kind: 'trap' }, ret: 0x00030000, text: 'TRAP' },
  { action: { kind: 'kill-process' }, ret: 0x80000000, text: 'KILL_PROCESS' },
  { action: { kind: 'kill-thread' }, ret: 0x00000000, text: 'KILL_THREAD' },
  { action: { kind: 'user-notif' }, ret: 0x7fc00000, text: 'USER_NOTIF' },
];
for (const c of CASES) {
  t(`${c.text} encodes as 0x${c.ret.toString(16)} and decodes back`, () => {
    assert.is(actionToRet(c.action), c.ret);
    assert.equal(retToAction(c.ret), c.action);
    assert.is(describeRet(c.ret), c.text);
  });
}

t('ERRNO out of range is refused', () => {
  for (const errno of [4096, -1, 1.5]) {
    assert.throws(() => actionToRet({ kind: 'errno', errno }), (e: unknown) => e instanceof BpfError && e.code === 'bad-action');
  }
});

t('kernel rules for odd return values: errno capped, unknown action kills the process, TRACE has no action', () => {
  assert.equal(retToAction(0x0005ffff), { kind: 'errno', errno: 4095 });
  assert.equal(retToAction(0x12340000), { kind: 'kill-process' });
  assert.is(retToAction(0x7ff00005), undefined);
  assert.is(describeRet(0x7ff00005), 'TRACE(5)');
});

t.run();
