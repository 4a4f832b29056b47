// Issue 11, security 2: an unprivileged user's program that happens to be called nginx puts itself under a LOG
// filter; its SECCOMP records must not widen the nginx profile root learned from a trace of its own nginx.
// Records are grouped by full executable path and uid; another executable or user needs --merge.
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SECCOMP_RET_LOG } from '../../src/abi/seccomp.js';
import { kmsgSkipReason } from '../helpers/audit.js';
import { buildHelperProgram } from '../helpers/c-program.js';
import { readStore, runLearn, scratch } from '../helpers/learn-cli.js';
import { asNobody, NOBODY } from '../helpers/processes.js';
import { RET_ALLOW, rawFilter } from '../helpers/raw-filter.js';

const t = suite('e2e/security-audit-poisoning');

const skipReason = kmsgSkipReason();
if (skipReason) console.log(`  skipping e2e/security-audit-poisoning: ${skipReason}`);
const it = skipReason ? t.skip : t;

const s = scratch('learn-sec-audit-');
chmodSync(s.dir, 0o755);
const out = join(s.dir, 'policies');
const eve = join(s.dir, 'eve');
t.after(() => s.cleanup());

/** Eve's `nginx`: the seccomp-log probe, owned by and run as nobody, under a filter that LOGs getppid and getpgrp. */
async function eveRuns(): Promise<{ pid: number; since: number }> {
  const since = Date.now() - 50;
  const out = await asNobody([join(eve, 'nginx'), join(eve, 'filter.bpf')]);
  return { pid: Number(out.trim()), since };
}

/** from-audit for Eve's records, once more after printk's rate-limit window if the kernel dropped them. */
async function importEve(extra: readonly string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  for (let attempt = 0; ; attempt++) {
    const { pid, since } = await eveRuns();
    const r = await runLearn(['from-audit', '--source', 'kmsg', '--since', `@${since / 1000}`, '--pid', String(pid), '--db', s.db, '--out', out, ...extra]);
    if (!r.stdout.includes('no records to import') || attempt > 1) return r;
    await new Promise((done) => setTimeout(done, 5500));
  }
}

it('records of another user\'s binary named nginx stay out of root\'s traced nginx profile', async () => {
  const root = join(s.dir, 'root');
  mkdirSync(root);
  copyFileSync('/bin/true', join(root, 'nginx'));
  const traced = await runLearn(['--db', s.db, '--out', out, '--quiet', '--', join(root, 'nginx')]);
  assert.is(traced.exitCode, 0, traced.stderr);
  const policy = readFileSync(join(out, 'nginx.policy'), 'utf8');

  mkdirSync(eve);
  copyFileSync(buildHelperProgram('seccomp-log'), join(eve, 'nginx'));
  writeFileSync(join(eve, 'filter.bpf'), rawFilter('x86_64', [{ syscall: 'getppid', ret: SECCOMP_RET_LOG }, { syscall: 'getpgrp', ret: SECCOMP_RET_LOG }], RET_ALLOW));
  for (const f of ['', 'nginx', 'filter.bpf']) chownSync(join(eve, f), NOBODY, NOBODY);

  const r = await importEve([]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /not imported \(another executable or user than the profile's; --merge adds them anyway\):/);
  assert.match(r.stdout, `nginx  2 records of ${join(eve, 'nginx')} (uid ${NOBODY}): profile 'nginx' was learned from ${join(root, 'nginx')} (uid 0)`);
  assert.match(r.stderr, 'learn: warning: 2 records of another executable or user than their profile\'s not imported');
  assert.is(readFileSync(join(out, 'nginx.policy'), 'utf8'), policy, 'the policy file was rewritten');
  const runs = readStore(s.db, (d) => d.prepare(`SELECT r.source, r.exe, r.uid FROM runs r JOIN profiles p ON p.id = r.profile_id WHERE p.name = 'nginx'`).all());
  assert.equal(runs, [{ source: 'strace', exe: join(root, 'nginx'), uid: 0 }]);

  // Asked for explicitly, the records are merged, and the report says whose they are.
  const merged = await importEve(['--merge']);
  assert.is(merged.exitCode, 0, merged.stderr);
  assert.match(merged.stdout, `${join(eve, 'nginx')} (uid ${NOBODY})`);
  const added = readStore(s.db, (d) => d.prepare(`SELECT r.exe, r.uid, o.name FROM observations o JOIN runs r ON r.id = o.run_id
    WHERE r.source = 'audit' ORDER BY o.name`).all());
  assert.equal(added, [{ exe: join(eve, 'nginx'), uid: NOBODY, name: 'getpgrp' }, { exe: join(eve, 'nginx'), uid: NOBODY, name: 'getppid' }]);
  assert.is.not(readFileSync(join(out, 'nginx.policy'), 'utf8'), policy);
});

t.run();
