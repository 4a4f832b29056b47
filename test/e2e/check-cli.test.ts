// `learn check` as a command: its sources (--run, --profile, --trace), a compiled .bpf, exit codes, and one
// clear line for each kind of bad input. In-process through main().
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { FIXTURES, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/check-cli');
const s = scratch('learn-check-cli-');
const trace = join(FIXTURES, 'strace', 'ls_la_usr.default.txt');
const policy = join(s.dir, 'ls.policy');

async function learn(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(s.dir, { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  const code = await main(['node', 'learn', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

t.before(async () => {
  assert.is((await learn('from-strace', trace, '--name', 'ls', '--db', s.db, '--quiet')).code, 0);
  assert.is((await learn('policy', 'ls', '--db', s.db, '--out', s.dir)).code, 0);
});
t.after(() => s.cleanup());

t('a run, a profile and a trace file all pass the policy learned from them; so does its compiled filter', async () => {
  for (const source of [['--run', '1'], ['--profile', 'ls'], ['--trace', trace]]) {
    const r = await learn('check', policy, ...source, '--db', s.db);
    assert.is(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\S+ls\.policy against (run 1|profile ls|trace \S+): \d+ call shapes, \d+ calls: all allowed\n$/);
  }
  const bpf = join(s.dir, 'ls.bpf');
  assert.is((await learn('compile', policy, '-o', bpf)).code, 0);
  const r = await learn('check', bpf, '--run', '1', '--db', s.db, '--json');
  assert.is(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).denied, []);
});

t('a policy that denies recorded calls: exit 1 and each shape listed', async () => {
  const tight = join(s.dir, 'tight.policy');
  writeFileSync(tight, 'POLICY t { ALLOW { execve, brk, read } }\nUSE t DEFAULT ERRNO(1)\n');
  const r = await learn('check', tight, '--profile', 'ls', '--db', s.db, '--json');
  assert.is(r.code, 1);
  const json = JSON.parse(r.out) as { denied: { name: string; action: string }[] };
  const names = json.denied.map((d) => d.name);
  assert.ok(names.includes('openat') && names.includes('getdents64'), names.join(' '));
  assert.not.ok(names.includes('read') || names.includes('brk') || names.includes('execve'));
  assert.ok(json.denied.every((d) => d.action === 'ERRNO(1)'));
});

t('bad input: one line and exit 2', async () => {
  const bad = join(s.dir, 'bad.policy');
  writeFileSync(bad, 'POLICY p {\n  ALLOW { read }\n  ALLOW { 7 }\n}\nUSE p DEFAULT KILL\n');
  const cases: [string[], RegExp][] = [
    [['check', policy, '--profile', 'nope', '--db', s.db], /^learn: no profile named 'nope' in /],
    [['check', policy, '--run', '42', '--db', s.db], /^learn: no run 42 in /],
    [['check', policy, '--run', 'x', '--db', s.db], /--run needs a run id/],
    [['check', policy, '--db', s.db], /^learn: say what to check against: exactly one of --profile NAME, --run ID or --trace FILE/],
    [['check', policy, '--profile', 'ls', '--trace', trace, '--db', s.db], /exactly one of/],
    [['check', policy, '--profile', 'ls', '--db', join(s.dir, 'none.db')], /^learn: no store at /],
    [['check', policy, '--trace', join(s.dir, 'missing.txt')], /missing\.txt: no such file/],
    [['check', join(s.dir, 'missing.policy'), '--run', '1', '--db', s.db], /^learn: cannot read \S+missing\.policy: ENOENT/],
    [['check', bad, '--run', '1', '--db', s.db], /^learn: \S+bad\.policy:3:\d+: /],
  ];
  for (const [args, want] of cases) {
    const r = await learn(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, want);
    assert.is(r.out, '');
  }
});

t.run();
