// Hostile and odd strace input: every bad line is a counted skip — never a thrown-away import, a stack
// overflow, quadratic time or an unbounded line in memory — and real stderr captures are not "binary".
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { forEachLine, skipReason } from '../../src/cli/trace-files.js';
import { MAX_LINE_LENGTH, createStraceParser } from '../../src/trace/assemble.js';
import { createAggregator } from '../../src/trace/ingest.js';
import { runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('trace/hostile');

const GOOD = ['1234 getpid() = 1234', '1234 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3'];

/** Parses and aggregates lines as from-strace does; returns the parser stats and the events aggregated. */
function ingest(lines: readonly string[]): { bad: number; events: number; ms: number } {
  const parser = createStraceParser();
  const agg = createAggregator();
  const start = performance.now();
  for (const line of lines) for (const ev of parser.feed(line)) agg.add(ev);
  for (const ev of parser.finish()) agg.add(ev);
  agg.takeBatch();
  return { bad: parser.stats.badLines, events: agg.stats.events, ms: performance.now() - start };
}

t('1<<99999999999 in a decoded argument: the call counts, its value is unknown, the import goes on', () => {
  const r = ingest([GOOD[0]!, '1234 socket(AF_INET, 1<<99999999999, 0) = 3', GOOD[1]!]);
  assert.is(r.events, 3);
});

t('20,000 nested htons( and _IOC(: no stack overflow', () => {
  const deep = (open: string) => `1234 socket(AF_PACKET, SOCK_RAW, ${open.repeat(20_000)}ETH_P_ALL${')'.repeat(20_000)}) = 3`;
  const r = ingest([deep('htons('), deep('_IOC('), `1234 ioctl(1, ${'_IOC('.repeat(20_000)}) = 0`, GOOD[0]!]);
  assert.is(r.events, 3);
  assert.is(r.bad, 1); // the unclosed _IOC( chain
});

t('unclosed /* and < over a 300 KB line: linear, not quadratic', () => {
  for (const line of [
    `1234 ioctl(1, ${'/*'.repeat(150_000)}) = 0`,
    `1234 ioctl(1, TCGETS${' /* x'.repeat(60_000)}, 0) = 0`,
    `1234 read(3${'<a'.repeat(150_000)}, "", 1) = 0`,
    `1234 mmap(NULL, 4096, ${'PROT_READ|'.repeat(30_000)}PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000`,
  ]) {
    const r = ingest([line, GOOD[0]!]);
    assert.is(r.events, 2);
    assert.ok(r.ms < 2_000, `${line.slice(0, 30)}…: ${r.ms.toFixed(0)} ms`);
  }
});

t('a line over the cap is not gathered: the reader hands null, the parser counts it', async () => {
  const { dir, cleanup } = scratch('learn-hostile-');
  try {
    const file = join(dir, 'long.trace');
    const fd = openSync(file, 'w');
    writeSync(fd, `${GOOD[0]}\n1234 write(1, "`);
    const chunk = Buffer.alloc(1 << 20, 'a');
    for (let i = 0; i < 12; i++) writeSync(fd, chunk); // 12 MiB, three times the cap
    writeSync(fd, `", 5) = 5\n${GOOD[1]}\n1234 read(0, "${'b'.repeat(2 << 20)}`); // an unterminated 2 MiB last line: kept
    closeSync(fd);
    const seen: Array<number | null> = [];
    const before = process.memoryUsage().rss;
    await forEachLine(file, (line) => seen.push(line === null ? null : line.length));
    assert.equal(seen.slice(0, 3), [GOOD[0]!.length, null, GOOD[1]!.length]);
    assert.ok((seen[3] ?? 0) > 2 << 20);
    assert.ok(process.memoryUsage().rss - before < 200 << 20, 'the 12 MiB line was not held');
    const parser = createStraceParser();
    parser.feed(null);
    parser.feed('x'.repeat(MAX_LINE_LENGTH + 1));
    assert.is(parser.stats.badLines, 2);
    assert.match(parser.problems[0]?.reason ?? '', /line longer than/);
  } finally {
    cleanup();
  }
});

t('from-strace: hostile lines are counted skips in a successful import', async () => {
  const { dir, db, cleanup } = scratch('learn-hostile-');
  try {
    const file = join(dir, 'app.trace');
    writeFileSync(file, [GOOD[0], '1234 socket(AF_INET, 1<<99999999999, 0) = 3', `1234 ioctl(1, ${'htons('.repeat(20_000)}) = 0`, GOOD[1], ''].join('\n'));
    const r = await runLearn(['from-strace', file, '--db', db, '--json']);
    assert.is(r.exitCode, 0, r.stderr);
    assert.not.match(r.stderr, /at .*\.js:\d+/); // no stack trace
    const summary = JSON.parse(r.stdout) as { events: number; parseErrors: number };
    assert.is(summary.events, 3);
    assert.is(summary.parseErrors, 1);
  } finally {
    cleanup();
  }
});

t('a real stderr capture with NUL bytes from the program is read, binaries are skipped', async () => {
  const { dir, db, cleanup } = scratch('learn-hostile-');
  try {
    const capture = join(dir, 'stderr.txt');
    // strace without -o writes to stderr, interleaved with what the traced program writes there
    execFileSync('sh', ['-c', `strace -f sh -c 'printf "x\\0y\\0\\n" >&2; echo hi' 2> ${capture} > /dev/null`]);
    assert.ok(execFileSync('cat', [capture]).includes(0), 'the capture holds a NUL');
    assert.is(skipReason(capture), null);
    const r = await runLearn(['from-strace', capture, '--db', db, '--json']);
    assert.is(r.exitCode, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { events: number }).events > 10);
    assert.match(skipReason('/bin/sh') ?? '', /binary/);
  } finally {
    cleanup();
  }
});

t.run();
