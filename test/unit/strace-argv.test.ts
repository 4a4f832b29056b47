import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { firstAllowedCpu, straceArgv } from '../../src/trace/strace-argv.js';

const t = suite('trace/strace-argv');

t('a command: -f -n -o OUTPUT -- argv, never a trace on stderr', () => {
  const r = straceArgv({ target: { kind: 'command', argv: ['ls', '-la'] }, output: '/tmp/x/trace', strace: '/usr/bin/strace', pinCpu: null });
  assert.equal(r, { file: '/usr/bin/strace', args: ['-f', '-n', '--decode-pids=pidns', '-o', '/tmp/x/trace', '--', 'ls', '-la'] });
});

t('attach: -p PID with -q', () => {
  const r = straceArgv({ target: { kind: 'attach', pid: 42 }, output: 'o', strace: 's', pinCpu: null });
  assert.equal(r.args, ['-f', '-n', '--decode-pids=pidns', '-o', 'o', '-q', '-p', '42']);
});

t('pinned: taskset -c CPU strace ...', () => {
  const r = straceArgv({ target: { kind: 'command', argv: ['true'] }, output: 'o', strace: '/s', pinCpu: 1, taskset: '/t' });
  assert.equal(r, { file: '/t', args: ['-c', '1', '/s', '-f', '-n', '--decode-pids=pidns', '-o', 'o', '--', 'true'] });
});

t('setpriv wraps the whole chain, so strace itself gets the parent-death signal', () => {
  const r = straceArgv({ target: { kind: 'command', argv: ['true'] }, output: 'o', strace: '/s', pinCpu: 0, taskset: '/t', setpriv: '/p' });
  assert.equal(r, { file: '/p', args: ['--pdeathsig', 'KILL', '--', '/t', '-c', '0', '/s', '-f', '-n', '--decode-pids=pidns', '-o', 'o', '--', 'true'] });
});

for (const [list, want] of [['0-1', 0], ['2,4-7', 2], ['  3', 3], ['', null]] as const) {
  t(`firstAllowedCpu(${JSON.stringify(list)}) = ${want}`, () => assert.is(firstAllowedCpu(list), want));
}

t.run();
