// Malformed, truncated and hostile inputs: each bad record is skipped and counted with a reason, the good
// records around it still come through, and nothing throws.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_EXPORT_FIELD } from '../../src/audit/journal-export.js';
import { MAX_LINE_LENGTH } from '../../src/audit/scan.js';
import { collectText, readAuditFixture } from '../helpers/audit.js';

const t = suite('audit/hostile');

const KMSG = readAuditFixture('kmsg.raw.txt').split('\n');
const GOOD = KMSG.find((l) => l.includes('audit(1795420386.751:3)')) ?? '';
const GOOD2 = KMSG.find((l) => l.includes('audit(1795420386.751:4)')) ?? '';
const withSerial = (line: string, serial: number): string => line.replace(/:(\d+)\): /, `:${serial}): `);

const STREAMS: Array<{ name: string; bad: string; reason: string }> = [
  { name: 'unknown arch', bad: GOOD.replace('arch=c000003e', 'arch=c00000f3'), reason: 'unknown arch c00000f3' },
  { name: 'syscall beyond the table', bad: GOOD.replace('syscall=110', 'syscall=5000'), reason: 'syscall 5000 is not in the x86_64 table' },
  { name: 'x32 syscall', bad: GOOD.replace('syscall=110', 'syscall=1073741825'), reason: 'syscall 1073741825 is not in the x86_64 table' },
  { name: 'bad hex', bad: GOOD.replace('comm="seccomp_demo"', 'comm=6F6G'), reason: "bad comm '6F6G'" },
  { name: 'truncated mid-record', bad: GOOD.slice(0, GOOD.indexOf(' ip=')), reason: 'missing field code' },
  { name: 'truncated mid-value', bad: GOOD.slice(0, GOOD.indexOf('seccomp_demo"') + 4), reason: 'missing field arch' },
  { name: 'huge field', bad: GOOD.replace('comm="seccomp_demo"', `comm="${'A'.repeat(20000)}"`), reason: 'record longer than 16384 characters' },
  { name: 'huge line', bad: `${GOOD} ${'x'.repeat(MAX_LINE_LENGTH)}`, reason: `line longer than ${MAX_LINE_LENGTH} characters` },
  { name: 'NUL and control bytes', bad: GOOD.replace('sig=0', 'sig=\u0000\u001b[2J'), reason: "bad sig '??[2J'" },
  { name: 'broken JSON line', bad: '{"_TRANSPORT":"audit","MESSAGE":', reason: 'line starting with { is not a JSON object' },
  { name: 'JSON array', bad: '[1,2,3]', reason: '' },
  { name: 'binary garbage', bad: '\u00ff\u00fe\u0000\u0001 type=\u0007 audit(', reason: '' },
];

for (const s of STREAMS) {
  t(s.name, async () => {
    const got = await collectText([withSerial(GOOD, 1), s.bad, withSerial(GOOD2, 2), ''].join('\n'));
    assert.equal(got.records.map((r) => r.stamp.serial), [1, 2]);
    if (s.reason === '') {
      assert.is(got.skipped.size, 0);
      return;
    }
    assert.equal([...got.skipped], [[s.reason, 1]]);
    assert.equal(got.skippedSamples, [{ place: 'test:2', reason: s.reason }]);
  });
}

t('a skipped duplicate does not hide the good copy, and the bad copy does not count twice', async () => {
  const got = await collectText([GOOD, GOOD, GOOD2].join('\n'));
  assert.is(got.records.length, 2);
  assert.is(got.duplicates, 1);
});

t('a line of 10 MB without a newline costs one skip, not the heap', async () => {
  const chunks = async function* () {
    yield `${GOOD}\n`;
    for (let i = 0; i < 160; i++) yield 'y'.repeat(65536);
    yield `\n${GOOD2}\n`;
  };
  const { createCollector } = await import('../../src/audit/collect.js');
  const { scanAuditStream } = await import('../../src/audit/scan.js');
  const c = createCollector();
  await scanAuditStream(chunks(), (item, line) => c.add(item, () => `big:${line}`));
  const got = c.finish();
  assert.is(got.records.length, 2);
  assert.equal([...got.skipped], [[`line longer than ${MAX_LINE_LENGTH} characters`, 1]]);
});

t('export stream: a binary field claiming a huge size stops that stream with a reason', async () => {
  const entry = (serial: number) =>
    `_TRANSPORT=kernel\nMESSAGE=${GOOD.slice(GOOD.indexOf(';') + 1).replace(/:3\): /, `:${serial}): `)}\n\n`;
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(MAX_EXPORT_FIELD) + 1n);
  const stream = Buffer.concat([Buffer.from(entry(1)), Buffer.from('MESSAGE\n'), size, Buffer.from('zz\n\n'), Buffer.from(entry(2))]);
  const got = await collectText(stream);
  assert.equal(got.records.map((r) => r.stamp.serial), [1]);
  assert.equal([...got.skipped.keys()], [`journal export stream cut short: binary field MESSAGE of ${MAX_EXPORT_FIELD + 1} bytes at entry line 4`]);
});

t('export stream: a binary MESSAGE of the right size is read', async () => {
  const message = Buffer.from(GOOD.slice(GOOD.indexOf(';') + 1));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(message.length));
  const stream = Buffer.concat([Buffer.from('_TRANSPORT=kernel\nMESSAGE\n'), size, message, Buffer.from('\n\n')]);
  const got = await collectText(stream);
  assert.equal(got.records.map((r) => r.stamp.serial), [3]);
});

t('unterminated pretty JSON object is reported once', async () => {
  const got = await collectText(`{\n"MESSAGE": "x"\n`);
  assert.equal([...got.skipped], [['unterminated JSON object', 1]]);
});

t.run();
