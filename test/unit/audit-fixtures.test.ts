// Every audit fixture parses with the counts found by grep (see fixtures/audit/README.md).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stampKey } from '../../src/audit/record.js';
import { collectFixture, collectText, kernelJsonEntry, readAuditFixture, tally } from '../helpers/audit.js';

const t = suite('audit/fixtures');

// From kmsg.raw.txt: grep 'type=1326' | grep -o 'arch=… syscall=…' / 'code=…' | sort | uniq -c
const RING_BUFFER_TALLY = {
  'x86_64:getppid:log': 11,
  'x86_64:uname:log': 7,
  'i386:getppid:log': 7,
  'x86_64:getppid:kill-process': 4,
  'x86_64:getppid:kill-thread': 2,
  'i386:getppid:kill-process': 3,
  'x86_64:getppid:errno': 3,
  'x86_64:getppid:trap': 3,
  'x86_64:getppid:trace': 2,
  'x86_64:getpid:log': 3,
  'x86_64:write:log': 2,
  'x86_64:exit_group:log': 2,
};
const AUDITD_TALLY = {
  'x86_64:getppid:log': 5,
  'x86_64:uname:log': 4,
  'i386:getppid:log': 4,
  'x86_64:getppid:kill-process': 2,
  'x86_64:getppid:kill-thread': 1,
  'i386:getppid:kill-process': 1,
  'x86_64:getppid:errno': 1,
  'x86_64:getppid:trap': 1,
  'x86_64:getppid:trace': 1,
  'x86_64:getpid:log': 1,
  'x86_64:write:log': 1,
  'x86_64:exit_group:log': 1,
};
const JOURNAL_TALLY = {
  'x86_64:getppid:log': 3,
  'x86_64:uname:log': 3,
  'i386:getppid:log': 3,
  'x86_64:getppid:kill-process': 1,
  'i386:getppid:kill-process': 1,
  'x86_64:getppid:errno': 1,
};

const CASES: Array<{ file: string; records: number; lost?: number; tally?: Record<string, number>; skipped?: number }> = [
  { file: 'kmsg.raw.txt', records: 49, lost: 5, tally: RING_BUFFER_TALLY },
  { file: 'dmesg.default.txt', records: 49, lost: 5, tally: RING_BUFFER_TALLY },
  { file: 'dmesg.raw_r.txt', records: 49, lost: 5, tally: RING_BUFFER_TALLY },
  { file: 'dmesg.ctime_T.txt', records: 49, lost: 5, tally: RING_BUFFER_TALLY },
  { file: 'auditd.audit.log.enriched.txt', records: 23, tally: AUDITD_TALLY },
  { file: 'ausearch.m_SECCOMP.start_recent.txt', records: 23, tally: AUDITD_TALLY },
  { file: 'ausearch.m_SECCOMP.pid.txt', records: 4, tally: { 'x86_64:getppid:log': 1, 'x86_64:getpid:log': 1, 'x86_64:write:log': 1, 'x86_64:exit_group:log': 1 } },
  { file: 'ausearch.k_getppid_test.i.txt', records: 0 },
  { file: 'journald_real.transport_audit.json', records: 12, tally: JOURNAL_TALLY },
  { file: 'journald_real.transport_audit.verbose.txt', records: 12, tally: JOURNAL_TALLY },
  { file: 'journald_real.transport_audit.first.json-pretty.txt', records: 2, tally: { 'x86_64:getppid:log': 1, 'x86_64:uname:log': 1 } },
  { file: 'journald_real.AUDIT_TYPE_1326.cat.txt', records: 0, skipped: 12 },
  { file: 'journald_real.AUDIT_TYPE_NAME_SECCOMP.short.txt', records: 0, skipped: 12 },
  { file: 'journalctl_since_syntax_results.txt', records: 0 },
  { file: 'seccomp_runs.log', records: 0 },
  // dmesg --json (util-linux 2.38): one pretty-printed object per message; read as "0 records" before
  { file: 'dmesg.json.txt', records: 6, tally: { 'x86_64:getppid:log': 2, 'x86_64:getpgrp:log': 2, 'x86_64:exit_group:kill-process': 1, 'x86_64:getppid:kill-process': 1 } },
];

for (const c of CASES) {
  t(`${c.file}: ${c.records} records`, async () => {
    const got = await collectFixture(c.file);
    assert.is(got.records.length, c.records);
    assert.is(got.seen, c.records + (c.skipped ?? 0));
    assert.is(got.duplicates, 0);
    assert.is([...got.skipped.values()].reduce((a, b) => a + b, 0), c.skipped ?? 0);
    assert.is(got.lostAtLeast, c.lost ?? 0);
    assert.is(got.lossReports, c.lost === undefined ? 0 : 1);
    if (c.tally) assert.equal(tally(got), c.tally);
  });
}

t('kmsg: the rate-limited burst shows as a serial gap 27 → 33 next to the suppressed line', async () => {
  const got = await collectFixture('kmsg.raw.txt');
  const serials = got.records.map((r) => r.stamp.serial);
  assert.ok(serials.includes(27) && serials.includes(33));
  for (let s = 28; s <= 32; s++) assert.not.ok(serials.includes(s));
});

t('hex comm/exe decode the same in every container', async () => {
  for (const file of ['kmsg.raw.txt', 'auditd.audit.log.enriched.txt', 'journald_real.transport_audit.json']) {
    const got = await collectFixture(file);
    const comms = new Set(got.records.map((r) => r.comm));
    const exes = new Set(got.records.map((r) => r.exe));
    assert.equal([...comms].sort(), ['odd "name" x', 'sec comp"demo', 'seccomp_demo'], file);
    assert.equal([...exes].sort(), ['/srv/corpus/bin/seccomp_demo', '/tmp/research/formats/bin/sec comp"demo'], file);
  }
});

t('ausearch -i (names, local time) gives the same records as the raw audit.log', async () => {
  const before = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    const raw = await collectFixture('auditd.audit.log.enriched.txt');
    const interpreted = await collectFixture('ausearch.m_SECCOMP.start_recent.i.txt');
    // The corpus rewrote /tmp/research/formats/ to /srv/corpus/ in plain text, so also in ausearch's decoded
    // exe, but not inside the hex that audit.log holds (fixtures/audit/README.md).
    const exe = (e: string | null) => e?.replace('/tmp/research/formats/', '/srv/corpus/');
    const view = (r: (typeof raw.records)[number]) =>
      [stampKey(r.stamp), r.pid, r.arch, r.nr, r.name, r.compat, r.comm, exe(r.exe), r.uid, r.gid, r.ip].join(' ');
    assert.equal(interpreted.records.map(view), raw.records.map(view));
    // ausearch prints both kill actions as `kill`; everything else keeps its action.
    const actions = (c: typeof raw) => c.records.map((r) => (r.action === 'kill-process' || r.action === 'kill-thread' ? 'kill' : r.action));
    assert.equal(actions(interpreted), actions(raw));
    assert.is(interpreted.records.filter((r) => r.action === 'kill').length, 4);
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

t('journald keeps each record twice (audit + kernel transport): counted once', async () => {
  const audit = readAuditFixture('journald_real.transport_audit.json').trimEnd().split('\n');
  // The kernel-transport copies: the same records' kmsg lines (serials 81–90 are in the ring-buffer capture).
  const kernel = readAuditFixture('kmsg.raw.txt').split('\n').filter((l) => /audit\(\d+\.\d+:(8[1-9]|90)\)/.test(l)).map(kernelJsonEntry);
  assert.is(kernel.length, 10);
  const interleaved = audit.flatMap((line, i) => (kernel[i] === undefined ? [line] : [kernel[i], line]));
  const got = await collectText(`${interleaved.join('\n')}\n`);
  assert.is(got.seen, 22);
  assert.is(got.duplicates, 10);
  assert.is(got.records.length, 12);
  assert.equal(tally(got), JOURNAL_TALLY);
  assert.equal(got.records.map((r) => r.stamp.serial), [81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92]);
});

t('verbose and json renderings of the journal give identical records', async () => {
  const json = await collectFixture('journald_real.transport_audit.json');
  const verbose = await collectFixture('journald_real.transport_audit.verbose.txt');
  assert.equal(verbose.records, json.records);
});

t.run();
