// Pure replay pieces: the loader wire format, the native exec block, outcomes and exit codes, modes,
// and the execve pre-check on C's interpreter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SECCOMP_RET_LOG } from '../../src/abi/seccomp.js';
import type { ResolvedPolicy } from '../../src/policy/resolved.js';
import { packExecBlock } from '../../src/replay/exec-block.js';
import { filterAllowsExecve } from '../../src/replay/execve-check.js';
import { applyReplayMode } from '../../src/replay/modes.js';
import { classifyEnd, describeOutcome, replayExitCode, type RawEnd } from '../../src/replay/outcome.js';
import { armedWaitAddr, decodeReply, decodeRequestBody, encodeArmed, encodeFailure, encodeRequest, requestBodyLength } from '../../src/replay/request.js';
import { RET_KILL_PROCESS, rawFilter, retErrno } from '../helpers/raw-filter.js';

const wire = suite('replay/request');

wire('a request survives the length-prefixed encoding', () => {
  const req = { argv: ['prog', 'ä b', ''], env: ['A=1', 'B=x=y'], nofileSoft: 1024, filter: rawFilter('x86_64', []), supervised: true };
  const bytes = encodeRequest(req);
  assert.is(requestBodyLength(bytes.subarray(0, 4)), bytes.length - 4);
  assert.equal(decodeRequestBody(bytes.subarray(4)), req);
});

wire('replies: armed and silent means exec’d, nothing at all means the loader died first', () => {
  assert.is(decodeReply(encodeArmed().toString(), 'exited with status 0'), null);
  assert.is(decodeReply(encodeArmed(0x7f00_1234n).toString(), 'exited with status 0'), null, 'a supervised loader says where it waits');
  assert.is(armedWaitAddr(encodeArmed(0x7f00_1234n).toString()), 0x7f00_1234n);
  assert.is(armedWaitAddr(encodeArmed().toString()), null);
  assert.equal(decodeReply('', 'exited with status 1'), { reason: 'setup', message: 'the loader exited with status 1 before starting the target' });
  const f = { reason: 'not-found' as const, message: 'x: command not found' };
  assert.equal(decodeReply(encodeFailure(f).toString(), 'exited with status 127'), f);
  const late = { reason: 'not-executable' as const, message: 'x: execve failed under the filter: E2BIG' };
  assert.equal(decodeReply(`${encodeArmed()}${encodeFailure(late)}`, 'exited with status 126'), late);
  assert.equal(decodeReply('Segmentation fault\n', ''), { reason: 'setup', message: 'Segmentation fault' });
  assert.equal(decodeReply('{"reason":"bogus","message":"m"}', ''), { reason: 'setup', message: '{"reason":"bogus","message":"m"}' });
});
wire.run();

const block = suite('replay/exec-block');

block('path, argv, envp and sock_fprog point into the block at the given base', () => {
  const filter = rawFilter('x86_64', []);
  const base = 0x10000n;
  const { bytes, layout } = packExecBlock({ path: '/bin/ls', argv: ['ls', '-l'], env: ['A=1'], filter }, base);
  const buf = Buffer.from(bytes);
  const cstr = (addr: bigint): string => {
    const at = Number(addr - base);
    return buf.subarray(at, buf.indexOf(0, at)).toString();
  };
  const ptrs = (at: number): bigint[] => {
    const out: bigint[] = [];
    for (let p = buf.readBigUInt64LE(at); p !== 0n; p = buf.readBigUInt64LE((at += 8))) out.push(p);
    return out;
  };
  assert.is(layout.size, bytes.length);
  assert.is(cstr(base + BigInt(layout.path)), '/bin/ls');
  assert.equal(ptrs(layout.argv).map(cstr), ['ls', '-l']);
  assert.equal(ptrs(layout.env).map(cstr), ['A=1']);
  assert.is(layout.argv % 8, 0);
  assert.is(buf.readUInt16LE(layout.prog), filter.length / 8);
  const filterAt = Number(buf.readBigUInt64LE(layout.prog + 8) - base);
  assert.equal(new Uint8Array(buf.subarray(filterAt, filterAt + filter.length)), filter);
});
block.run();

const outcome = suite('replay/outcome');
const end = (code: number | null, signal: NodeJS.Signals | null): RawEnd => ({ code, signal, failure: null });

const CASES: Array<{ name: string; end: RawEnd; launcher: 'loader' | 'bwrap'; kind: string; exit: number }> = [
  { name: 'exit 0', end: end(0, null), launcher: 'loader', kind: 'exited', exit: 0 },
  { name: 'exit 3', end: end(3, null), launcher: 'loader', kind: 'exited', exit: 3 },
  { name: 'loader: SIGSYS', end: end(null, 'SIGSYS'), launcher: 'loader', kind: 'seccomp-killed', exit: 159 },
  { name: 'loader: SIGSEGV', end: end(null, 'SIGSEGV'), launcher: 'loader', kind: 'signaled', exit: 139 },
  { name: 'loader: exit 159 is an exit', end: end(159, null), launcher: 'loader', kind: 'exited', exit: 159 },
  { name: 'bwrap: exit 159 is SIGSYS', end: end(159, null), launcher: 'bwrap', kind: 'seccomp-killed', exit: 159 },
  { name: 'bwrap: exit 137 is SIGKILL', end: end(137, null), launcher: 'bwrap', kind: 'signaled', exit: 137 },
  { name: 'bwrap: exit 128 is an exit', end: end(128, null), launcher: 'bwrap', kind: 'exited', exit: 128 },
  { name: 'bwrap: exit 200 is an exit', end: end(200, null), launcher: 'bwrap', kind: 'exited', exit: 200 },
  { name: 'not found', end: { code: 127, signal: null, failure: { reason: 'not-found', message: 'm' } }, launcher: 'loader', kind: 'not-started', exit: 127 },
  { name: 'execve denied', end: { code: 126, signal: null, failure: { reason: 'execve-denied', message: 'm' } }, launcher: 'loader', kind: 'not-started', exit: 126 },
  { name: 'setup', end: { code: null, signal: 'SIGSYS', failure: { reason: 'setup', message: 'm' } }, launcher: 'loader', kind: 'not-started', exit: 125 },
];
for (const c of CASES) {
  outcome(c.name, () => {
    const o = classifyEnd(c.end, c.launcher);
    assert.is(o.kind, c.kind);
    assert.is(replayExitCode(o), c.exit);
    assert.type(describeOutcome(o), 'string');
  });
}
outcome('signals are named', () => {
  assert.equal(classifyEnd(end(null, 'SIGTERM'), 'loader'), { kind: 'signaled', signal: 15, name: 'SIGTERM' });
  assert.is(describeOutcome(classifyEnd(end(null, 'SIGTERM'), 'loader')), 'killed by SIGTERM');
});
outcome.run();

const modes = suite('replay/modes');
const POLICY: ResolvedPolicy = {
  arch: 'x86_64',
  defaultAction: { kind: 'kill-process' },
  foreignArchAction: { kind: 'kill-process' },
  syscalls: [{ nr: 0, name: 'read', clauses: [{ when: null, action: { kind: 'errno', errno: 5 } }], widths: [32, 64, 64] }],
};
modes('enforce keeps the policy; log and errno change only the default action', () => {
  assert.is(applyReplayMode(POLICY, 'enforce'), POLICY);
  assert.equal(applyReplayMode(POLICY, 'log'), { ...POLICY, defaultAction: { kind: 'log' } });
  assert.equal(applyReplayMode(POLICY, 'errno'), { ...POLICY, defaultAction: { kind: 'errno', errno: 1 } });
  assert.equal(POLICY.defaultAction, { kind: 'kill-process' }, 'the input is not mutated');
});
modes.run();

const execve = suite('replay/execve-check');
execve('the interpreter tells whether execve gets through', () => {
  assert.equal(filterAllowsExecve(rawFilter('x86_64', [{ syscall: 'getppid', ret: RET_KILL_PROCESS }]), 'x86_64'), { allowed: true });
  assert.equal(filterAllowsExecve(rawFilter('x86_64', [], SECCOMP_RET_LOG), 'x86_64'), { allowed: true });
  assert.equal(filterAllowsExecve(rawFilter('x86_64', [{ syscall: 'execve', ret: retErrno(1) }]), 'x86_64'), { allowed: false, action: 'ERRNO(1)' });
  assert.equal(filterAllowsExecve(rawFilter('x86_64', [{ syscall: 'execve', ret: RET_KILL_PROCESS }]), 'x86_64'), { allowed: false, action: 'KILL_PROCESS' });
  assert.equal(filterAllowsExecve(rawFilter('aarch64', []), 'x86_64'), { allowed: false, action: 'KILL_PROCESS' }, 'a filter for another arch');
  assert.equal(filterAllowsExecve(rawFilter('aarch64', [{ syscall: 'execve', ret: retErrno(2) }]), 'aarch64'), { allowed: false, action: 'ERRNO(2)' });
});
execve('a filter the kernel would refuse throws with the instruction at fault', () => {
  assert.throws(() => filterAllowsExecve(new Uint8Array(8), 'x86_64'), /instruction 0/);
});
execve.run();
