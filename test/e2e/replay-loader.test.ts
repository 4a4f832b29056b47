// The koffi loader on the real kernel: hand-assembled filters (independent of the compiler), a C probe that
// reports the state it was started in, and the ways a replay can end.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchWithLoader, type LaunchOptions } from '../../src/replay/launch.js';
import { hostArch } from '../../src/replay/native.js';
import { classifyEnd, replayExitCode } from '../../src/replay/outcome.js';
import { RET_KILL_PROCESS, rawFilter, retErrno } from '../helpers/raw-filter.js';
import { collect, LEAKED_FD, runDriver } from '../helpers/replay-run.js';
import { buildStateProbe, parseProbe } from '../helpers/state-probe.js';

const t = suite('replay/loader');
const probe = buildStateProbe();
const arch = hostArch();
const ERRNO7_GETPPID = rawFilter(arch, [{ syscall: 'getppid', ret: retErrno(7) }]);
const ENV = { PATH: '/usr/bin:/bin', REPLAY_A: 'one', REPLAY_B: 'two words = and more' };

const run = (over: Partial<LaunchOptions>) =>
  collect(launchWithLoader({ filter: ERRNO7_GETPPID, argv: [probe, 'getppid'], env: ENV, nofileSoft: 1000, stdio: ['pipe', 'pipe', 'pipe'], ...over }));

t('the target runs under the filter in the state a shell would give it', async () => {
  const { end, stdout } = await run({});
  assert.equal(classifyEnd(end, 'loader'), { kind: 'exited', code: 0 });
  const s = parseProbe(stdout);
  assert.is(s.getppid, -1, 'getppid was denied');
  assert.is(s.getppidErrno, 7, 'with the filter errno');
  assert.equal(s.nonDefaultSignals, [], 'Node ignores SIGPIPE and SIGXFSZ: reset to default');
  assert.is(s.blocked, '0');
  assert.equal(s.fd, { 0: 'open', 1: 'open', 2: 'open' }, 'stdio open, inherited, blocking');
  assert.equal(s.extraFds, [], 'the request fd and Node fds are gone');
  assert.equal(s.env, Object.entries(ENV).map(([k, v]) => `${k}=${v}`), 'exactly the requested environment');
  assert.is(s.noNewPrivs, 1);
  assert.is(s.seccomp, 2);
  assert.is(s.nofileSoft, 1000, 'the invoker RLIMIT_NOFILE soft limit, not Node’s raised one');
});

t('the target keeps the loader pid and its argv, and runs in the requested cwd', async () => {
  const l = launchWithLoader({ filter: ERRNO7_GETPPID, argv: ['sh', '-c', 'echo $$ "$0" "$1" "$(pwd)"', 'zero', 'a b'], env: ENV, nofileSoft: null, cwd: '/tmp', stdio: ['ignore', 'pipe', 'inherit'] });
  const { stdout } = await collect(l);
  assert.is(stdout, `${l.pid} zero a b /tmp\n`);
});

t('large argv and environment pass through intact', async () => {
  const big = 'x'.repeat(100_000);
  const env = { ...ENV, ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`V${i}`, `${i}${big.slice(0, 500)}`])) };
  const { end, stdout } = await run({ argv: ['sh', '-c', 'printf "%s %s %s" "${#1}" "$V199" "$#"', 'sh', big], env });
  assert.equal(classifyEnd(end, 'loader'), { kind: 'exited', code: 0 });
  assert.is(stdout, `100000 199${big.slice(0, 500)} 1`);
});

t('spawned with an IPC channel and a leaked fd: neither reaches the target (a plain spawn leaks the fd)', async () => {
  const control = parseProbe((await runDriver('plain', [probe])).stdout);
  assert.ok(control.extraFds.includes(LEAKED_FD), `control: fd ${LEAKED_FD} leaks through a plain spawn`);
  const r = await runDriver('loader', [probe]);
  const s = parseProbe(r.stdout);
  assert.equal(r.end, { code: 0, signal: null, failure: null });
  assert.equal(s.extraFds, []);
  assert.equal(s.fd, { 0: 'open', 1: 'open', 2: 'open' });
  assert.ok(!s.env.some((e) => e.startsWith('NODE_CHANNEL')), 'no NODE_CHANNEL_FD');
  assert.ok(s.env.includes('REPLAY_TEST_MARK=x'));
  assert.equal(s.env, r.env, 'exactly the environment the driver asked for');
});

t('KILL_PROCESS on a harmless call: seccomp-killed, exit 128+31', async () => {
  const filter = rawFilter(arch, [{ syscall: 'getppid', ret: RET_KILL_PROCESS }]);
  const { end, stdout } = await run({ filter });
  assert.is(stdout, '', 'killed before printing');
  assert.is(end.signal, 'SIGSYS');
  const outcome = classifyEnd(end, 'loader');
  assert.equal(outcome, { kind: 'seccomp-killed' });
  assert.is(replayExitCode(outcome), 159);
});

t('the target exit status and other signals come back as a shell reports them', async () => {
  const exited = classifyEnd((await run({ argv: ['sh', '-c', 'exit 42'] })).end, 'loader');
  assert.equal(exited, { kind: 'exited', code: 42 });
  assert.is(replayExitCode(exited), 42);
  const killed = classifyEnd((await run({ argv: ['sh', '-c', 'kill -TERM $$'] })).end, 'loader');
  assert.equal(killed, { kind: 'signaled', signal: 15, name: 'SIGTERM' });
  assert.is(replayExitCode(killed), 143);
});

t('a missing or non-executable command fails before the filter, like a shell (127/126)', async () => {
  const missing = await run({ argv: ['no-such-command-here'] });
  assert.equal(missing.end.failure, { reason: 'not-found', message: 'no-such-command-here: command not found' });
  assert.is(replayExitCode(classifyEnd(missing.end, 'loader')), 127);
  assert.is(missing.stdout + missing.stderr, '', 'the loader writes nothing to stdio');
  const notExec = await run({ argv: ['/etc/hostname'] });
  assert.is(notExec.end.failure?.reason, 'not-executable');
  assert.is(replayExitCode(classifyEnd(notExec.end, 'loader')), 126);
});

t('a filter that denies execve is reported, not a mysterious death', async () => {
  for (const ret of [RET_KILL_PROCESS, retErrno(1)]) {
    const { end } = await run({ filter: rawFilter(arch, [{ syscall: 'execve', ret }]) });
    assert.is(end.failure?.reason, 'execve-denied');
    assert.match(end.failure?.message ?? '', /does not allow execve/);
    assert.is(replayExitCode(classifyEnd(end, 'loader')), 126);
  }
});

t('a filter the kernel would refuse is reported with the instruction at fault', async () => {
  const { end } = await run({ filter: new Uint8Array(8) });
  assert.is(end.failure?.reason, 'setup');
  assert.match(end.failure?.message ?? '', /instruction 0/);
});

t('a loader that dies before starting the target is reported as such, not as the target', async () => {
  const l = launchWithLoader({ filter: ERRNO7_GETPPID, argv: [probe], env: ENV, nofileSoft: null, stdio: ['ignore', 'pipe', 'pipe'] });
  process.kill(l.pid, 'SIGKILL'); // our own child, long before Node has started in it
  const { end } = await collect(l);
  assert.equal(end.failure, { reason: 'setup', message: 'the loader was killed by SIGKILL before starting the target' });
  assert.is(replayExitCode(classifyEnd(end, 'loader')), 125);
});

t('invokerNofileSoft reads the soft limit of the process that started us, not Node’s raised one', () => {
  const launchJs = fileURLToPath(new URL('../../src/replay/launch.js', import.meta.url));
  const script = `import(${JSON.stringify(launchJs)}).then((m) => process.stdout.write(String(m.invokerNofileSoft())))`;
  const out = execFileSync('bash', ['-c', `ulimit -Sn 777; "${process.execPath}" -e '${script}'; true`], { encoding: 'utf8' });
  assert.is(out.trim(), '777');
});

t('bad requests throw before anything is spawned', () => {
  assert.throws(() => launchWithLoader({ filter: new Uint8Array(12), argv: ['true'], env: {}, nofileSoft: null }), /8-byte instructions/);
  assert.throws(() => launchWithLoader({ filter: ERRNO7_GETPPID, argv: [], env: {}, nofileSoft: null }), /no command/);
  assert.throws(() => launchWithLoader({ filter: ERRNO7_GETPPID, argv: ['true', 'a\0b'], env: {}, nofileSoft: null }), /NUL/);
});

t.run();
