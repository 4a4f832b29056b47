// `learn from-audit` in-process against a real SQLite store in a temp dir.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditLogFiles } from '../../src/audit/sources/files.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/open.js';
import { auditFixture } from '../helpers/audit.js';

const t = suite('audit/import');

/** Each run in a scratch cwd: from-audit writes the learned policies to ./policies. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string; cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'learn-audit-cwd-'));
  const io = captureIo(cwd, { ...process.env, LEARN_DB: '' });
  const code = await main(['node', 'learn', 'from-audit', ...args], io);
  return { code, out: io.stdout(), err: io.stderr(), cwd };
}

function query<T>(db: string, sql: string): T[] {
  const h = new Database(db, { readonly: true });
  try {
    return h.prepare(sql).all() as T[];
  } finally {
    h.close();
  }
}

const newDb = (): string => join(mkdtempSync(join(tmpdir(), 'learn-audit-')), 'learn.db');
const KMSG = auditFixture('kmsg.raw.txt');
const JOURNAL = auditFixture('journald_real.transport_audit.json');

t('imports one profile per executable, as runs with source audit and observations of shape ""', async () => {
  const db = newDb();
  const r = await run('--db', db, KMSG);
  assert.is(r.code, 3, `the kernel suppressed records: incomplete; ${r.err}`);
  assert.match(r.out, 'imported 49 new records into 2 profiles');
  assert.match(r.err, 'incomplete: at least 5 records suppressed');
  const runs = query<{ name: string; source: string; events: number; status: string; command: string }>(db,
    `SELECT p.name, r.source, r.events, r.status, r.command FROM runs r JOIN profiles p ON p.id = r.profile_id ORDER BY r.id`);
  assert.equal(runs, [
    { name: 'seccomp_demo', source: 'audit', events: 45, status: 'complete', command: '["/srv/corpus/bin/seccomp_demo"]' },
    { name: 'sec comp"demo', source: 'audit', events: 4, status: 'complete', command: '["/tmp/research/formats/bin/sec comp\\"demo"]' },
  ]);
  const obs = query<{ arch: string; name: string; shape: string; count: number }>(db,
    `SELECT arch, name, shape, count FROM observations WHERE run_id = 1 ORDER BY arch, name`);
  assert.equal(obs, [
    { arch: 'i386', name: 'getppid', shape: '', count: 9 },
    { arch: 'x86_64', name: 'exit_group', shape: '', count: 2 },
    { arch: 'x86_64', name: 'getpid', shape: '', count: 3 },
    { arch: 'x86_64', name: 'getppid', shape: '', count: 23 },
    { arch: 'x86_64', name: 'uname', shape: '', count: 6 },
    { arch: 'x86_64', name: 'write', shape: '', count: 2 },
  ]);
  assert.equal(query(db, 'SELECT count(*) AS n FROM audit_records'), [{ n: 49 }]);
});

t('after importing, each changed profile gets its policy written, as learn -- CMD does', async () => {
  const db = newDb();
  const out = mkdtempSync(join(tmpdir(), 'learn-audit-out-'));
  const r = await run('--db', db, '--out', out, '--format', 'kafel,bpf', '--strict', KMSG);
  assert.is(r.code, 3, r.err); // the capture holds a "callbacks suppressed" line
  const policy = readFileSync(join(out, 'seccomp_demo.policy'), 'utf8');
  assert.match(policy, '// WARNING: learned from denials alone');
  assert.match(r.err, "warning: 'seccomp_demo' has only denied calls");
  for (const name of ['exit_group', 'getpid', 'getppid', 'uname', 'write']) assert.match(policy, new RegExp(`\\b${name}\\b`));
  assert.ok(existsSync(join(out, 'seccomp_demo.bpf')));
  assert.match(r.err, "policy for 'seccomp_demo'");
  // Nothing new the second time: no profile changed, so no policy is rewritten.
  const again = await run('--db', db, '--out', out, KMSG);
  assert.not.match(again.err, 'policy for');
  // New records for the same profile rewrite its policy and report the drift against the old one.
  const more = await run('--db', db, '--out', out, '--strict', JOURNAL);
  assert.is(more.code, 0, more.err);
  assert.match(more.err, /(changes against|no change against) the previous policy/);
  // --no-policy imports only.
  const other = await run('--db', newDb(), '--no-policy', KMSG);
  assert.not.ok(existsSync(join(other.cwd, 'policies')));
});

t('idempotent: the same records again add nothing; overlapping sources add only what is new', async () => {
  const db = newDb();
  await run('--db', db, KMSG);
  const again = await run('--db', db, KMSG);
  assert.match(again.out, 'imported 0 new records into 2 profiles');
  assert.match(again.out, '+0 (45 already imported)');
  assert.equal(query(db, 'SELECT count(*) AS n FROM runs'), [{ n: 2 }]);
  // The journal holds serials 81–92; the ring-buffer capture ends at 90, so 91 and 92 are new.
  const journal = await run('--db', db, JOURNAL);
  assert.match(journal.out, 'imported 2 new records into 2 profiles');
  assert.equal(query(db, 'SELECT count(*) AS n FROM audit_records'), [{ n: 51 }]);
  assert.equal(query(db, 'SELECT count(*) AS n FROM runs'), [{ n: 3 }]);
});

t('filters: --exe, --comm (decoded hex), --pid, --uid; --name puts all into one profile', async () => {
  const db = newDb();
  const odd = await run('--db', db, '--dry-run', '--json', '--comm', 'odd "name" x', KMSG);
  const plan = JSON.parse(odd.out) as { records: { filteredOut: number }; profiles: Array<{ profile: string; newRecords: number }> };
  assert.equal(plan.profiles.map((p) => [p.profile, p.newRecords]), [['seccomp_demo', 6]]);
  assert.is(plan.records.filteredOut, 43);
  const exe = JSON.parse((await run('--db', db, '--dry-run', '--json', '--exe', '/tmp/research/formats/bin/sec comp"demo', KMSG)).out);
  assert.equal(exe.profiles.map((p: { newRecords: number }) => p.newRecords), [4]);
  const pid = JSON.parse((await run('--db', db, '--dry-run', '--json', '--pid', '14156', '--uid', '0', KMSG)).out);
  assert.equal(pid.profiles[0].syscalls, { i386: ['getppid'], x86_64: ['getppid', 'uname'] });
  const nobody = JSON.parse((await run('--db', db, '--dry-run', '--json', '--uid', '1000', KMSG)).out);
  assert.equal(nobody.profiles, []);
  const named = await run('--db', db, '--name', 'fleet', KMSG);
  assert.match(named.out, 'imported 49 new records into 1 profile:');
  assert.equal(query(db, 'SELECT name FROM profiles'), [{ name: 'fleet' }]);
});

t('--dry-run writes nothing (not even a new store file)', async () => {
  const db = newDb();
  const r = await run('--db', db, '--dry-run', KMSG);
  assert.is(r.code, 3);
  assert.match(r.out, 'would import 49 new records into 2 profiles');
  assert.not.ok(existsSync(db));
  await run('--db', db, KMSG);
  const again = await run('--db', db, '--dry-run', KMSG);
  assert.match(again.out, 'would import 0 new records');
});

t('--json summary', async () => {
  const r = await run('--db', newDb(), '--json', JOURNAL);
  const json = JSON.parse(r.out);
  assert.equal(json.records, { seen: 12, usable: 12, duplicates: 0, outsideWindow: 0, filteredOut: 0, skipped: {}, skippedSamples: [] });
  assert.equal(json.profiles.map((p: { profile: string; newRecords: number; runId: number }) => [p.profile, p.newRecords, p.runId]), [
    ['seccomp_demo', 9, 1],
    ['sec comp"demo', 3, 2],
  ]);
});

t('skipped records are reported on stderr with a reason and place; exit 0', async () => {
  const r = await run('--db', newDb(), auditFixture('journald_real.AUDIT_TYPE_1326.cat.txt'));
  assert.is(r.code, 0);
  assert.match(r.out, 'no records to import');
  assert.match(r.err, `skipped 12 records: SECCOMP record without its audit(…) stamp`);
  assert.match(r.err, 'journald_real.AUDIT_TYPE_1326.cat.txt:1)');
});

t('usage errors: unknown source, files with another source, bad --since, missing file', async () => {
  const bad = await run('--source', 'syslog');
  assert.is(bad.code, 2);
  assert.match(bad.err, "--source must be one of auto, journal, kmsg, auditd, file, got 'syslog'");
  assert.is((await run('--source', 'kmsg', KMSG)).code, 2);
  const since = await run('--since', 'soon', KMSG);
  assert.is(since.code, 2);
  assert.match(since.err, "--since 'soon' is not a time");
  const missing = await run('--db', newDb(), '/nonexistent/audit.log');
  assert.is(missing.code, 2);
  assert.match(missing.err, 'cannot read /nonexistent/audit.log');
  assert.is((await run('--source', 'file')).code, 2);
});

t('--audit-log reads auditd logs (enriched format)', async () => {
  const r = await run('--db', newDb(), '--dry-run', '--json', '--audit-log', auditFixture('auditd.audit.log.enriched.txt'));
  const json = JSON.parse(r.out);
  assert.is(json.source, 'auditd');
  assert.is(json.records.usable, 23);
});

t('--audit-log also reads its rotations, oldest first; the records are the union', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-auditlog-'));
  const lines = readFileSync(auditFixture('auditd.audit.log.enriched.txt'), 'utf8').trimEnd().split('\n');
  // Split the real log in three as auditd's rotation would: audit.log.2 oldest, audit.log newest.
  writeFileSync(join(dir, 'audit.log.2'), `${lines.slice(0, 10).join('\n')}\n`);
  writeFileSync(join(dir, 'audit.log.1'), `${lines.slice(10, 25).join('\n')}\n`);
  writeFileSync(join(dir, 'audit.log'), `${lines.slice(25).join('\n')}\n`);
  writeFileSync(join(dir, 'audit.log.old'), 'not a rotation\n');
  assert.equal(auditLogFiles(join(dir, 'audit.log')), ['audit.log.2', 'audit.log.1', 'audit.log'].map((f) => join(dir, f)));
  const json = JSON.parse((await run('--db', newDb(), '--dry-run', '--json', '--source', 'auditd', '--audit-log', join(dir, 'audit.log'))).out);
  assert.is(json.records.usable, 23);
  assert.match(json.description, 'audit.log.2');
});

t('a write failing half-way leaves no partial profile: the whole import rolls back', async () => {
  const db = newDb();
  openStore(db).close();
  const h = new Database(db);
  // The second run insert fails, as a full disk would; the first profile was already written in the transaction.
  h.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON runs WHEN (SELECT count(*) FROM runs) >= 1
          BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
  h.close();
  const r = await run('--db', db, KMSG);
  assert.is(r.code, 2);
  assert.match(r.err, 'write failed: disk full');
  for (const table of ['profiles', 'runs', 'observations', 'processes', 'audit_records']) {
    assert.equal(query(db, `SELECT count(*) AS n FROM ${table}`), [{ n: 0 }], table);
  }
});

t.run();
