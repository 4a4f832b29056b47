import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unwrapLine, type Unwrapped } from '../../src/audit/containers.js';
import { fieldsFromJson, unwrapJournalEntry } from '../../src/audit/journal-entry.js';

const t = suite('audit/containers');

const BODY = 'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=14156 comm="seccomp_demo" exe="/srv/corpus/bin/seccomp_demo" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f0a016ee829 code=0x7ffc0000';
const STAMP = { seconds: 1795420386, ms: 751, serial: 3 };
const SECCOMP: Unwrapped = { kind: 'seccomp', stamp: STAMP, body: BODY, interpreted: false };

// One real line per container (GRAMMAR.md B.2 and fixtures/audit).
const LINES: Array<[string, string, Unwrapped]> = [
  ['kmsg raw', `5,346,10250726542,-;audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['dmesg', `[10250.726542] audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['dmesg -r', `<5>[10250.726542] audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['dmesg -x', `kern  :notice: [10250.726542] audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['dmesg --time-format=iso', `2026-11-23T07:53:06,726542+00:00 audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['dmesg -T', `[Mon Nov 23 07:53:06 2026] audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['journalctl short-precise, kernel', `Nov 23 07:53:06.751932 vm kernel: audit: type=1326 audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['audit.log raw', `type=SECCOMP msg=audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['audit.log enriched', `type=SECCOMP msg=audit(1795420386.751:3): ${BODY}\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=unknown-syscall(-1)`, SECCOMP],
  ['audit.log with node=', `node=vm type=SECCOMP msg=audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['audit.log, type unknown to auditd', `type=UNKNOWN[1326] msg=audit(1795420386.751:3): ${BODY}`, SECCOMP],
  ['other kernel audit type', '5,384,10342994010,-;audit: type=1300 audit(1795420479.019:76): arch=c000003e syscall=44 success=yes', { kind: 'other' }],
  ['other auditd type', 'type=ANOM_ABEND msg=audit(1795420453.727:48): auid=4294967295 uid=0 pid=14566 sig=31 res=1', { kind: 'other' }],
  ['ausearch separator', '----', { kind: 'other' }],
  ['user text quoting a kernel line in audit.log', `type=USER_CMD msg=audit(1795420386.751:9): pid=1 uid=0 msg='cmd=audit: type=1326 audit(1795420386.751:3): ${BODY}'`, { kind: 'other' }],
  ['ausearch time line', 'time->Mon Nov 23 07:54:13 2026', { kind: 'other' }],
  ['unrelated kernel line', '6,168,266446,-;audit: initializing netlink subsys (disabled)', { kind: 'other' }],
  ['rate limit', '4,371,10275469031,-;kauditd_printk_skb: 5 callbacks suppressed', { kind: 'lost', count: 5 }],
  ['audit_lost', '[ 99.1] audit: audit_lost=12 audit_rate_limit=0 audit_backlog_limit=64', { kind: 'lost', count: null }],
  ['backlog', '[ 99.1] audit: kauditd hold queue overflow', { kind: 'lost', count: null }],
  ['journalctl -o cat', `SECCOMP ${BODY}`, { kind: 'skip', reason: 'SECCOMP record without its audit(…) stamp (journalctl short/cat output: use -o json or export)' }],
  ['journalctl -o short, audit', `Nov 23 07:56:04 vm audit[14988]: SECCOMP ${BODY}`, { kind: 'skip', reason: 'SECCOMP record without its audit(…) stamp (journalctl short/cat output: use -o json or export)' }],
  ['stamp with 2 ms digits', `audit: type=1326 audit(1795420386.75:3): ${BODY}`, { kind: 'skip', reason: 'bad audit(…) stamp' }],
  ['stamp seconds too long', `audit: type=1326 audit(1795420386000000.751:3): ${BODY}`, { kind: 'skip', reason: 'bad audit(…) stamp' }],
  ['serial beyond 32 bits', `audit: type=1326 audit(1795420386.751:4294967296): ${BODY}`, { kind: 'skip', reason: 'bad audit(…) stamp' }],
  ['truncated head', 'audit: type=1326 audit(17954', { kind: 'skip', reason: 'bad audit(…) stamp' }],
];
for (const [name, line, want] of LINES) t(name, () => assert.equal(unwrapLine(line), want));

t('ausearch -i: local-time stamp, " : " separator, interpreted body', () => {
  const before = process.env.TZ;
  process.env.TZ = 'UTC'; // the capture machine's zone; ausearch prints local time
  try {
    const line = 'type=SECCOMP msg=audit(11/23/26 07:54:13.423:44) : auid=unset uid=root pid=1 comm=x exe=/y sig=SIG0 arch=x86_64 syscall=getppid compat=0 ip=0x1 code=log ';
    assert.equal(unwrapLine(line), {
      kind: 'seccomp',
      stamp: { seconds: 1795420453, ms: 423, serial: 44 },
      body: 'auid=unset uid=root pid=1 comm=x exe=/y sig=SIG0 arch=x86_64 syscall=getppid compat=0 ip=0x1 code=log ',
      interpreted: true,
    });
    assert.equal(unwrapLine('type=SECCOMP msg=audit(13/45/26 07:54:13.423:44) : pid=1'), { kind: 'skip', reason: 'bad audit(…) stamp' });
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

t('journald audit transport: stamp from _SOURCE_REALTIME_TIMESTAMP, serial from _AUDIT_ID', () => {
  const fields = fieldsFromJson({ _TRANSPORT: 'audit', _AUDIT_TYPE: '1326', _AUDIT_ID: '3', _SOURCE_REALTIME_TIMESTAMP: '1795420386751000', MESSAGE: `SECCOMP ${BODY}` });
  assert.ok(fields);
  assert.equal(unwrapJournalEntry(fields), SECCOMP);
});

t('journald kernel transport: the kmsg text, same stamp as the audit copy', () => {
  const fields = fieldsFromJson({ _TRANSPORT: 'kernel', MESSAGE: `audit: type=1326 audit(1795420386.751:3): ${BODY}` });
  assert.ok(fields);
  assert.equal(unwrapJournalEntry(fields), SECCOMP);
});

t('journald: MESSAGE as a byte array (binary field) is decoded', () => {
  const bytes = [...Buffer.from(`audit: type=1326 audit(1795420386.751:3): ${BODY}`)];
  const fields = fieldsFromJson({ _TRANSPORT: 'kernel', MESSAGE: bytes });
  assert.ok(fields);
  assert.equal(unwrapJournalEntry(fields), SECCOMP);
});

t('journald: text logged by a program that looks like a record is not trusted', () => {
  for (const transport of ['stdout', 'syslog', 'journal', undefined]) {
    const fields = fieldsFromJson({ _TRANSPORT: transport, MESSAGE: `audit: type=1326 audit(1795420386.751:3): ${BODY}` });
    assert.ok(fields);
    assert.equal(unwrapJournalEntry(fields), { kind: 'other' }, String(transport));
  }
});

t('journald: audit entries of other types, and without stamp fields', () => {
  const other = fieldsFromJson({ _TRANSPORT: 'audit', _AUDIT_TYPE: '1300', _AUDIT_ID: '3', _SOURCE_REALTIME_TIMESTAMP: '1795420386751000', MESSAGE: 'SYSCALL arch=c000003e' });
  assert.ok(other);
  assert.equal(unwrapJournalEntry(other), { kind: 'other' });
  const noId = fieldsFromJson({ _TRANSPORT: 'audit', _AUDIT_TYPE: '1326', _SOURCE_REALTIME_TIMESTAMP: 'x', MESSAGE: `SECCOMP ${BODY}` });
  assert.ok(noId);
  assert.equal(unwrapJournalEntry(noId), { kind: 'skip', reason: 'audit journal entry without a valid _SOURCE_REALTIME_TIMESTAMP/_AUDIT_ID' });
  assert.is(fieldsFromJson([1, 2]), undefined);
  assert.is(fieldsFromJson('x'), undefined);
});

t.run();
