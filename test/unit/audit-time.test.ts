import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { journalctlArgs } from '../../src/audit/sources/journal.js';
import { parseSpan, parseTimeSpec } from '../../src/audit/time-spec.js';
import { UsageError } from '../../src/errors.js';
import { collectFixture } from '../helpers/audit.js';

const t = suite('audit/time');
const NOW = Date.UTC(2026, 10, 23, 8, 0, 0); // 2026-11-23 08:00:00 UTC

const SPECS: Array<[string, number]> = [
  ['1h', NOW - 3_600_000], // the shorthand journalctl 252 rejects (journalctl_since_syntax_results.txt)
  ['30m', NOW - 1_800_000],
  ['2d', NOW - 2 * 86_400_000],
  ['1h30m', NOW - 5_400_000],
  ['90s', NOW - 90_000],
  ['-1h', NOW - 3_600_000],
  ['-60min', NOW - 3_600_000],
  ['1 hour ago', NOW - 3_600_000],
  ['1h ago', NOW - 3_600_000],
  ['60 minutes ago', NOW - 3_600_000],
  ['+1h', NOW + 3_600_000],
  ['now', NOW],
  ['@1795420000', 1795420000_000],
  ['@1795420000.5', 1795420000_500],
  ['2026-11-23 06:56:33 UTC', Date.UTC(2026, 10, 23, 6, 56, 33)],
  ['2026-11-23T06:56:33Z', Date.UTC(2026, 10, 23, 6, 56, 33)],
  ['2026-11-23T06:56:33+01:00', Date.UTC(2026, 10, 23, 5, 56, 33)],
  ['2026-11-23 06:56:33.250 UTC', Date.UTC(2026, 10, 23, 6, 56, 33, 250)],
];
for (const [text, want] of SPECS) t(`--since ${text}`, () => assert.is(parseTimeSpec(text, NOW), want));

t('local dates, today and yesterday use the local zone', () => {
  const before = process.env.TZ;
  process.env.TZ = 'America/New_York';
  try {
    assert.is(parseTimeSpec('2026-11-23 06:56', NOW), Date.UTC(2026, 10, 23, 11, 56));
    assert.is(parseTimeSpec('today', NOW), Date.UTC(2026, 10, 23, 5, 0));
    assert.is(parseTimeSpec('yesterday', NOW), Date.UTC(2026, 10, 22, 5, 0));
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

for (const bad of ['', '1 parsec', 'soon', 'now-1h', '@', '@x', '2026-13-45x', '2026-13-01', '2026-00-10', '2026-11-23 25:00', '1h 2']) {
  t(`rejects '${bad}' with a usage error`, () => {
    try {
      parseTimeSpec(bad, NOW, '--until');
      assert.unreachable('should throw');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, `--until '${bad}' is not a time`);
    }
  });
}

t('parseSpan sums parts', () => {
  assert.is(parseSpan('1d 2h'), 93_600_000);
  assert.is(parseSpan('1x'), undefined);
});

t('journalctl gets @SECONDS widened to whole seconds, and the SECCOMP matches', () => {
  const args = journalctlArgs({ window: { sinceMs: 1795420386751, untilMs: 1795420390001 }, files: ['/a.journal'], machine: 'box' });
  assert.equal(args, [
    '-o', 'json', '--no-pager', '--output-fields=MESSAGE,_TRANSPORT,_AUDIT_TYPE,_AUDIT_ID,_SOURCE_REALTIME_TIMESTAMP,_BOOT_ID',
    '--file=/a.journal', '--machine=box', '--since=@1795420386', '--until=@1795420391',
    '_TRANSPORT=audit', '_AUDIT_TYPE=1326', '+', '_TRANSPORT=kernel',
  ]);
});

t('the window cuts on the audit(…) stamp, bounds inclusive, not on the monotonic kmsg time', async () => {
  // kmsg.raw.txt: serials 3–5 at 1795420386.751, serial 6 at .963 one second later; dmesg's monotonic
  // clock disagrees with wall time by days on this snapshot-restored VM (GRAMMAR B.2).
  const got = await collectFixture('kmsg.raw.txt', { sinceMs: 1795420386751, untilMs: 1795420387963 });
  assert.equal(got.records.map((r) => r.stamp.serial), [3, 4, 5, 6]);
  assert.is(got.outsideWindow, 45);
  const after = await collectFixture('kmsg.raw.txt', { sinceMs: 1795420564347 });
  assert.equal(after.records.map((r) => r.stamp.serial), [81, 82, 83, 84, 85, 86, 87, 88, 89, 90]);
});

t('a "callbacks suppressed" line counts only when the records around it touch the window', async () => {
  // It sits between serial 27 (1795420405.491) and serial 33 (1795420411.495).
  const late = await collectFixture('kmsg.raw.txt', { sinceMs: 1795420564347 });
  assert.equal([late.lossReports, late.lostAtLeast], [0, 0]);
  const early = await collectFixture('kmsg.raw.txt', { untilMs: 1795420390000 });
  assert.equal([early.lossReports, early.lostAtLeast], [0, 0]);
  const during = await collectFixture('kmsg.raw.txt', { sinceMs: 1795420400000, untilMs: 1795420406000 });
  assert.equal([during.lossReports, during.lostAtLeast], [1, 5]);
  const after = await collectFixture('kmsg.raw.txt', { sinceMs: 1795420411000, untilMs: 1795420412000 });
  assert.equal([after.lossReports, after.lostAtLeast], [1, 5]);
});

t.run();
