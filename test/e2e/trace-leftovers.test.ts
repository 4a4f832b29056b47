// Issue 11, robustness: what a SIGKILLed learn leaves behind. Its trace dir (learn-trace-PID-START-XXXXXX in
// /dev/shm or $TMPDIR) is removed by the next learn once its owner is gone, and what it committed stays.
// (That the first batch is committed without waiting a whole BATCH_MS: unit/recorder-flush.)
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { processStartTime } from '../../src/os/process-identity.js';
import { readStore, runLearn, scratch, spawnLearn } from '../helpers/learn-cli.js';
import { NOBODY, treeOf } from '../helpers/processes.js';

const t = suite('e2e/trace-leftovers');
const s = scratch('learn-leftovers-');
t.after(() => s.cleanup());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t('the next learn removes trace dirs whose learn is gone, and only those', async () => {
  const tmp = join(s.dir, 'tmp');
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);
  const gone = spawnSync('true').pid as number; // exited: its pid names no learn
  const stale = join(tmp, `learn-trace-${gone}-12345-abcDEF`);
  const live = join(tmp, `learn-trace-${process.pid}-${processStartTime(process.pid)}-ghiJKL`);
  const others = join(tmp, `learn-trace-${gone}-12345-mnoPQR`);
  const legacy = join(tmp, 'learn-trace-stuVWX'); // an older learn's: no owner to check
  for (const dir of [stale, live, others, legacy]) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'trace'), '1 getpid() = 1\n');
  }
  chownSync(others, NOBODY, NOBODY);
  const r = await runLearn(['--db', s.db, '--quiet', '--no-policy', '--', '/bin/true'], { env: { TMPDIR: tmp } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.ok(existsSync(stale), 'the dead learn\'s dir is still there');
  assert.ok(existsSync(live), 'a running learn\'s dir was removed');
  assert.ok(existsSync(others), 'another user\'s dir was removed');
  assert.ok(existsSync(legacy));
  assert.equal(readdirSync(tmp).sort(), [legacy, live, others].map((d) => d.slice(tmp.length + 1)).sort(), 'this learn left its own');
});

t('a learn SIGKILLed early keeps the batches it committed; its leftovers go on the next start', async () => {
  const tmp = join(s.dir, 'tmp-kill');
  mkdirSync(tmp);
  const db = join(s.dir, 'kill.db');
  // Bounded: ends by itself within a minute whatever happens to this test.
  const loop = 'end=$(( $(date +%s) + 60 )); while [ $(date +%s) -lt $end ]; do ls / >/dev/null; done';
  const child = spawnLearn(['--db', db, '--quiet', '--name', 'early', '--', 'sh', '-c', loop], { env: { TMPDIR: tmp } });
  const learnPid = child.pid as number;
  const runEvents = (): number => {
    if (!existsSync(db)) return 0;
    try {
      return readStore(db, (d) => (d.prepare(`SELECT events FROM runs WHERE id = 1`).get() as { events: number } | undefined)?.events ?? 0);
    } catch {
      return 0; // the schema is being created
    }
  };
  let events = 0;
  for (let i = 0; i < 500 && events === 0; i++) {
    await sleep(20);
    events = runEvents();
  }
  // strace and the program it started (which runs on untraced once learn is gone, holding learn's stdout): ours, by pid.
  const tree = treeOf(learnPid);
  process.kill(learnPid, 'SIGKILL');
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await child;
  assert.ok(events > 0, 'no batch was committed within 10 s');
  const next = await runLearn(['--db', db, '--quiet', '--no-policy', '--', '/bin/true'], { env: { TMPDIR: tmp } });
  assert.is(next.exitCode, 0, next.stderr);
  assert.equal(readdirSync(tmp).filter((d) => d.startsWith(`learn-trace-${learnPid}-`)), [], 'the killed learn\'s trace dir is left');
  const runs = readStore(db, (d) => d.prepare(`SELECT status, events >= ${events} AS kept FROM runs ORDER BY id`).all());
  assert.equal(runs, [{ status: 'incomplete', kept: 1 }, { status: 'complete', kept: 0 }]);
});

t.run();
