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
/** Policy headers carry a date: pinned so a rewritten baseline and a fresh `learn policy` can be compared byte for byte. */
const PINNED = { SOURCE_DATE_EPOCH: '1767225600' };

t.before(async () => {
  writeFileSync(PROG, [
    'import socket, sys',
    "if '--net' in sys.argv:",
    '    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()',
  ].join('\n'));
  const traced = await runLearn(['--db', s.db, '--name', 'prog', '--quiet', '--', PY, PROG]);
  assert.is(traced.exitCode, 0, traced.stderr);
  const learned = await runLearn(['policy', 'prog', '--db', s.db, '--out', s.dir], { env: PINNED });
  assert.is(learned.exitCode, 0, learned.stderr);
});
t.after(() => s.cleanup());

t('same behaviour: no drift, exit 0', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--', PY, PROG]);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^no drift/);
});

t('opening an AF_INET socket: exit 1, high risk, said in the first three lines', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--', PY, PROG, '--net']);
  assert.is(r.exitCode, 1, r.stdout + r.stderr);
  const head = r.stdout.split('\n').slice(0, 3).join('\n');
  assert.match(head, /1 high: now creates AF_INET(\/AF_INET6)? TCP sockets/);
  assert.match(r.stdout, /\+ socket when .*domain is AF_INET or AF_INET6/);
  const md = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--format', 'markdown', '--', PY, PROG, '--net']);
  assert.match(md.stdout.split('\n').slice(0, 3).join('\n'), /\*\*1 high\*\*: now creates AF_INET/);
});

t('the run joins the profile the baseline names, not one named after the command', async () => {
  const runs = await runLearn(['runs', '--db', s.db, '--json']);
  const names = (JSON.parse(runs.stdout) as { profiles: { name: string }[] }).profiles.map((p) => p.name);
  assert.equal(names, ['prog']);
});

t('--fail-on risk>=high and its alias risky fail on the socket; risk>=critical does not', async () => {
  for (const [gate, code] of [['risk>=high', 1], ['risky', 1], ['risk>=critical', 0]] as const) {
    const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--fail-on', gate, '--', PY, PROG, '--net']);
    assert.is(r.exitCode, code, `${gate}: ${r.stdout}${r.stderr}`);
  }
});

t('--format github: one annotation per risk level, the full report in $GITHUB_STEP_SUMMARY', async () => {
  const summary = join(s.dir, 'step-summary.md');
  const gh = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--format', 'github', '--', PY, PROG, '--net'],
    { env: { GITHUB_STEP_SUMMARY: summary } });
  assert.is(gh.exitCode, 1);
  const annotations = gh.stdout.split('\n').filter((l) => l.startsWith('::'));
  assert.ok(annotations.length >= 1 && annotations.length <= 4, gh.stdout);
  assert.match(annotations[0]!, new RegExp(`^::error file=${BASELINE.replace(/[/.]/g, '\\$&')},line=\\d+::seccomp drift: 1 high: now creates AF_INET`));
  assert.match(readFileSync(summary, 'utf8'), /^### seccomp policy drift/);
  const js = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--format', 'json', '--', PY, PROG, '--net']);
  const report = JSON.parse(js.stdout) as { drift: boolean; highestRisk: string; added: { syscall: string }[] };
  assert.ok(report.drift);
  assert.is(report.highestRisk, 'high');
  assert.equal(report.added.map((a) => a.syscall), ['socket']);
});

t('--fail-on removed ignores additions; --update writes what `learn policy` writes for the profile', async () => {
  const r = await runLearn(['diff', '--baseline', BASELINE, '--db', s.db, '--quiet', '--fail-on', 'removed', '--', PY, PROG, '--net']);
  assert.is(r.exitCode, 0, r.stdout + r.stderr);
  const copy = join(s.dir, 'copy.policy');
  writeFileSync(copy, readFileSync(BASELINE));
  const u = await runLearn(['diff', '--baseline', copy, '--db', s.db, '--quiet', '--update', '--', PY, PROG, '--net'], { env: PINNED });
  assert.is(u.exitCode, 0, u.stdout + u.stderr);
  const fresh = join(s.dir, 'fresh');
  const p = await runLearn(['policy', 'prog', '--db', s.db, '--out', fresh, '--format', 'kafel'], { env: PINNED });
  assert.is(p.exitCode, 0, p.stderr);
  const updated = readFileSync(copy, 'utf8');
  assert.is(updated, readFileSync(join(fresh, 'prog.policy'), 'utf8'));
  assert.match(updated, /^\/\/ seccomp-learn \S+: learned policy for profile 'prog'\n\/\/ runs: \d+(, \d+)+; events: \d+; catalog: default; level: balanced\n/);
  assert.match(updated, /SocketTcp|socket/);
  const same = await runLearn(['diff', copy, join(fresh, 'prog.policy')]);
  assert.is(same.exitCode, 0);
  assert.match(same.stdout, /^no drift/);
  const again = await runLearn(['diff', '--baseline', copy, '--db', s.db, '--quiet', '--', PY, PROG, '--net']);
  assert.is(again.exitCode, 0, again.stdout + again.stderr);
});

t.run();
