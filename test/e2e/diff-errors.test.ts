// Bad input to `learn diff` and `learn report`: one line with the place, exit 2.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/diff errors');
const s = scratch('learn-diff-err-');
const GOOD = join(s.dir, 'good.policy');
const BAD = join(s.dir, 'bad.policy');
const BAD_JSON = join(s.dir, 'bad.oci.json');

t.before(() => {
  writeFileSync(GOOD, 'POLICY p { ALLOW { read, write } }\nUSE p DEFAULT KILL\n');
  writeFileSync(BAD, 'POLICY p {\n  ALLOW { read, wirte }\n}\nUSE p DEFAULT KILL\n');
  writeFileSync(BAD_JSON, '{ "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ { "names": ["read"] "action": "SCMP_ACT_ALLOW" } ] }\n');
});
t.after(() => s.cleanup());

t('missing file', async () => {
  const r = await runLearn(['diff', GOOD, join(s.dir, 'nope.policy')]);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /cannot read .*nope\.policy: no such file/);
});

t('policy syntax error: file:line:col', async () => {
  const r = await runLearn(['diff', GOOD, BAD]);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, new RegExp(`${BAD.replace(/[/.]/g, '\\$&')}:2:17: unknown syscall \`wirte\``));
});

t('OCI JSON syntax error: file:line:col', async () => {
  const r = await runLearn(['diff', GOOD, BAD_JSON]);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /bad\.oci\.json:2:\d+: invalid JSON/);
});

t('unknown profile', async () => {
  await runLearn(['--db', s.db, '--quiet', '--', '/bin/true']);
  const r = await runLearn(['diff', GOOD, 'no_such_profile', '--db', s.db]);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, /'no_such_profile' is neither a file nor a profile/);
});

t('usage: one input, bad --fail-on, --baseline without a command', async () => {
  for (const args of [['diff', GOOD], ['diff', GOOD, GOOD, '--fail-on', 'sometimes'], ['diff', '--baseline', GOOD]]) {
    const r = await runLearn(args);
    assert.is(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n')[0]!.startsWith('learn'), true, r.stderr);
  }
});

t('a profile compared with a policy file, and OCI with itself', async () => {
  const r = await runLearn(['diff', GOOD, 'true', '--db', s.db, '--fail-on', 'any']);
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(r.stdout, /^ {4}\+ \w/m); // rows of newly allowed syscalls
});

t('learn report: a policy file alone prints its summary; an --html path that cannot be written is one line naming it, exit 1', async () => {
  const ok = await runLearn(['report', GOOD]);
  assert.is(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stdout, /^seccomp policy report: .*good\.policy \(\w+, default action KILL\)\n\ncategories \(granted\):\n {2}p {2}\S+ 2\n\ngranted, by risk:\n {2}low \(2\): read write$/, ok.stdout); // execa strips the final newline
  const bad = await runLearn(['report', GOOD, '--html', join(s.dir, 'missing', 'r.html')]);
  assert.is(bad.exitCode, 1);
  assert.match(bad.stderr, /^learn: cannot write .*r\.html: ENOENT$/);
  const unparsable = await runLearn(['report', BAD]);
  assert.is(unparsable.exitCode, 2);
  assert.match(unparsable.stderr, /bad\.policy:2:\d+: /);
});

t.run();
