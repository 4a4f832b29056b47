// `learn from-strace`: real logs made here by strace (and the corpus captures in fixtures/), -ff prefixes
// and lists, and bad input: truncated, garbled, binary, empty and missing files.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIXTURES, comparableCounts, countDifferences, observationsOf, runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/trace-from-strace');
const s = scratch();
t.after(() => s.cleanup());

interface Summary { runId: number; profile: string; events: number; parseErrors: number; processes: number; problems: { place: string }[] }

async function ingest(args: readonly string[]): Promise<{ exitCode: number | undefined; summary: Summary | undefined; stderr: string }> {
  const r = await runLearn(['from-strace', '--db', s.db, '--json', ...args]);
  return { exitCode: r.exitCode, summary: r.stdout === '' ? undefined : (JSON.parse(r.stdout) as Summary), stderr: r.stderr };
}

/** Per-name counts from the `-C` summary table at the end of a log. */
function summaryTable(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols[cols.length - 1] ?? '';
    if (cols.length >= 5 && /^\d+\.\d+$/.test(cols[0] ?? '') && name !== 'total') counts.set(name, (counts.get(name) ?? 0) + Number(cols[3]));
  }
  return counts;
}

const SH = ['sh', '-c', 'ls /usr | wc -l; sleep 0.05 & wait'];
const log = join(s.dir, 'sh.log');

t('an strace -f -C log: stored counts equal the summary strace wrote into the same log', async () => {
  await execa('strace', ['-f', '-C', '-o', log, ...SH], { stdout: 'ignore' });
  const r = await ingest(['--name', 'sh-log', log]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.summary?.parseErrors, 0, r.stderr);
  assert.ok((r.summary?.processes ?? 0) >= 4, `processes: ${r.summary?.processes}`);
  const stored = observationsOf(s.db, r.summary?.runId ?? -1);
  const diffs = countDifferences(comparableCounts(stored), summaryTable(readFileSync(log, 'utf8')));
  assert.equal(diffs, [], diffs.join('\n'));
});

t('strace -ff: a prefix means every PREFIX.<pid> file, the same as listing them', async () => {
  const prefix = join(s.dir, 'ff', 'trace');
  await execa('mkdir', ['-p', join(s.dir, 'ff')]);
  await execa('strace', ['-ff', '-o', prefix, ...SH], { stdout: 'ignore' });
  const byPrefix = await ingest(['--name', 'ff-prefix', prefix]);
  assert.is(byPrefix.exitCode, 0, byPrefix.stderr);
  assert.is(byPrefix.summary?.parseErrors, 0);
  const files = (await execa('sh', ['-c', `ls ${prefix}.*`])).stdout.split('\n');
  assert.ok(files.length >= 4, files.join(' '));
  const byList = await ingest(['--name', 'ff-list', ...files]);
  assert.is(byList.summary?.events, byPrefix.summary?.events);
  const a = comparableCounts(observationsOf(s.db, byPrefix.summary?.runId ?? -1));
  const b = comparableCounts(observationsOf(s.db, byList.summary?.runId ?? -1));
  assert.equal(countDifferences(a, b), []);
  assert.ok(a.has('pipe2') && a.has('wait4') && a.has('execve'));
});

t('corpus captures: -f -n keeps the i386 getpid as i386/20; an -ff directory prefix imports', async () => {
  const n = await ingest(['--name', 'int80-log', join(FIXTURES, 'strace/int80.f_n.txt')]);
  assert.is(n.exitCode, 0, n.stderr);
  const obs = observationsOf(s.db, n.summary?.runId ?? -1);
  assert.is(obs.find((o) => o.arch === 'i386' && o.nr === 20)?.name, 'getpid');
  assert.is(obs.find((o) => o.arch === 'x86_64' && o.nr === 39)?.name, 'getpid');
  const ff = await ingest([join(FIXTURES, 'strace/python_threads_fork.ff/trace')]);
  assert.is(ff.exitCode, 0, ff.stderr);
  assert.is(ff.summary?.profile, 'trace');
  assert.is(ff.summary?.parseErrors, 0);
});

t('a truncated log imports what is complete', async () => {
  const text = readFileSync(log, 'utf8');
  const cut = join(s.dir, 'truncated.log');
  writeFileSync(cut, text.slice(0, Math.floor(text.length / 2) + 7));
  const r = await ingest(['--name', 'cut', cut]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.ok((r.summary?.events ?? 0) > 10);
  assert.ok((r.summary?.parseErrors ?? 99) <= 1);
});

t('garbled lines are counted and reported with file:line, and do not stop the import', async () => {
  const lines = readFileSync(log, 'utf8').split('\n');
  lines.splice(3, 0, '@@@ not strace at all $$$');
  lines.splice(10, 0, '12345 foo(bar, "unterminated');
  const garbled = join(s.dir, 'garbled.log');
  writeFileSync(garbled, lines.join('\n'));
  const r = await runLearn(['from-strace', '--db', s.db, '--name', 'garbled', garbled]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /[1-9]\d* parse problems?/);
  assert.match(r.stderr, `${garbled}:4: `);
  assert.not.match(r.stderr, '    at ');
});

t('binary, empty and missing files: counted skips or one-line errors, exit 2 when nothing is left', async () => {
  const bin = join(s.dir, 'true.bin');
  copyFileSync('/bin/true', bin);
  const empty = join(s.dir, 'empty.log');
  writeFileSync(empty, '');
  const text = join(s.dir, 'prose.txt');
  writeFileSync(text, 'hello\nthis is not a trace\n');

  const mixed = await runLearn(['from-strace', '--db', s.db, '--name', 'mixed', log, bin, empty]);
  assert.is(mixed.exitCode, 0, mixed.stderr);
  assert.match(mixed.stderr, `${bin}: binary file`);
  assert.match(mixed.stderr, `${empty}: empty file`);

  for (const [file, message] of [[bin, 'nothing to import'], [empty, 'nothing to import'], [text, 'no syscalls found'],
    [join(s.dir, 'missing.log'), 'missing.log: no such file']] as const) {
    const r = await runLearn(['from-strace', '--db', s.db, file]);
    assert.is(r.exitCode, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, '    at ');
  }
  const runs = await runLearn(['runs', '--db', s.db, '--json']);
  assert.not.match(runs.stdout, 'prose', 'a failed import leaves no run');
});

t('runs and show describe what was imported', async () => {
  const runs = await runLearn(['runs', '--db', s.db]);
  assert.is(runs.exitCode, 0, runs.stderr);
  assert.match(runs.stdout, /sh-log: 1 run/);
  assert.match(runs.stdout, /strace-file complete/);
  const show = await runLearn(['show', '--db', s.db, 'sh-log']);
  assert.is(show.exitCode, 0, show.stderr);
  assert.match(show.stdout, /x86_64: \d+ syscalls/);
  assert.match(show.stdout, /\n  execve\s+59\s+\d+/);
  assert.match(show.stdout, /processes: \d+/);
  const unknown = await runLearn(['show', '--db', s.db, 'nope']);
  assert.is(unknown.exitCode, 2);
  assert.match(unknown.stderr, "unknown profile 'nope'");
});

t.run();
