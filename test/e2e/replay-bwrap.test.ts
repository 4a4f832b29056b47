// The bwrap launcher on the real kernel, with the loader's checks where they apply (bwrap sets PWD, and
// reports a death by signal as exit 128+N).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchWithBwrap } from '../../src/replay/launch-bwrap.js';
import type { LaunchOptions } from '../../src/replay/launch.js';
import { hostArch } from '../../src/replay/native.js';
import { classifyEnd, replayExitCode } from '../../src/replay/outcome.js';
import { RET_KILL_PROCESS, rawFilter, retErrno } from '../helpers/raw-filter.js';
import { bwrapUsable } from '../helpers/bwrap.js';
import { collect, LEAKED_FD, runDriver } from '../helpers/replay-run.js';
import { buildStateProbe, parseProbe } from '../helpers/state-probe.js';

const t = suite('replay/bwrap');
const it = bwrapUsable('replay/bwrap') ? t : t.skip;

const probe = buildStateProbe();
const arch = hostArch();
const ERRNO7_GETPPID = rawFilter(arch, [{ syscall: 'getppid', ret: retErrno(7) }]);
const ENV = { PATH: '/usr/bin:/bin', REPLAY_A: 'one' };
const run = (over: Partial<LaunchOptions>) =>
  collect(launchWithBwrap({ filter: ERRNO7_GETPPID, argv: [probe, 'getppid'], env: ENV, nofileSoft: 1000, cwd: '/tmp', stdio: ['pipe', 'pipe', 'pipe'], ...over }));

it('the target runs under the filter with default signals, clean fds and the invoker limit', async () => {
  const { end, stdout } = await run({});
  assert.equal(classifyEnd(end, 'bwrap'), { kind: 'exited', code: 0 });
  const s = parseProbe(stdout);
  assert.is(s.getppidErrno, 7);
  assert.equal(s.nonDefaultSignals, []);
  assert.is(s.blocked, '0');
  assert.equal(s.fd, { 0: 'open', 1: 'open', 2: 'open' });
  assert.equal(s.extraFds, [], 'the filter fd is closed');
  assert.equal(s.env, ['PATH=/usr/bin:/bin', 'REPLAY_A=one', 'PWD=/tmp'], 'the requested environment plus the PWD bwrap sets');
  assert.is(s.noNewPrivs, 1);
  assert.is(s.seccomp, 2);
  assert.is(s.nofileSoft, 1000);
});

it('spawned with an IPC channel and a leaked fd: neither reaches the target', async () => {
  const r = await runDriver('bwrap', [probe]);
  const s = parseProbe(r.stdout);
  assert.equal(r.end, { code: 0, signal: null, failure: null });
  assert.ok(!s.extraFds.includes(LEAKED_FD), `fd ${LEAKED_FD} is not inherited`);
  assert.equal(s.extraFds, []);
  assert.equal(s.fd, { 0: 'open', 1: 'open', 2: 'open' });
  assert.ok(!s.env.some((e) => e.startsWith('NODE_CHANNEL')), 'no NODE_CHANNEL_FD');
  assert.equal(s.env.filter((e) => !e.startsWith('PWD=')), r.env.filter((e) => !e.startsWith('PWD=')));
});

it('KILL_PROCESS on a harmless call: bwrap reports exit 159, read back as seccomp-killed', async () => {
  const { end, stdout } = await run({ filter: rawFilter(arch, [{ syscall: 'getppid', ret: RET_KILL_PROCESS }]) });
  assert.is(stdout, '');
  assert.equal({ code: end.code, signal: end.signal }, { code: 159, signal: null });
  const outcome = classifyEnd(end, 'bwrap');
  assert.equal(outcome, { kind: 'seccomp-killed' });
  assert.is(replayExitCode(outcome), 159);
});

it('exit status and other signals pass through', async () => {
  assert.equal(classifyEnd((await run({ argv: ['sh', '-c', 'exit 42'] })).end, 'bwrap'), { kind: 'exited', code: 42 });
  const killed = classifyEnd((await run({ argv: ['sh', '-c', 'kill -TERM $$'] })).end, 'bwrap');
  assert.equal(killed, { kind: 'signaled', signal: 15, name: 'SIGTERM' });
  assert.is(replayExitCode(killed), 143);
});

it('a missing command is reported like the loader does, without starting bwrap', async () => {
  const l = await launchWithBwrap({ filter: ERRNO7_GETPPID, argv: ['no-such-command-here'], env: ENV, nofileSoft: null });
  assert.is(l.pid, -1);
  const outcome = classifyEnd(await l.end, 'bwrap');
  assert.equal(outcome, { kind: 'not-started', failure: { reason: 'not-found', message: 'no-such-command-here: command not found' } });
  assert.is(replayExitCode(outcome), 127);
});

it('a filter that denies execve is reported before bwrap starts', async () => {
  const l = await launchWithBwrap({ filter: rawFilter(arch, [{ syscall: 'execve', ret: retErrno(1) }]), argv: ['true'], env: ENV, nofileSoft: null });
  const outcome = classifyEnd(await l.end, 'bwrap');
  assert.is(outcome.kind === 'not-started' && outcome.failure.reason, 'execve-denied');
  assert.is(replayExitCode(outcome), 126);
});

t.run();
