// Real journal: the fixture's journald entries (audit transport) plus their kernel-transport copies, as journald
// stores them when no auditd runs, written in export format, turned into a journal file by the real
// systemd-journal-remote, and read back through `learn from-audit --journal-file` with the real journalctl.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { readAuditFixture } from '../helpers/audit.js';

const t = suite('e2e/audit-journal');
const REMOTE = '/lib/systemd/systemd-journal-remote';

function why(): string | null {
  try {
    accessSync(REMOTE, constants.X_OK);
    execFileSync('journalctl', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'systemd-journal-remote or journalctl missing (Debian package systemd-journal-remote)';
  }
}
const skipReason = why();
if (skipReason) console.log(`  skipping e2e/audit-journal: ${skipReason}`);
const it = skipReason ? t.skip : t;

type Entry = Array<[string, string | Buffer]>;

/** Journal Export Format: `NAME=value` lines, or `NAME\n<le64 size><bytes>\n` for binary, blank line between. */
function exportEntries(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    for (const [key, value] of entry) {
      if (typeof value === 'string') {
        parts.push(Buffer.from(`${key}=${value}\n`));
        continue;
      }
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(value.length));
      parts.push(Buffer.from(`${key}\n`), size, value, Buffer.from('\n'));
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function buildJournal(): string {
  const dir = mkdtempSync(join(tmpdir(), 'learn-journal-'));
  const audit = readAuditFixture('journald_real.transport_audit.json').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  const kmsg = new Map<string, string>();
  for (const line of readAuditFixture('kmsg.raw.txt').split('\n')) {
    const serial = /audit\(\d+\.\d+:(\d+)\)/.exec(line)?.[1];
    if (serial) kmsg.set(serial, line);
  }
  const entries: Entry[] = [];
  for (const e of audit) {
    const { __CURSOR: _cursor, ...fields } = e;
    entries.push(Object.entries(fields));
    const line = kmsg.get(e._AUDIT_ID ?? '');
    if (line === undefined) continue;
    const message = line.slice(line.indexOf(';') + 1);
    entries.push([
      ['__REALTIME_TIMESTAMP', String(Number(e.__REALTIME_TIMESTAMP) + 3000)],
      ['__MONOTONIC_TIMESTAMP', line.split(',')[2] ?? '0'],
      ['_BOOT_ID', e._BOOT_ID ?? ''],
      ['_TRANSPORT', 'kernel'],
      ['PRIORITY', '5'],
      ['SYSLOG_FACILITY', '0'],
      ['SYSLOG_IDENTIFIER', 'kernel'],
      // One copy as a binary field, which journalctl -o json may render as a byte array.
      ['MESSAGE', e._AUDIT_ID === '85' ? Buffer.from(message) : message],
    ]);
  }
  // A program's own output that mimics a record: journald marks it _TRANSPORT=stdout, and it must not count.
  entries.push([['__REALTIME_TIMESTAMP', '1795420566000000'], ['_BOOT_ID', audit[0]?._BOOT_ID ?? ''], ['_TRANSPORT', 'stdout'],
    ['MESSAGE', 'audit: type=1326 audit(1795420566.000:999): pid=1 comm="x" exe="/x" sig=0 arch=c000003e syscall=59 compat=0 ip=0x1 code=0x7ffc0000']]);
  writeFileSync(join(dir, 'records.export'), exportEntries(entries));
  execFileSync(REMOTE, [`--output=${join(dir, 'records.journal')}`, join(dir, 'records.export')], { stdio: 'ignore' });
  return join(dir, 'records.journal');
}

async function fromAudit(...args: string[]) {
  const io = captureIo(tmpdir(), { ...process.env, LEARN_DB: '' });
  const code = await main(['node', 'learn', 'from-audit', '--db', join(tmpdir(), 'never-written.db'), '--dry-run', '--json', ...args], io);
  assert.is(code, 0, io.stderr());
  return JSON.parse(io.stdout()) as {
    source: string;
    description: string;
    records: { seen: number; usable: number; duplicates: number; outsideWindow: number };
    profiles: Array<{ profile: string; newRecords: number; syscalls: Record<string, string[]> }>;
  };
}

let journal = '';

it('each record stored twice (audit + kernel transport) is counted once', async () => {
  journal = buildJournal();
  const got = await fromAudit('--source', 'journal', '--journal-file', journal);
  assert.is(got.source, 'journal');
  assert.is(got.description, `journal (--file ${journal}, journalctl -o json)`);
  assert.equal(got.records, { ...got.records, seen: 22, duplicates: 10, usable: 12, outsideWindow: 0 });
  assert.equal(got.profiles.map((p) => [p.profile, p.newRecords]), [['seccomp_demo', 9], ['sec comp"demo', 3]]);
  assert.equal(got.profiles[0]?.syscalls, { i386: ['getppid'], x86_64: ['getppid', 'uname'] });
});

it('auto picks the journal when --journal-file is given; --since/--until cut on the audit stamp', async () => {
  // Stamps: 81–83 .347, 84 564.651, 85 564.955, 86–88 565.259, 89 565.563, 90–92 565.867.
  const got = await fromAudit('--journal-file', journal, '--since', '@1795420564.651', '--until', '@1795420565.563');
  assert.is(got.source, 'journal');
  assert.is(got.records.usable, 6);
  const late = await fromAudit('--journal-file', journal, '--since', '2026-11-23 07:56:05.5 UTC');
  assert.is(late.records.usable, 4);
});

t.run();
