// tailFile on a real file written in pieces, as strace writes its -o output.
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_LINE_LENGTH } from '../../src/trace/assemble.js';
import { tailFile } from '../../src/trace/tail-file.js';

const t = suite('trace/tail-file');
let dir = '';
t.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'learn-tail-test-'));
});
t.after.each(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
}

t('delivers complete lines as they are written, split lines and UTF-8 joined, the last partial line at finish', async () => {
  const file = join(dir, 'trace');
  writeFileSync(file, '');
  const got: Array<string | null> = [];
  let firstData = 0;
  const tail = tailFile(file, { intervalMs: 5, onLine: (l) => got.push(l), onFirstData: () => firstData++ });
  appendFileSync(file, '1 read(3, "a", 1');
  await sleep(30);
  assert.equal(got, [], 'no line before its newline');
  appendFileSync(file, ') = 1\n2 write(1, "');
  appendFileSync(file, Buffer.from([0xc3])); // the first byte of é
  await until(() => got.length === 1);
  assert.equal(got, ['1 read(3, "a", 1) = 1']);
  appendFileSync(file, Buffer.from([0xa9]));
  appendFileSync(file, '", 2) = 2\n3 exit_group(0) = ?');
  await until(() => got.length === 2);
  tail.finish();
  assert.equal(got, ['1 read(3, "a", 1) = 1', '2 write(1, "é", 2) = 2', '3 exit_group(0) = ?']);
  assert.is(tail.lines(), 3);
  assert.is(firstData, 1);
});

t('frees what it has read, so a long trace keeps only its unread tail on disk', async () => {
  const file = join(dir, 'trace');
  const line = `${'x'.repeat(1023)}\n`;
  const count = 40 * 1024; // 40 MiB
  writeFileSync(file, line.repeat(count));
  let seen = 0;
  const tail = tailFile(file, { intervalMs: 5, onLine: () => seen++ });
  await until(() => seen === count);
  await until(() => statSync(file).blocks * 512 < 8 * 2 ** 20);
  const { size, blocks } = statSync(file);
  tail.finish();
  assert.is(seen, count);
  assert.is(size, count * 1024, 'the size is kept: the writer goes on at its own offset');
  assert.ok(blocks * 512 < 8 * 2 ** 20, `${blocks * 512} bytes still allocated`);
});

t('a line longer than MAX_LINE_LENGTH is dropped as it arrives: null in its place', async () => {
  const file = join(dir, 'trace');
  const long = 'y'.repeat(MAX_LINE_LENGTH + 1000);
  writeFileSync(file, `a\n${long}\nb\n${long}`);
  const got: Array<string | null> = [];
  const tail = tailFile(file, { intervalMs: 5, onLine: (l) => got.push(l) });
  await until(() => got.length === 3);
  tail.finish();
  assert.equal(got, ['a', null, 'b', null]);
});

t('an error thrown by onLine stops the tail and comes back from finish', async () => {
  const file = join(dir, 'trace');
  writeFileSync(file, 'a\nb\n');
  let calls = 0;
  const tail = tailFile(file, { intervalMs: 5, onLine: () => {
    calls++;
    throw new Error('store full');
  } });
  await sleep(50);
  assert.throws(() => tail.finish(), /store full/);
  assert.is(calls, 1);
});

t.run();
