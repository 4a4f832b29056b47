// The test suite on every kernel (issue 11): the ia32 and bwrap checks the live tests skip on, and the skip
// paths themselves, forced here on a machine that has both.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bwrapSupport } from '../helpers/bwrap.js';
import { ia32Support } from '../helpers/ia32.js';
import { FIXTURES, ROOT, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/test-capabilities');
const s = scratch('learn-caps-');
t.after(() => s.cleanup());

t('ia32 detection agrees with what an int $0x80 program does on this kernel', async () => {
  const exe = join(s.dir, 'int80');
  await execa('gcc', ['-O0', '-o', exe, join(FIXTURES, 'programs/int80.c')]);
  const run = spawnSync(exe, [], { encoding: 'utf8' });
  const support = ia32Support({});
  if (support.ok) assert.is(run.stdout.trim(), `pid via int80=${run.pid}`);
  else assert.is(run.signal, 'SIGSEGV', support.reason);
});

t('LEARN_TEST_NO_IA32=1 forces the skip, with a reason', () => {
  assert.equal(ia32Support({ LEARN_TEST_NO_IA32: '1' }), { ok: false, reason: 'LEARN_TEST_NO_IA32=1 is set' });
});

t('without an ia32 entry the kernel oracle still passes: i386 calls checked in the interpreter, the skip said', async () => {
  const r = await execa(process.execPath, [join(ROOT, 'node_modules/uvu/bin.js'), 'dist/test', '^e2e/bpf-kernel\\.test\\.js$', '--no-color'],
    { cwd: ROOT, reject: false, stdin: 'ignore', env: { ...process.env, LEARN_TEST_NO_IA32: '1', BPF_SEED: '1' } });
  assert.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(String(r.stdout), 'bpf/kernel-oracle: skipping live i386 calls: LEARN_TEST_NO_IA32=1 is set');
  assert.match(String(r.stdout), /Passed:\s+3/);
});

t('a missing bwrap is a skip reason, not a failure', () => {
  assert.equal(bwrapSupport('/nonexistent'), { ok: false, reason: 'bwrap is not installed (apt-get install bubblewrap)' });
});

t.run();
