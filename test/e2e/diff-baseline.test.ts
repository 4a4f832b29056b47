// End to end: learn a policy for a program, change its behaviour, and let `learn diff --baseline` catch it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/diff --baseline');
const s = scratch('learn-diff-');
const PROG = join(s.dir, 'prog.py');
const BASELINE = join(s.dir, 'prog.policy');
const PY = '/usr/bin/python3';

t.before(async () => {
  writeFileSync(PROG, [
    'import socket, sys',
    "if '--net' in sys.argv:",
    '    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()',
  ].join('\n'));
  const traced = await runLearn(['--db', s.db, '--name', 'prog', '--quiet', '--', PY, PROG]);
  assert.is(traced.exitCode, 0, traced.stderr);
  const learned = await runLearn(['policy', 'prog', '--db', s.db, '--out', s.dir]);
  assert.is(learned.exitCode, 0, learned.stderr);
});
t.after(() => s.cleanup());

t('same behaviour: no drift, exit 0', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--', PY, PROG]);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^no drift/);
});

t('opening a socket: exit 1, names socket with its domain and risk', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--', PY, PROG, '--net']);
  assert.is(r.exitCode, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\+ socket when .*domain == \/\*AF_INET\*\/2/);
  assert.match(r.stdout, /\[medium · network\]/);
});

t('--format github annotates the baseline file; --format json is parseable', async () => {
  const gh = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--format', 'github', '--', PY, PROG, '--net']);
  assert.is(gh.exitCode, 1);
  assert.match(gh.stdout, new RegExp(`^::error file=${BASELINE.replace(/[/.]/g, '\\$&')},line=\\d+::seccomp drift: socket is newly allowed`, 'm'));
  const js = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--format', 'json', '--', PY, PROG, '--net']);
  const report = JSON.parse(js.stdout) as { drift: boolean; added: { syscall: string; when: string }[] };
  assert.ok(report.drift);
  assert.equal(report.added.map((a) => a.syscall), ['socket']);
});

t('--fail-on removed ignores additions; --update accepts the drift', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--fail-on', 'removed', '--', PY, PROG, '--net']);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const copy = join(s.dir, 'copy.policy');
  writeFileSync(copy, readFileSync(BASELINE));
  const u = await runLearn(['diff', '--baseline', copy, '--db', s.db, '--quiet', '--update', '--', PY, PROG, '--net']);
  assert.is(u.exitCode, 0, u.stdout + u.stderr);
  assert.match(readFileSync(copy, 'utf8'), /SocketTcp|socket/);
  const again = await runLearn(['diff', '--baseline', copy, '--db', s.db, '--quiet', '--', PY, PROG, '--net']);
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
});

t.run();
