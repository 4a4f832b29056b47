import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSeccompBody, MAX_BODY_LENGTH } from '../../src/audit/parse-record.js';
import type { AuditRecord } from '../../src/audit/record.js';

const t = suite('audit/parse-record');
const STAMP = { seconds: 1795420386, ms: 751, serial: 3 };

// Real bodies from fixtures/audit (kmsg.raw.txt, journald_real.transport_audit.json, ausearch.*.i.txt).
const REAL = 'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=14156 comm="seccomp_demo" exe="/srv/corpus/bin/seccomp_demo" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f0a016ee829 code=0x7ffc0000';
const body = (over: Record<string, string>): string => {
  let b = REAL;
  for (const [k, v] of Object.entries(over)) b = b.replace(new RegExp(`(^| )${k}=\\S*`), `$1${k}=${v}`);
  return b;
};

function ok(text: string, interpreted = false): AuditRecord {
  const r = parseSeccompBody(text, STAMP, interpreted);
  if (!r.ok) throw new Error(`expected a record, got: ${r.reason}`);
  return r.record;
}

t('a real LOG record', () => {
  const r = ok(REAL);
  assert.equal(r, {
    stamp: STAMP, arch: 'x86_64', archText: 'c000003e', nr: 110, name: 'getppid', compat: false, action: 'log',
    code: 0x7ffc0000, pid: 14156, uid: 0, gid: 0, comm: 'seccomp_demo', exe: '/srv/corpus/bin/seccomp_demo', sig: 0,
    ip: '0x7f0a016ee829',
  });
});

t('numbers are looked up in the record\'s own arch: i386 64 is getppid, x86_64 64 is semget', () => {
  const i386 = ok(body({ arch: '40000003', syscall: '64', compat: '1', ip: '0x55b14cdeb1f7' }));
  assert.is(i386.arch, 'i386');
  assert.is(i386.name, 'getppid');
  assert.is(i386.compat, true);
  assert.is(ok(body({ syscall: '64' })).name, 'semget');
  assert.is(ok(body({ arch: 'c00000b7', syscall: '173' })).name, 'getppid');
});

const ACTIONS: Array<[string, AuditRecord['action']]> = [
  ['0x7ffc0000', 'log'],
  ['0x80000000', 'kill-process'],
  ['0x0', 'kill-thread'],
  ['0x50000', 'errno'],
  ['0x30000', 'trap'],
  ['0x7ff00000', 'trace'],
  ['0x7fc00000', 'user-notif'],
  ['0x7fff0000', 'allow'],
];
for (const [code, action] of ACTIONS) {
  t(`code=${code} is ${action}`, () => assert.is(ok(body({ code })).action, action));
}

t('hex-encoded comm and exe are decoded (kmsg.raw.txt serials 12 and 15)', () => {
  const r = ok(body({ comm: '6F646420226E616D65222078', exe: '2F746D702F72657365617263682F666F726D6174732F62696E2F73656320636F6D702264656D6F' }));
  assert.is(r.comm, 'odd "name" x');
  assert.is(r.exe, '/tmp/research/formats/bin/sec comp"demo');
  assert.is(ok(body({ exe: '(null)' })).exe, null);
});

t('ausearch -i: names for arch, syscall, code, ids and signal; comm/exe decoded and bare', () => {
  const r = ok('auid=unset uid=root gid=root ses=unset pid=14584 comm=odd "name" x exe=/srv/corpus/bin/seccomp_demo sig=SIG0 arch=i386 syscall=getppid compat=1 ip=0x55e111d321f7 code=log ', true);
  assert.equal([r.arch, r.nr, r.name, r.action, r.uid, r.gid, r.comm, r.exe, r.sig, r.code], ['i386', 64, 'getppid', 'log', 0, 0, 'odd "name" x', '/srv/corpus/bin/seccomp_demo', 0, null]);
  const k = ok('auid=unset uid=root gid=root ses=unset pid=14566 comm=seccomp_demo exe=/srv/corpus/bin/seccomp_demo sig=SIGSYS arch=x86_64 syscall=getppid compat=0 ip=0x7f97ccb29829 code=kill ', true);
  assert.equal([k.action, k.sig, k.nr], ['kill', 31, 110]);
  const exe = ok('auid=unset uid=1000 gid=unknown(1234) ses=1 pid=7 comm=a b exe=/opt/my app/bin sig=SIG0 arch=x86_64 syscall=unknown-syscall(9999) compat=0 ip=0x1 code=errno', true);
  assert.equal([exe.uid, exe.gid, exe.comm, exe.exe, exe.nr, exe.name], [1000, 1234, 'a b', '/opt/my app/bin', 9999, null]);
});

t('unknown arch and out-of-table numbers parse, with no name (the collector skips them)', () => {
  const unknownArch = ok(body({ arch: 'c00000f3' }));
  assert.equal([unknownArch.arch, unknownArch.archText, unknownArch.name], [null, 'c00000f3', null]);
  assert.is(ok(body({ syscall: '4000' })).name, null);
  assert.is(ok(body({ syscall: '-1' })).name, null);
  assert.is(ok(body({ syscall: String(0x40000000 + 1) })).name, null); // x32 write
});

const HOSTILE: Array<[string, string, string]> = [
  ['odd-length hex', body({ exe: '2F746' }), "bad exe '2F746'"],
  ['non-hex bare token', body({ comm: 'seccomp_demo' }), "bad comm 'seccomp_demo'"],
  ['unterminated quote', body({ exe: '"/srv/corpus' }), `bad exe '"/srv/corpus'`],
  ['quote inside a quoted value', 'pid=1 comm="a"b" arch=c000003e syscall=1 code=0x7ffc0000', `bad comm '"a"b"'`],
  ['space inside quotes', 'pid=1 comm="a b" arch=c000003e syscall=1 code=0x7ffc0000', `stray text 'b"'`],
  ['huge record', body({ exe: `"/${'x'.repeat(MAX_BODY_LENGTH)}"` }), `record longer than ${MAX_BODY_LENGTH} characters`],
  ['huge hex exe', body({ exe: '41'.repeat(4097) }), `bad exe '${'41'.repeat(12)}…'`],
  ['huge comm', body({ comm: `"${'c'.repeat(65)}"` }), `bad comm '"${'c'.repeat(23)}…'`],
  ['bad arch', body({ arch: 'zz' }), "bad arch 'zz'"],
  ['arch too long', body({ arch: '1c000003e' }), "bad arch '1c000003e'"],
  ['syscall not a number', body({ syscall: '0x6e' }), "bad syscall '0x6e'"],
  ['syscall beyond 32 bits', body({ syscall: '99999999999999999999' }), "bad syscall '99999999999999999999'"],
  ['pid zero', body({ pid: '0' }), "bad pid '0'"],
  ['negative pid', body({ pid: '-5' }), "bad pid '-5'"],
  ['pid above PID_MAX_LIMIT', body({ pid: '4194305' }), "bad pid '4194305'"],
  ['code with data bits (truncated or forged)', body({ code: '0x7ffc' }), "bad code '0x7ffc'"],
  ['code not an action', body({ code: '0x12340000' }), "bad code '0x12340000'"],
  ['code without 0x', body({ code: '7ffc0000' }), "bad code '7ffc0000'"],
  ['compat 2', body({ compat: '2' }), "bad compat '2'"],
  ['signal out of range', body({ sig: '999' }), "bad sig '999'"],
  ['ip not hex', body({ ip: '0xzz' }), "bad ip '0xzz'"],
  ['empty value', body({ uid: '' }), 'empty uid'],
  ['duplicate field', `${REAL} pid=1`, 'duplicate field pid'],
  ['missing code (truncated)', REAL.slice(0, REAL.indexOf(' code=')), 'missing field code'],
  ['garbage', '\u0000\u0001\u0002', "stray text '???'"],
  ['empty', '', 'missing field pid'],
  ['interpreted without the tail', 'pid=1 comm=x exe=y', 'interpreted record does not end with sig= arch= syscall= compat= ip= code='],
];
for (const [name, text, reason] of HOSTILE) {
  t(`hostile: ${name}`, () => {
    const r = parseSeccompBody(text, STAMP, name.startsWith('interpreted'));
    assert.equal(r, { ok: false, reason });
  });
}

t.run();
